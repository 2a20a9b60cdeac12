"""One plain sentence per area saying why it scores what it scores, for a councillor:
"High risk mainly because of age and disability; broadband is good here."

The index's inputs are grouped into themes a reader knows (age, disability, broadband,
deprivation, or the input's own component). For each area a theme's score is the weighted mean
of its inputs' 0-10 scores, and its contribution is its part of the index (the same shares as the
area page's "adds to index" column, so the contributions add up to the index). A theme
"raises" the risk when it scores in the upper half of its comparison range (5 or more of 10);
the sentence names the two that add most. A theme scoring 2.5 or less is "good here". Themes
whose inputs are illustrative say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..workspace.inclusion import IndicatorSpec

RAISES = 5.0  # a theme in the upper half of its comparison range raises the risk
GOOD = 2.5  # a theme in the bottom quarter is good here
# theme -> (the word for it as a cause, the phrase when it is good)
THEMES: dict[str, tuple[str, str]] = {
    "age": ("age", "residents are younger than in most areas"),
    "disability": ("disability", "health is better than in most areas"),
    "broadband": ("broadband", "broadband is good here"),
    "deprivation": ("deprivation", "deprivation is low here"),
}


def theme(spec: IndicatorSpec) -> str:
    """The plain theme of an input (its component's name when no better word is known)."""
    text = f"{spec.id} {spec.label}".lower()
    if spec.source == "store" or "broadband" in text:
        return "broadband"
    if "health" in text or "disab" in text or "illness" in text:
        return "disability"
    if "aged" in text or " age " in f" {text} ":
        return "age"
    if spec.component == "deprivation" or spec.source == "imd":
        return "deprivation"
    return spec.component


def shares(scores: np.ndarray, iw: np.ndarray, component_of: np.ndarray, cw: np.ndarray) -> np.ndarray:
    """(areas, indicators) each input's share of the index, so that sum(score * share) is the
    index: weight / its component's weights x component weight / all component weights, over the
    inputs and components with a figure for the area (as index.combine leaves the others out)."""
    have = ~np.isnan(scores)
    member = np.zeros((len(component_of), len(cw)))
    member[np.arange(len(component_of)), component_of] = 1.0
    w = have * iw[None, :]
    within = w @ member  # (areas, components)
    chave = (within > 0) & (cw[None, :] > 0)
    csum = chave @ cw
    with np.errstate(invalid="ignore", divide="ignore"):
        ind_share = np.where(within[:, component_of] > 0, w / within[:, component_of], 0.0)
        comp_share = np.where(chave & (csum[:, None] > 0), cw[None, :] / csum[:, None], 0.0)
    return ind_share * comp_share[:, component_of]


@dataclass
class Theme:
    name: str
    score: float  # 0-10, the weighted mean of its inputs' scores
    adds: float  # its contribution to the index
    illustrative: bool


def themes_of(scores: np.ndarray, share: np.ndarray, iw: np.ndarray, names: list[str],
              synthetic: np.ndarray) -> list[Theme]:
    """The themes of one area (scores, share: one row each; names: each input's theme)."""
    out = []
    for name in dict.fromkeys(names):
        cols = np.array([n == name for n in names]) & ~np.isnan(scores) & (iw > 0)
        if not cols.any():
            continue
        score = float(np.average(scores[cols], weights=iw[cols]))
        out.append(Theme(name, score, float((scores[cols] * share[cols]).sum()), bool(synthetic[cols].any())))
    return out


def sentence(high_risk: bool, themes: list[Theme]) -> str:
    """The one-line reason: what raises the risk most, and what is good here."""
    raising = sorted((t for t in themes if t.score >= RAISES), key=lambda t: -t.adds)[:2]
    good = sorted((t for t in themes if t.score <= GOOD), key=lambda t: t.score)[:1]
    words = " and ".join(THEMES.get(t.name, (t.name, ""))[0] for t in raising)
    if high_risk:
        text = f"High risk mainly because of {words}" if raising else "High risk, with no one input standing out"
    else:
        text = f"Lower risk, although {words} {'raise' if len(raising) > 1 else 'raises'} it here" if raising \
            else "Lower risk, with no input high here"
    if good:
        t = good[0]
        text += "; " + THEMES.get(t.name, ("", f"{t.name} is low here"))[1]
    shown = [t.name for t in raising + good if t.illustrative]
    if shown:
        text += f" (the {' and '.join(THEMES.get(n, (n,))[0] for n in shown)} figures are illustrative)"
    return text + "."
