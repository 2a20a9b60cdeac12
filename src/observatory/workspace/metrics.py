"""Metric definitions, read from the workspace's configuration.

observatory.toml names the file:

    [metrics]
    file = "metrics.toml"

and that file holds the framework (the strategy's priorities and the life stages of the city's
ambition, as configurable lists), the coverage forecasts wanted, and one `[[metric]]` table per
metric. Everything is checked when it is read: a mistake is a ConfigError naming the file, the
metric and the key, and how to fix it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ConfigError, NotFoundError
from .keys import unknown_keys
from .programme import ProgrammeConfig
from .toml import read_toml

DIRECTIONS = ("higher", "lower")
SOURCE_KINDS = ("store", "records", "entered")
RECORD_FIGURES = ("programme_sites_lit", "scr_providers_live", "actions_done")
# Figures whose target is set elsewhere in the workspace, once: the programme's sites lit ([programme]).
PROGRAMME_FIGURE = "programme_sites_lit"
# `area` of a store source may be a GSS code, or one of these words (expanded from [workspace]).
AREA_WORDS = ("region", "each district")

_TOP = {"framework", "target", "metric"}
_FRAMEWORK = {"label", "priorities", "cross_cutting", "life_stages"}
_METRIC = {"id", "title", "description", "priority", "life_stage", "owner", "unit", "direction",
           "baseline", "target", "tolerance", "source"}
_TARGET = {"indicator", "value", "date", "tolerance", "label", "areas"}


@dataclass(frozen=True)
class Point:
    value: float | None
    date: date


@dataclass(frozen=True)
class Source:
    kind: str  # store | records | entered
    indicator: str | None = None
    area: str | None = None
    figure: str | None = None

    def describe(self) -> str:
        if self.kind == "store":
            return f"store indicator {self.indicator} for {self.area}, every release"
        if self.kind == "records":
            return f"records database figure {self.figure}"
        return "values entered in the records database (audited)"


@dataclass(frozen=True)
class Metric:
    id: str
    title: str
    priority: str
    life_stage: str
    owner: str
    unit: str
    direction: str  # higher | lower
    target: Point
    source: Source
    description: str = ""
    baseline: Point | None = None
    tolerance: float = 0.0

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


@dataclass(frozen=True)
class Target:
    """A coverage indicator's target: the one place a target is set. Every view (overview, area
    profiles, map, metrics, API, annual update) reads it from here; a store metric of the
    indicator takes its target and tolerance from it. `areas` holds the values of areas whose
    target differs from `value`."""

    indicator: str
    value: float
    date: date
    tolerance: float = 0.0
    label: str = ""
    areas: tuple[tuple[str, float], ...] = ()

    def value_for(self, code: str | None) -> float:
        return dict(self.areas).get(code or "", self.value)


@dataclass(frozen=True)
class Framework:
    """The configurable lists. `label` says whose lists they are (the demo's, or the council's)."""

    priorities: tuple[str, ...]
    cross_cutting: tuple[str, ...]
    life_stages: tuple[str, ...]
    label: str = ""

    @property
    def all_priorities(self) -> tuple[str, ...]:
        return self.priorities + self.cross_cutting


@dataclass
class MetricsConfig:
    file: Path
    framework: Framework
    metrics: list[Metric] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def target(self, indicator: str) -> Target | None:
        """The target of a coverage indicator, or None where the strategy sets none."""
        return next((t for t in self.targets if t.indicator == indicator), None)

    def get(self, metric_id: str) -> Metric:
        for m in self.metrics:
            if m.id == metric_id:
                return m
        hint = difflib.get_close_matches(metric_id, [m.id for m in self.metrics], n=1)
        did = f" Did you mean '{hint[0]}'?" if hint else ""
        raise NotFoundError(f"No metric '{metric_id}' in {self.file.name}.{did} "
                            "See `observatory metrics` for the list.")


# --- reading ---------------------------------------------------------------------------------

def parse_section(config: Path, table: Any, region: str | None = None, districts: tuple[str, ...] = (),
                  programme: ProgrammeConfig | None = None) -> MetricsConfig | None:
    """The `[metrics]` table of observatory.toml (None when the workspace defines no metrics): it
    names the file of metric definitions, which is read and checked here too. `region` and
    `districts` expand the area words "region" and "each district" of store sources."""
    if table is None:
        return None
    if not isinstance(table, dict) or not isinstance(table.get("file"), str) or not table["file"]:
        raise ConfigError(f'{config}: [metrics] needs file = "metrics.toml" (the file of metric definitions, '
                          "relative to the workspace folder).")
    unknown = set(table) - {"file"}
    if unknown:
        raise ConfigError(f"{config}: unknown key '{sorted(unknown)[0]}' in [metrics]. Allowed keys: file.")
    path = (config.parent / table["file"]).resolve()
    if not path.is_file():
        raise ConfigError(f"{config}: [metrics] file = '{table['file']}' does not exist (looked for {path}). "
                          "Fix the path (relative to the workspace folder) or add the file.")
    return parse_file(path, region, districts, programme)


def parse_file(path: Path, region: str | None = None, districts: tuple[str, ...] = (),
               programme: ProgrammeConfig | None = None) -> MetricsConfig:
    return parse(path, read_toml(path), region, districts, programme)


def parse(path: Path, data: dict[str, Any], region: str | None = None,
          districts: tuple[str, ...] = (), programme: ProgrammeConfig | None = None) -> MetricsConfig:
    fw = data.get("framework")
    if not isinstance(fw, dict):
        raise ConfigError(f"{path}: needs a [framework] table with priorities, cross_cutting and life_stages "
                          "(lists of names).")
    unknown_keys(path, "[framework]", fw, _FRAMEWORK)
    framework = Framework(
        priorities=_names(path, fw, "priorities", required=True),
        cross_cutting=_names(path, fw, "cross_cutting"),
        life_stages=_names(path, fw, "life_stages", required=True),
        label=str(fw.get("label", "")),
    )
    if "forecast" in data:
        raise ConfigError(f"{path}: [[forecast]] tables are now [[target]] tables (indicator, value, date, "
                          "tolerance, label): rename each, and write target = N as value = N. Every coverage "
                          "target is set once there and read by every page.")
    unknown_keys(path, "the top level", data, _TOP)
    targets = _targets(path, data)
    if programme is not None and programme.has_target:
        # the programme's target is [programme]'s (sites lit by its target date), read from there
        targets[PROGRAMME_FIGURE] = Target(PROGRAMME_FIGURE, float(programme.target), programme.target_date)
    metrics: list[Metric] = []
    seen: set[str] = set()
    for i, spec in enumerate(_tables(path, data, "metric"), start=1):
        for m in _expand(_metric(path, i, spec, framework, targets), region, districts):
            if m.source.kind == "store" and m.source.indicator in targets:
                t = targets[m.source.indicator]  # an area whose target differs
                m = replace(m, target=Point(t.value_for(m.source.area), t.date))
            if m.id in seen:
                raise ConfigError(f"{path}: metric id '{m.id}' is used twice. Give each metric its own id.")
            seen.add(m.id)
            metrics.append(m)
    return MetricsConfig(path, framework, metrics, [t for k, t in targets.items() if k != PROGRAMME_FIGURE])


def _tables(path: Path, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{path}: '{key}' must be written as [[{key}]] tables.")
    return value


def _names(path: Path, table: dict[str, Any], key: str, required: bool = False) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{path}: [framework].{key} must be a list of names, e.g. {key} = [\"...\", \"...\"].")
    if required and not value:
        raise ConfigError(f"{path}: [framework].{key} is empty. List at least one.")
    if len(set(value)) != len(value):
        raise ConfigError(f"{path}: [framework].{key} names one entry twice.")
    return tuple(v.strip() for v in value)


def _day(path: Path, where: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31)  # a bare year means by the end of that year
        if len(parts) == 2:
            # a month means by its last day
            nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(*parts)
    except (ValueError, TypeError):
        raise ConfigError(f"{path}: {where} = '{text}' is not a date. Write YYYY-MM-DD, YYYY-MM or YYYY "
                          '(e.g. "2030-12-31").') from None


def _number(path: Path, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: {where} = {value!r} is not a number. Write it without quotes or units.")
    return float(value)


def _point(path: Path, where: str, value: Any, need_value: bool) -> Point:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where} must be a table, e.g. {{ value = 99, date = \"2030-12-31\" }}.")
    unknown_keys(path, where, value, {"value", "date"})
    if "date" not in value:
        raise ConfigError(f"{path}: {where} has no date. A {where.split('.')[-1]} needs the date it applies to: "
                          'add date = "YYYY-MM-DD".')
    if "value" not in value and need_value:
        raise ConfigError(f"{path}: {where} has no value. Add value = NUMBER.")
    v = _number(path, f"{where}.value", value["value"]) if "value" in value else None
    return Point(v, _day(path, f"{where}.date", value["date"]))


def _source(path: Path, where: str, spec: Any) -> Source:
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ConfigError(f"{path}: {where} must be a table with kind = \"store\", \"records\" or \"entered\".")
    kind = spec["kind"]
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{path}: {where}.kind = '{kind}' is not known. Use one of: {', '.join(SOURCE_KINDS)}.")
    if kind == "store":
        unknown_keys(path, where, spec, {"kind", "indicator", "area"})
        for key in ("indicator", "area"):
            if not isinstance(spec.get(key), str) or not spec[key]:
                raise ConfigError(f"{path}: {where} (kind store) needs {key} = \"...\" (an indicator id such as "
                                  "gigabit; an area's nine-character ONS code, or \"region\" or \"each district\").")
        return Source("store", indicator=spec["indicator"], area=spec["area"])
    if kind == "records":
        unknown_keys(path, where, spec, {"kind", "figure"})
        if spec.get("figure") == "programme_premises_in_reach":
            raise ConfigError(f"{path}: {where}.figure = 'programme_premises_in_reach' is not a records figure: "
                              "reach is computed once, into the store. Use source = { kind = \"store\", "
                              "indicator = \"backbone_reach\", area = \"region\" }.")
        if spec.get("figure") not in RECORD_FIGURES:
            raise ConfigError(f"{path}: {where}.figure = '{spec.get('figure')}' is not a records figure. "
                              f"Use one of: {', '.join(RECORD_FIGURES)}.")
        return Source("records", figure=spec["figure"])
    unknown_keys(path, where, spec, {"kind"})
    return Source("entered")


def _metric(path: Path, i: int, spec: dict[str, Any], fw: Framework, targets: dict[str, Target]) -> Metric:
    mid = spec.get("id")
    if not isinstance(mid, str) or not mid.strip() or not all(c.isalnum() or c in "-_" for c in mid):
        raise ConfigError(f"{path}: [[metric]] number {i} needs id = \"...\" (letters, digits, - and _).")
    where = f"metric '{mid}'"
    unknown_keys(path, where, spec, _METRIC)
    for key in ("title", "priority", "life_stage", "unit", "direction", "source"):
        if key not in spec:
            raise ConfigError(f"{path}: {where} needs '{key}'. Add it.")
    if spec["priority"] not in fw.all_priorities:
        hint = difflib.get_close_matches(str(spec["priority"]), fw.all_priorities, n=1)
        did = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ConfigError(f"{path}: {where}.priority = '{spec['priority']}' is not a priority in [framework].{did} "
                          f"Priorities: {', '.join(fw.all_priorities)}.")
    if spec["life_stage"] not in fw.life_stages:
        raise ConfigError(f"{path}: {where}.life_stage = '{spec['life_stage']}' is not a life stage in [framework]. "
                          f"Life stages: {', '.join(fw.life_stages)}.")
    if spec["direction"] not in DIRECTIONS:
        raise ConfigError(f"{path}: {where}.direction = '{spec['direction']}' is not known. "
                          "Use \"higher\" (higher is better) or \"lower\" (lower is better).")
    source = _source(path, f"{where}.source", spec["source"])
    set_once = (targets.get(source.indicator or "") if source.kind == "store"
                else targets.get(PROGRAMME_FIGURE) if source.figure == PROGRAMME_FIGURE else None)
    if set_once is not None and source.kind == "store":
        # a coverage indicator's target is set once, in its [[target]], so that no page can show another
        for key in ("target", "tolerance"):
            if key in spec:
                raise ConfigError(f"{path}: {where} sets {key}, but the indicator '{source.indicator}' has its "
                                  "target in a [[target]] table, which every page reads. Remove "
                                  f"{key} from the metric (change the [[target]] instead).")
        spec = {**spec, "target": {"value": set_once.value, "date": set_once.date},
                "tolerance": set_once.tolerance}
    elif set_once is not None:
        if "target" in spec:
            raise ConfigError(f"{path}: {where} sets target, but the programme's target is set in observatory.toml's "
                              "[programme] table (target, target_date), which the programme pages read. Remove "
                              "target from the metric (change [programme] instead).")
        spec = {**spec, "target": {"value": set_once.value, "date": set_once.date}}
    elif source.figure == PROGRAMME_FIGURE:
        # never a metric's own target, nor one the code would invent: the programme's is set once, in [programme]
        raise ConfigError(f"{path}: {where} counts the programme's sites lit, but observatory.toml sets no programme "
                          "target. Add target (the sites to light), start_date and target_date to its [programme] "
                          "table, or remove this metric until the programme has a target.")
    elif "target" not in spec:
        hint = (f" or add a [[target]] for indicator = \"{source.indicator}\"" if source.kind == "store" else "")
        raise ConfigError(f"{path}: {where} needs 'target' = {{ value = N, date = \"YYYY-MM-DD\" }}{hint}.")
    target = _point(path, f"{where}.target", spec["target"], need_value=True)
    baseline = None
    if "baseline" in spec:
        # a store or records metric may take its baseline value from the series at that date
        baseline = _point(path, f"{where}.baseline", spec["baseline"], need_value=source.kind == "entered")
        if baseline.date >= target.date:
            raise ConfigError(f"{path}: {where}.baseline.date ({baseline.date}) is not before target.date "
                              f"({target.date}). The baseline is where the metric started.")
    tolerance = _number(path, f"{where}.tolerance", spec.get("tolerance", 0))
    if tolerance < 0:
        raise ConfigError(f"{path}: {where}.tolerance is negative. Give how far short of the target is still amber.")
    unit = str(spec["unit"])
    if unit == "%" and not 0 <= target.value <= 100:
        raise ConfigError(f"{path}: {where}.target.value = {target.value:g} is not a percentage (0 to 100).")
    return Metric(id=mid, title=str(spec["title"]), priority=spec["priority"], life_stage=spec["life_stage"],
                  owner=str(spec.get("owner", "")), unit=unit, direction=spec["direction"], target=target,
                  source=source, description=str(spec.get("description", "")), baseline=baseline,
                  tolerance=tolerance)


def _expand(m: Metric, region: str | None, districts: tuple[str, ...]) -> list[Metric]:
    """A store metric for "region" or "each district" becomes one metric per area (id-CODE)."""
    if m.source.kind != "store" or m.source.area not in AREA_WORDS:
        return [m]
    codes = [region] if m.source.area == "region" else list(districts)
    if not codes or codes == [None]:
        raise ConfigError(f"metric '{m.id}': source.area = '{m.source.area}' needs [workspace] region_code and "
                          "districts in observatory.toml.")
    if m.source.area == "region":
        return [replace(m, source=replace(m.source, area=region))]
    return [replace(m, id=f"{m.id}-{code}", source=replace(m.source, area=code)) for code in codes]


def _targets(path: Path, data: dict[str, Any]) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for i, spec in enumerate(_tables(path, data, "target"), start=1):
        where = f"[[target]] number {i}"
        unknown_keys(path, where, spec, _TARGET)
        for key in ("indicator", "value", "date"):
            if key not in spec:
                raise ConfigError(f"{path}: {where} needs '{key}' (e.g. indicator = \"gigabit\", value = 99, "
                                  'date = "2030-12").')
        indicator = str(spec["indicator"])
        if indicator in out:
            raise ConfigError(f"{path}: indicator '{indicator}' has two [[target]] tables. Keep one; give areas "
                              "whose target differs their own value under areas = { CODE = N }.")
        value = _percent(path, f"{where}.value", spec["value"])
        areas = spec.get("areas", {})
        if not isinstance(areas, dict):
            raise ConfigError(f"{path}: {where}.areas must be a table of area codes, each a district's code and its value, e.g. areas = {{ CODE = 98 }}.")
        tolerance = _number(path, f"{where}.tolerance", spec.get("tolerance", 0))
        if tolerance < 0:
            raise ConfigError(f"{path}: {where}.tolerance is negative. Give how far short of the target is still amber.")
        out[indicator] = Target(
            indicator, value, _day(path, f"{where}.date", spec["date"]), tolerance, str(spec.get("label", "")),
            tuple((str(code), _percent(path, f"{where}.areas.{code}", v)) for code, v in areas.items()))
    return out


def _percent(path: Path, where: str, value: Any) -> float:
    number = _number(path, where, value)
    if not 0 < number < 100:
        raise ConfigError(f"{path}: {where} = {number:g}: a coverage target is a percentage above 0 and below 100 "
                          "(a logistic trend never reaches 100 exactly).")
    return number
