"""The `[inclusion]` table of a workspace's observatory.toml, and weight files.

The index follows Greater Manchester Combined Authority's Digital Exclusion Risk Index (DERI,
versions 1.2 onwards; methodology under the Open Government Licence): indicators per LSOA, each
scaled 0-10 by min-max within a comparison area, weighted into components, components weighted
into the index. Indicators, directions, components, weights and substitutes are the workspace's
choice and are written down here; an indicator the workspace cannot source is listed under
`[[inclusion.missing]]` so that every output says it is missing, never silently.

Weights are whole or decimal numbers >= 0 (the publisher uses integers 0-10). A weights file
(`--weights FILE`, TOML) overrides any of them:

    [components]
    broadband = 5
    [indicators]
    aged_75_plus = 8
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError
from .keys import unknown_keys
from .toml import read_toml

COMPARISONS = ("lad", "ca", "england")
DIRECTIONS = ("higher", "lower")  # higher (or lower) values mean more risk
SOURCES = ("census", "imd", "store")
_KEYS = {
    "comparison", "high_risk_share", "hub_distance_m", "baseline", "population", "deprivation",
    "population_england", "deprivation_england", "wards", "lsoa_changes", "sites", "hub_kinds",
    "hubs", "components", "indicators", "missing", "sensitivity_draws", "sensitivity_seed",
    "sensitivity_concentration",
}
_IND_KEYS = {"id", "label", "component", "weight", "direction", "source", "columns", "substitute_for",
             "reason", "published"}
_MISSING_KEYS = {"indicator", "component", "weight", "reason"}


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    label: str
    component: str
    weight: float
    direction: str  # "higher": a higher value means more risk; "lower": reversed scale
    source: str  # census | imd | store
    columns: tuple[str, ...]  # census: counts summed over total residents; imd: one score; store: indicator id
    published: str  # the publisher's indicator this one is (or stands in for)
    substitute_for: str | None = None
    reason: str | None = None

    @property
    def is_substitute(self) -> bool:
        return self.substitute_for is not None


@dataclass(frozen=True)
class MissingSpec:
    indicator: str
    component: str
    weight: float
    reason: str


@dataclass(frozen=True)
class Weights:
    components: dict[str, float]
    indicators: dict[str, float]
    source: str = "the workspace configuration"

    def key(self) -> tuple:
        return (tuple(sorted(self.components.items())), tuple(sorted(self.indicators.items())))


@dataclass(frozen=True)
class InclusionConfig:
    config: Path
    root: Path
    indicators: tuple[IndicatorSpec, ...]
    components: dict[str, float]
    missing: tuple[MissingSpec, ...]
    comparison: str
    high_risk_share: float
    hub_distance_m: float
    baseline: Path
    population: Path
    deprivation: Path
    wards: Path
    population_england: Path | None = None
    deprivation_england: Path | None = None
    lsoa_changes: Path | None = None
    sites: Path | None = None
    hub_kinds: tuple[str, ...] = ("library", "community_centre")
    hubs: Path | None = None
    sensitivity_draws: int = 1000
    sensitivity_seed: int = 20250701
    sensitivity_concentration: float = 20.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    @property
    def component_names(self) -> list[str]:
        return list(self.components)

    def default_weights(self) -> Weights:
        return Weights(dict(self.components), {i.id: i.weight for i in self.indicators})


def require(inclusion: InclusionConfig | None, config: Path) -> InclusionConfig:
    """The workspace's inclusion settings, or a ConfigError saying how to add them."""
    if inclusion is None:
        raise ConfigError(
            f"{config}: no [inclusion] table, so there is no exclusion-risk index for this workspace. "
            "Uncomment the [inclusion] block `observatory init` wrote in observatory.toml (it names each file to "
            "download: the Census 2021 population and the English indices of deprivation by LSOA, the LSOA to ward "
            "lookup) and add LSOA boundaries ([boundaries.lsoa]) and Ofcom's output-area file."
        )
    return inclusion


def parse(config: Path, table: dict[str, Any]) -> InclusionConfig:
    where = "[inclusion]"
    unknown_keys(config, where, set(table), _KEYS)
    root = config.parent

    def path(key: str, required: bool = True) -> Path | None:
        value = table.get(key)
        if value is None:
            if required:
                raise ConfigError(f"{config}: {where} needs '{key}' (a file path relative to the workspace).")
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{config}: {where}.{key} must be a file path (a string).")
        p = (root / value).resolve()
        if key != "baseline" and not p.is_file():
            raise ConfigError(f"{config}: {where}.{key} = '{value}' does not exist (looked for {p}). "
                              "Fix the path (relative to the workspace folder) or add the file.")
        return p

    components = table.get("components")
    if not isinstance(components, dict) or not components:
        raise ConfigError(f"{config}: [inclusion.components] is missing: give each component its weight, "
                          "e.g. demography = 3.")
    comp = {k: _weight(config, f"[inclusion.components].{k}", v) for k, v in components.items()}
    indicators = []
    seen: set[str] = set()
    for n, spec in enumerate(table.get("indicators", []), start=1):
        indicators.append(_indicator(config, n, spec, comp, seen))
    if not indicators:
        raise ConfigError(f"{config}: [inclusion] has no [[inclusion.indicators]]. Add at least one.")
    missing = []
    for n, spec in enumerate(table.get("missing", []), start=1):
        w = f"[[inclusion.missing]] number {n}"
        unknown_keys(config, w, set(spec), _MISSING_KEYS)
        for key in ("indicator", "component", "reason"):
            if not isinstance(spec.get(key), str) or not spec[key]:
                raise ConfigError(f"{config}: {w} needs '{key}' (text).")
        missing.append(MissingSpec(spec["indicator"], spec["component"],
                                   _weight(config, f"{w}.weight", spec.get("weight", 0)), spec["reason"]))
    comparison = table.get("comparison", "ca")
    if comparison not in COMPARISONS:
        raise ConfigError(f"{config}: {where}.comparison = '{comparison}': use one of {', '.join(COMPARISONS)}.")
    share = table.get("high_risk_share", 0.1)
    if not isinstance(share, int | float) or not 0 < share < 1:
        raise ConfigError(f"{config}: {where}.high_risk_share must be a fraction between 0 and 1 (e.g. 0.1 "
                          "for the top 10%).")
    distance = table.get("hub_distance_m", 1000)
    if not isinstance(distance, int | float) or distance <= 0:
        raise ConfigError(f"{config}: {where}.hub_distance_m must be a distance in metres above 0.")
    kinds = table.get("hub_kinds", ["library", "community_centre"])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise ConfigError(f"{config}: {where}.hub_kinds must be a list of amenity types, e.g. [\"library\"].")
    draws = table.get("sensitivity_draws", 1000)
    if not isinstance(draws, int) or not 10 <= draws <= 100_000:
        raise ConfigError(f"{config}: {where}.sensitivity_draws must be a whole number from 10 to 100000.")
    cfg = InclusionConfig(
        config=config, root=root, indicators=tuple(indicators), components=comp, missing=tuple(missing),
        comparison=comparison, high_risk_share=float(share), hub_distance_m=float(distance),
        baseline=path("baseline") or root / "inclusion-baseline.json",
        population=path("population"), deprivation=path("deprivation"), wards=path("wards"),
        population_england=path("population_england", False), deprivation_england=path("deprivation_england", False),
        lsoa_changes=path("lsoa_changes", False), sites=path("sites", False), hub_kinds=tuple(kinds),
        hubs=path("hubs", False), sensitivity_draws=draws,
        sensitivity_seed=int(table.get("sensitivity_seed", 20250701)),
        sensitivity_concentration=float(table.get("sensitivity_concentration", 20.0)),
    )
    validate(cfg, cfg.default_weights(), str(config))
    return cfg


def _indicator(config: Path, n: int, spec: dict[str, Any], comp: dict[str, float], seen: set[str]) -> IndicatorSpec:
    w = f"[[inclusion.indicators]] number {n}"
    unknown_keys(config, w, set(spec), _IND_KEYS)
    ident = spec.get("id")
    if not isinstance(ident, str) or not ident.isidentifier():
        raise ConfigError(f"{config}: {w} needs an 'id' of letters, digits and underscores (e.g. aged_75_plus).")
    if ident in seen:
        raise ConfigError(f"{config}: {w}: id '{ident}' is used twice. Give each indicator its own id.")
    seen.add(ident)
    w = f"{w} ('{ident}')"
    component = spec.get("component")
    if component not in comp:
        raise ConfigError(f"{config}: {w}: component '{component}' is not in [inclusion.components] "
                          f"({', '.join(comp)}).")
    direction = spec.get("direction", "higher")
    if direction not in DIRECTIONS:
        raise ConfigError(f"{config}: {w}: direction '{direction}': use 'higher' (a higher value means more "
                          "risk) or 'lower' (a lower value means more risk; the scale is reversed).")
    source = spec.get("source")
    if source not in SOURCES:
        raise ConfigError(f"{config}: {w}: source '{source}': use one of {', '.join(SOURCES)}.")
    columns = spec.get("columns")
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise ConfigError(f"{config}: {w} needs 'columns': the column(s) of the {source} file (or the store's "
                          "indicator id) it is read from.")
    if source != "census" and len(columns) != 1:
        raise ConfigError(f"{config}: {w}: a {source} indicator reads one column; only census counts are summed.")
    substitute = spec.get("substitute_for")
    reason = spec.get("reason")
    if substitute is not None and not reason:
        raise ConfigError(f"{config}: {w} is a substitute for '{substitute}' but gives no 'reason'. "
                          "Say why it stands in (it is shown on the methodology page).")
    label = spec.get("label", ident)
    return IndicatorSpec(
        id=ident, label=label, component=component, weight=_weight(config, f"{w}.weight", spec.get("weight", 1)),
        direction=direction, source=source, columns=tuple(columns),
        published=spec.get("published", substitute or label), substitute_for=substitute, reason=reason,
    )


def _weight(config: Path | str, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{config}: {where} = {value!r} is not a number. Weights are numbers >= 0 (e.g. 0 to 10).")
    if value < 0:
        raise ConfigError(f"{config}: {where} = {value:g} is negative. Weights are numbers >= 0 (0 leaves it out).")
    return float(value)


# --- weights ---------------------------------------------------------------------------------

def validate(cfg: InclusionConfig, weights: Weights, where: str) -> Weights:
    """Weights every indicator and component can be combined with: none negative, and not all
    zero (overall, or within a component that still carries weight)."""
    if not any(weights.components.get(c, 0) > 0 for c in cfg.components):
        raise ConfigError(f"{where}: every component weight is zero, so there is no index. Give at least one "
                          f"component ({', '.join(cfg.components)}) a weight above 0.")
    for c, cw in weights.components.items():
        members = [i.id for i in cfg.indicators if i.component == c]
        if cw > 0 and not any(weights.indicators.get(i, 0) > 0 for i in members):
            raise ConfigError(f"{where}: component '{c}' has weight {cw:g} but all its indicators "
                              f"({', '.join(members) or 'none sourced'}) have weight 0. Give one of them a weight "
                              f"above 0, or set the component's weight to 0.")
    return weights


def load_weights(cfg: InclusionConfig, file: str | Path) -> Weights:
    """A weights file (TOML: [components] and [indicators] tables of numbers) over the defaults."""
    path = Path(file)
    if not path.is_file():
        raise InputError(path, "the weights file does not exist.", fix="Give the path of a TOML file with "
                         "[components] and/or [indicators] tables.")
    try:
        data = read_toml(path)
    except ConfigError as exc:
        raise InputError(path, str(exc).removeprefix(f"{path}: "), expected="[components] and [indicators] "
                         "tables of numbers, e.g. broadband = 5") from None
    extra = set(data) - {"components", "indicators"}
    if extra:
        raise InputError(path, f"unknown table '{sorted(extra)[0]}'.", expected="only [components] and [indicators]")
    return apply(cfg, data.get("components", {}), data.get("indicators", {}), str(path))


def apply(cfg: InclusionConfig, components: dict[str, Any], indicators: dict[str, Any], where: str) -> Weights:
    """Defaults overridden by the given weights; each key and value checked (ConfigError naming both)."""
    base = cfg.default_weights()
    comp, ind = dict(base.components), dict(base.indicators)
    for table, given, known, noun in (("components", components, comp, "component"),
                                      ("indicators", indicators, ind, "indicator")):
        if not isinstance(given, dict):
            raise ConfigError(f"{where}: [{table}] must be a table of {noun} = weight.")
        for key, value in given.items():
            if key not in known:
                hint = difflib.get_close_matches(key, list(known), n=1)
                did = f" Did you mean '{hint[0]}'?" if hint else ""
                missing = [m.indicator for m in cfg.missing] if noun == "indicator" else []
                note = " (it is a missing indicator: it has no data here)" if key in missing else ""
                raise ConfigError(f"{where}: [{table}] {key}: unknown {noun}{note}.{did} Known: {', '.join(known)}.")
            known[key] = _weight(where, f"[{table}] {key}", value)
    return validate(cfg, Weights(comp, ind, where), where)


def with_weights(cfg: InclusionConfig, weights: Weights) -> InclusionConfig:
    """The configuration with other default weights (for a baseline taken under them)."""
    inds = tuple(replace(i, weight=weights.indicators[i.id]) for i in cfg.indicators)
    return replace(cfg, indicators=inds, components=dict(weights.components))
