"""Static choropleth maps for the printed report: PNG, readable in grey scale.

Each class has a grey level AND a hatch pattern, so classes stay distinct on a black-and-white
printer; where there are few areas each is labelled with its value. The worst class is the darkest
and most densely hatched ("worse looks worse"). The classes are the dashboard's
(indicators/classes.py): natural breaks, a class of its own for zero, a break at the target.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the report is drawn on servers and in CI
import numpy as np  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from shapely import wkb  # noqa: E402
from shapely.geometry import MultiPolygon, Polygon  # noqa: E402

from ..indicators.classes import class_of, classify  # noqa: E402

# Grey levels from best (light) to worst (dark) and hatches of rising density, for up to 6 classes.
GREYS = ("#f2f2f2", "#cccccc", "#a6a6a6", "#7f7f7f", "#595959", "#333333")
HATCHES = ("", "....", "///", "xxx", "\\\\\\\\", "xxxx")


def classes(values: list[float], lower_is_better: bool,
            target: float | None = None) -> tuple[list[int], list[tuple[float, float, int]]]:
    """Each value's class and the classes (lowest member, highest member, count), best first: the
    dashboard's classification (indicators.classes), so a printed map and the dashboard's map of
    the same figures have the same breaks."""
    legend = classify(values, "lower-is-better" if lower_is_better else "higher-is-better", target)
    order = [e["class"] for e in legend]
    if not lower_is_better:
        order.reverse()  # best first: the highest class when higher is better
    position = {c: i for i, c in enumerate(order)}
    labels = [position[class_of(v, legend)] for v in values]
    bounds = []
    for c in order:
        members = [v for v, lab in zip(values, labels, strict=True) if lab == position[c]]
        bounds.append((float(min(members)), float(max(members)), len(members)))
    return labels, bounds


def _patches(geom: Any) -> list[MplPath]:
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []
    paths = []
    for poly in polys:
        rings = [poly.exterior, *poly.interiors]
        verts = np.concatenate([np.asarray(r.coords)[:, :2] for r in rings])
        codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r.coords) - 2) + [MplPath.CLOSEPOLY]
                                for r in rings])
        paths.append(MplPath(verts, codes))
    return paths


def choropleth(shapes: list[tuple[str, bytes]], values: dict[str, float], names: dict[str, str],
               lower_is_better: bool, label_areas: bool, width_in: float = 6.3,
               target: float | None = None,
               outlines: list[tuple[str, bytes]] | None = None) -> tuple[bytes, list[dict[str, Any]]]:
    """A PNG of the areas in `values` and its legend rows (range, count, grey, hatch).

    `outlines` (name, WKB) are larger areas drawn over the map in heavy lines and named (the
    districts over a map of wards), so a reader can find their own ward."""
    geoms = {code: wkb.loads(blob) for code, blob in shapes if code in values}
    codes = list(values)
    labels, bounds = classes([values[c] for c in codes], lower_is_better, target)
    klass = dict(zip(codes, labels, strict=True))
    # the worst class takes the darkest grey and densest hatch, however many classes there are
    shade = [round(i * (len(GREYS) - 1) / (len(bounds) - 1)) for i in range(len(bounds))] if len(bounds) > 1 else [0]
    fig, ax = plt.subplots(figsize=(width_in, width_in * 0.62), dpi=170)
    for code, geom in geoms.items():
        c = shade[klass[code]]
        for path in _patches(geom):
            ax.add_patch(PathPatch(path, facecolor=GREYS[c], hatch=HATCHES[c], edgecolor="#000000",
                                   linewidth=0.6 if label_areas else 0.2))
        if label_areas:
            p = geom.representative_point()
            ax.annotate(f"{names.get(code, code)}\n{values[code]:.1f}%", (p.x, p.y), ha="center", va="center",
                        fontsize=7, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "black", "lw": 0.4})
    for name, blob in outlines or []:
        geom = wkb.loads(blob)
        for path in _patches(geom):
            ax.add_patch(PathPatch(path, facecolor="none", edgecolor="white", linewidth=3.2, zorder=3))
            ax.add_patch(PathPatch(path, facecolor="none", edgecolor="#000000", linewidth=1.6, zorder=4))
        p = geom.representative_point()
        ax.annotate(name, (p.x, p.y), ha="center", va="center", fontsize=8.5, fontweight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "black", "lw": 0.6})
    xs = [g.bounds for g in geoms.values()]
    if xs:
        ax.set_xlim(min(b[0] for b in xs), max(b[2] for b in xs))
        ax.set_ylim(min(b[1] for b in xs), max(b[3] for b in xs))
    # degrees of longitude are shorter than of latitude at ~53.7N: keep shapes true to the ground
    ax.set_aspect(1 / np.cos(np.radians(53.7)))
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.05)
    plt.close(fig)
    image = _grey_png(buf.getvalue())
    legend = [{"low": lo, "high": hi, "count": n, "grey": GREYS[shade[i]], "hatch": HATCHES[shade[i]],
               "shade": _shade_words(i, len(bounds))}
              for i, (lo, hi, n) in enumerate(bounds)]
    return image, legend


def _grey_png(png: bytes, levels: int = 32) -> bytes:
    """The map as a grey-scale PNG of a few dozen levels: the map is drawn in greys only, so
    nothing is lost, and the page that serves the report is a third of the size."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("L").quantize(levels).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _shade_words(position: int, count: int) -> str:
    """The key's words for one class's fill (best first, so lightest first): the alternative text
    of its swatch, which a tagged PDF (PDF/UA) requires of every image."""
    words = f"Shade {position + 1} of {count}"
    if count > 1 and position == 0:
        words += ", the lightest"
    elif count > 1 and position == count - 1:
        words += ", the darkest and most densely hatched"
    return words


def swatch(grey: str, hatch: str) -> bytes:
    """A small PNG of one class's fill, for the legend (HTML cannot draw matplotlib hatches)."""
    fig, ax = plt.subplots(figsize=(0.32, 0.2), dpi=170)
    ax.add_patch(plt.Rectangle((0, 0), 1, 1, facecolor=grey, hatch=hatch, edgecolor="black", linewidth=0.8))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0)
    plt.close(fig)
    return buf.getvalue()
