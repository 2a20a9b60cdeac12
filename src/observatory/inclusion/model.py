"""The index for one workspace: raw values read once, scaled per level, comparison area and mode
(cached), combined for any weights in well under a millisecond."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, ObservatoryError
from ..once import Once
from ..store import Store
from ..workspace import Workspace
from ..workspace.inclusion import COMPARISONS, InclusionConfig, Weights, require
from . import hubs as hubs_mod
from . import index as idx
from . import indicators as raw_mod
from . import sensitivity as sens_mod
from .aggregate import LEVELS, LevelData, aggregate

MODES = ("relative", "absolute")
ENGLAND = "E92000001"
ILLUSTRATIVE_GAPS = (
    "The coverage gaps below district level in this example workspace are illustrative: the output-area coverage "
    "file is synthetic (district totals equal Ofcom's real figures), so the broadband component of "
    "LSOA and ward scores is not a statement about real places."
)
CAUTIONS = (
    "This is a relative index: it shows where exclusion is more likely than elsewhere in the comparison "
    "area. Do not set targets for an area's score or read a change in score as change over time: a score "
    "moves when people move or when other areas change (the publisher's caution). The absolute mode, "
    "against bounds saved from a baseline, is this observatory's addition for comparing years.",
    "It is a likelihood, not a count of digitally excluded people. Pair it with impact (where priority "
    "groups such as people aged 75 and over live) and with local knowledge before investing.",
    "Some inputs overlap: the IMD score is itself a composite of the domains used as substitutes, and age "
    "correlates with income deprivation affecting older people. Weights can double count.",
    "Indicators differ in recency: Census 2021 (March 2021), IMD 2025 (mostly 2022-23 data), coverage as "
    "of its release month.",
)


@dataclass
class Scaled:
    scores: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    effective: list[str]  # per indicator: the comparison area actually used
    groups: list[np.ndarray]  # per indicator: each area's comparison-area code
    notes: list[str]
    outside: int = 0


@dataclass
class LeftOut:
    """The list recomputed with some inputs left out (weight 0, nothing rescaled): each area's
    index, rank within its comparison group and whether it would still be high risk."""

    label: str
    indicators: list[str]
    index: np.ndarray
    rank: np.ndarray
    high_risk: np.ndarray


@dataclass
class Result:
    level: str
    comparison: str
    mode: str
    weights: Weights
    data: LevelData
    scaled: Scaled
    combined: idx.Combined
    high_risk: np.ndarray
    model: Model
    sensitivity: sens_mod.Sensitivity | None = None
    notes: list[str] = field(default_factory=list)
    # ranks are within the comparison group: each district when areas are compared within each
    # district ("rank 3 of 30 wards in Bradford"), else the whole region
    rank: np.ndarray | None = None
    of: np.ndarray | None = None
    group: np.ndarray | None = None  # per area: the code of the group it is ranked in
    group_names: dict[str, str] = field(default_factory=dict)
    domain_out: dict[str, LeftOut] = field(default_factory=dict)  # per component left out
    without_illustrative: LeftOut | None = None  # None when no input is illustrative
    illustrative_inputs: np.ndarray | None = None  # per area: rests on an illustrative input at all


class Model:
    def __init__(self, ws: Workspace, cfg: InclusionConfig, raw: raw_mod.Raw) -> None:
        self.ws, self.cfg, self.raw = ws, cfg, raw
        self.levels = {lv: aggregate(raw, lv) for lv in LEVELS}
        self.component_names = cfg.component_names
        self.component_of = np.array([self.component_names.index(i.component) for i in cfg.indicators])
        self.reverse = np.array([i.direction == "lower" for i in cfg.indicators])
        self._scaled: dict[tuple[str, str, str], Scaled] = {}
        self._sens: dict[tuple, sens_mod.Sensitivity] = {}
        self._results = Once(limit=64)  # index results by settings: a visitor's weights among them
        self._lock = threading.Lock()
        self._baseline: dict[str, Any] | None = None
        self.hubs = None  # set by hubs.attach

    @classmethod
    def load(cls, ws: Workspace, store: Store) -> Model:
        cfg = require(ws.inclusion, ws.config_path)
        model = cls(ws, cfg, raw_mod.load(cfg, store))
        model.hubs = hubs_mod.attach(hubs_mod.load(cfg, store), store, model.levels["lsoa"], model.levels,
                                     model.raw.ward, model.raw.lad)
        return model

    @property
    def illustrative(self) -> bool:
        return self.raw.illustrative

    # -- scaling --------------------------------------------------------------------------
    def _groups(self, level: str, comparison: str, j: int) -> tuple[np.ndarray, str, str | None]:
        data = self.levels[level]
        spec = self.cfg.indicators[j]
        if comparison == "lad":
            if level == "lad":
                raise ConfigError("Comparing districts within a district leaves one area per comparison: use "
                                  "--compare-within ca or england at district level, or a finer --level.")
            return data.lad.astype(str), "lad", None
        region = np.full(len(data.codes), self.ws.region_code, dtype=object).astype(str)
        if comparison == "england":
            if level == "lsoa" and spec.id in self.raw.england:
                return np.full(len(data.codes), ENGLAND), "england", None
            why = ("coverage below districts exists only for the region" if spec.source == "store"
                   else "England-wide figures exist only for LSOAs" if level != "lsoa"
                   else "the workspace names no England-wide file for it")
            return region, "ca", (f"{spec.label}: no figures for the whole of England ({why}); scaled within "
                                  f"{self.ws.region_name}, the widest area that has them.")
        return region, "ca", None

    def scaled(self, level: str, comparison: str, mode: str) -> Scaled:
        if level not in LEVELS:
            raise ObservatoryError(f"Unknown level '{level}'. Levels: {', '.join(LEVELS)}.")
        if comparison not in COMPARISONS:
            raise ObservatoryError(f"Unknown comparison area '{comparison}'. Use {', '.join(COMPARISONS)}.")
        if mode not in MODES:
            raise ObservatoryError(f"Unknown mode '{mode}'. Use relative or absolute.")
        key = (level, comparison, mode)
        if key not in self._scaled:
            with self._lock:
                if key not in self._scaled:
                    self._scaled[key] = self._scale(level, comparison, mode)
        return self._scaled[key]

    def _scale(self, level: str, comparison: str, mode: str) -> Scaled:
        data = self.levels[level]
        n, k = data.values.shape
        lo, hi = np.full((n, k), np.nan), np.full((n, k), np.nan)
        effective, groups, notes = [], [], []
        base = self.baseline()["bounds"].get(level, {}).get(comparison, {}) if mode == "absolute" else None
        for j, spec in enumerate(self.cfg.indicators):
            g, eff, note = self._groups(level, comparison, j)
            effective.append(eff)
            groups.append(g)
            if note:
                notes.append(note)
            if base is not None:
                table = base.get(spec.id, {})
                pairs = np.array([table.get(code, [np.nan, np.nan]) for code in g], dtype=float).reshape(n, 2)
                lo[:, j], hi[:, j] = pairs[:, 0], pairs[:, 1]
                if np.isnan(pairs).any():
                    notes.append(f"{spec.label}: the baseline has no bounds for some comparison areas; those "
                                 "areas have no score on it.")
            elif eff == "england":
                lo[:, j], hi[:, j] = self.raw.england[spec.id]
            else:
                _, inverse = np.unique(g, return_inverse=True)
                lo[:, j], hi[:, j] = idx.group_bounds(data.values[:, j], inverse)
        scores, outside = idx.scale(data.values, lo, hi, self.reverse)
        if outside and mode == "absolute":
            notes.append(f"{outside:,} values lie outside the baseline's range and were held at 0 or 10.")
        return Scaled(scores, lo, hi, effective, groups, notes, outside)

    # -- baseline (absolute mode) ---------------------------------------------------------
    def baseline_table(self) -> dict[str, Any]:
        """Reference bounds of every level and comparison area, from the current figures."""
        bounds: dict[str, Any] = {}
        for level in LEVELS:
            for comparison in COMPARISONS:
                if level == "lad" and comparison == "lad":
                    continue
                s = self.scaled(level, comparison, "relative")
                table: dict[str, dict[str, list[float]]] = {}
                for j, spec in enumerate(self.cfg.indicators):
                    pairs = {}
                    for code, lo, hi in zip(s.groups[j], s.lo[:, j], s.hi[:, j], strict=True):
                        # JSON has no NaN: a comparison area with no figure gets null bounds
                        pairs.setdefault(str(code), [float(v) if np.isfinite(v) else None for v in (lo, hi)])
                    table[spec.id] = pairs
                bounds.setdefault(level, {})[comparison] = table
        return {
            "saved": datetime.now(UTC).isoformat(timespec="seconds"),
            "workspace": self.ws.name,
            "method": "min and max per comparison area (GMCA DERI scaling), saved for absolute mode",
            "provenance": self.raw.provenance,
            "bounds": bounds,
        }

    def save_baseline(self, path: Path | None = None) -> Path:
        path = Path(path or self.cfg.baseline)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.baseline_table(), indent=1, allow_nan=False), encoding="utf-8")
        tmp.replace(path)  # never half-written
        self._baseline = None
        return path

    def baseline(self) -> dict[str, Any]:
        if self._baseline is None:
            path = self.cfg.baseline
            if not path.is_file():
                raise ConfigError(f"Absolute mode needs reference bounds saved from a baseline, and there are none at "
                                  f"{path}. Save them with `observatory inclusion baseline` (once, for the baseline "
                                  "release), then use --mode absolute.")
            try:
                self._baseline = json.loads(path.read_text(encoding="utf-8"))
                self._baseline["bounds"]  # noqa: B018 - checked here, used later
            except (ValueError, KeyError, TypeError):
                raise ConfigError(f"{path} is not a baseline saved by `observatory inclusion baseline`. Save it "
                                  "again.") from None
        return self._baseline

    # -- combining ------------------------------------------------------------------------
    def weight_arrays(self, weights: Weights) -> tuple[np.ndarray, np.ndarray]:
        iw = np.array([weights.indicators[i.id] for i in self.cfg.indicators], dtype=float)
        cw = np.array([weights.components[c] for c in self.component_names], dtype=float)
        return iw, cw

    def compute(self, level: str = "lsoa", comparison: str | None = None, mode: str = "relative",
                weights: Weights | None = None, sensitivity: bool = False) -> Result:
        """The index of every area of a level, ranked, for these settings; kept for the last 64
        settings asked (every area profile asks for the same few), and read-only to callers."""
        comparison = comparison or self.cfg.comparison
        weights = weights or self.cfg.default_weights()
        key = (level, comparison, mode, weights.key(), sensitivity)
        # one computes it while the others asking meanwhile wait (every area profile asks for the
        # same one at once after a store swap)
        return self._results.get(key, lambda: self._compute(level, comparison, mode, weights, sensitivity))

    def _compute(self, level: str, comparison: str, mode: str, weights: Weights, sensitivity: bool) -> Result:
        s = self.scaled(level, comparison, mode)
        iw, cw = self.weight_arrays(weights)
        group, names, gint = self.rank_groups(level, comparison)
        combined = idx.combine(s.scores, iw, self.component_of, cw)
        rank, of, high = self._ranked(combined.index, gint)
        result = Result(level, comparison, mode, weights, self.levels[level], s, combined, high, self,
                        notes=list(s.notes) + self.raw.notes, rank=rank, of=of, group=group, group_names=names)
        for c, name in enumerate(self.component_names):
            if cw[c] > 0 and (cw > 0).sum() > 1:
                result.domain_out[name] = self._left_out(s, iw, np.where(np.arange(len(cw)) == c, 0.0, cw), gint,
                                                         name, [i.id for i in self.cfg.indicators if i.component == name])
        synthetic = np.array([bool(p["synthetic"]) for p in self.raw.provenance])
        used = synthetic & (iw > 0) & (cw[self.component_of] > 0)
        if used.any():
            result.illustrative_inputs = (~np.isnan(s.scores[:, used])).any(axis=1)
            if (iw[~synthetic] > 0).any():
                result.without_illustrative = self._left_out(
                    s, np.where(synthetic, 0.0, iw), cw, gint, "illustrative inputs",
                    [i.id for i, syn in zip(self.cfg.indicators, synthetic, strict=True) if syn])
        else:
            result.illustrative_inputs = np.zeros(len(rank), dtype=bool)
        if sensitivity:
            result.sensitivity = self.sensitivity(level, comparison, mode, weights)
        return result

    def rank_groups(self, level: str, comparison: str) -> tuple[np.ndarray, dict[str, str], np.ndarray]:
        """Per area, the code of the group it is ranked in (its district when areas are compared
        within each district, else the region), the groups' names, and a small integer per area."""
        data = self.levels[level]
        if comparison == "lad":
            group = data.lad.astype(str)
            names = {str(c): self.raw.lad_names.get(str(c), str(c)) for c in np.unique(group)}
        else:
            group = np.full(len(data.codes), self.ws.region_code or "region", dtype=object).astype(str)
            names = {group[0]: self.ws.region_name or "the region"} if len(group) else {}
        _, gint = np.unique(group, return_inverse=True)
        return group, names, gint

    def _ranked(self, index: np.ndarray, gint: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rank within the group, the group's size, and whether in its top share (of the areas
        that have an index)."""
        rank, of = idx.rank_within(index, gint)
        valid = np.bincount(gint, weights=(~np.isnan(index)).astype(float), minlength=int(gint.max()) + 1)
        high = idx.top_within(rank, valid[gint], self.cfg.high_risk_share) & ~np.isnan(index)
        return rank, of, high

    def _left_out(self, s: Scaled, iw: np.ndarray, cw: np.ndarray, gint: np.ndarray, label: str,
                  ids: list[str]) -> LeftOut:
        index = idx.combine(s.scores, iw, self.component_of, cw).index
        rank, _, high = self._ranked(index, gint)
        return LeftOut(label, ids, index, rank, high)

    def sensitivity(self, level: str, comparison: str, mode: str, weights: Weights) -> sens_mod.Sensitivity:
        key = (level, comparison, mode, weights.key())
        found = self._sens.get(key)
        if found is not None:
            return found
        s = self.scaled(level, comparison, mode)
        iw, cw = self.weight_arrays(weights)
        cfg = self.cfg
        result = sens_mod.analyse(s.scores, iw, self.component_of, cw, cfg.sensitivity_draws,
                                  cfg.sensitivity_seed, cfg.sensitivity_concentration, cfg.high_risk_share,
                                  groups=self.rank_groups(level, comparison)[2])
        with self._lock:  # kept for repeats of the same weights; bounded
            if len(self._sens) > 64:
                self._sens.clear()
            self._sens[key] = result
        return result
