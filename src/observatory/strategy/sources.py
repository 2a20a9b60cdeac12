"""The values of a metric, from wherever its definition says they come from.

- store: the indicator's figure for one area in every release the store holds (a new release adds a
  value the next time the store is built). Suppressed figures are skipped; figures derived from
  synthetic input are marked illustrative.
- records: a figure counted in the records database, as a running total by the date each item got
  there: board actions done (the date of the update that marked it done), Shared Care Record
  providers live (the date their access went live); and figures a capability registers with
  `register_figure` (the application object registers the programme's sites lit, with the
  programme's own completion rate, so the metric and the programme pages give one forecast).
- entered: values people entered (strategy.models), audited.

A source that cannot give values (an indicator the store does not hold, an area it does not know,
no records database, no programme register) gives no values and the reason, never an error: the
metric's status is then "no data" with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import NotFoundError, ObservatoryError
from ..indicators.definitions import INDICATORS, containers
from ..months import day_words, month_end, year_of
from ..records import actions, register
from ..records.words import who
from ..workspace.metrics import Metric
from ..workspace.programme import ProgrammeConfig
from .forecast import RECENT
from .models import values_for
from .trajectory import Fit, fit


@dataclass
class Series:
    """A metric's values in the order they arrived: (date, value), with a row each for the data
    table (date, value, where it came from, illustrative)."""

    points: list[tuple[date, float]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None  # why there are no values
    illustrative: bool = False
    area_name: str | None = None
    provenance: str = ""
    # the figure owner's own trend, where it has one (the programme's completion rate): used
    # instead of a trend fitted here, so the metric and the owner's pages give one forecast
    fit: Fit | None = None
    # the most the figure can reach (the sites still in the programme), where that is known
    ceiling: float | None = None
    # the month the owner's own forecast reaches the metric's target (YYYY-MM), shown as it is
    reaches: str | None = None
    # what a point's date means: "release" (a publisher's snapshot month, named by its month and
    # never given a day), "quarter" (a figure as at the end of a quarter, dated at that day) or
    # "day" (an event or an entered value, on its day)
    dating: str = "day"
    # the trend of the indicator containing this one (indicators/definitions.py: full fibre within
    # gigabit-capable, ...): this one's forecast never exceeds that one's (trajectory.fit)
    within: Fit | None = None
    within_label: str = ""

    def date_words(self, d: date) -> str:
        """A point's date as a reader is told it: 'July 2025', 'the quarter to 30 September 2025',
        '3 March 2026'."""
        if self.dating == "release":
            return f"{d:%B %Y}"
        if self.dating == "quarter":
            return f"the quarter to {d.day} {d:%B %Y}"
        return f"{d.day} {d:%B %Y}"

    def in_words(self, d: date) -> str:
        """The same, after a figure: 'in July 2025', 'in the quarter to ...', 'on 3 March 2026'."""
        return ("on " if self.dating == "day" else "in ") + self.date_words(d)


def month_start(release: str) -> date:
    """The date a release is filed under: the first day of its snapshot month (a key for ordering
    and fitting; a release is named by its month, never by this day: Series.date_words)."""
    year, month = (int(p) for p in release.split("-")[:2])
    return date(year, month, 1)


# Indicators whose figures describe the last day of their month, the end of a quarter (backbone
# reach: the premises within reach of the sites lit by that day; programme/reach_figures.py).
QUARTER_END = frozenset({"backbone_reach"})


NO_RECORDS = ("the records database is not available here (run `observatory records upgrade`, or serve the "
              "dashboard from the workspace).")


def values_of(metric: Metric, store: Any | None, records: Any | None, records_reason: str | None = None,
              programme: ProgrammeConfig | None = None) -> Series:
    src = metric.source
    if src.kind == "store":
        return from_store(store, src.indicator or "", src.area or "")
    if records is None:
        return Series(reason=records_reason or NO_RECORDS)
    with records.session() as s:
        if src.kind == "entered":
            return entered(s, metric.id)
        read = RECORD_FIGURES.get(src.figure or "")
        if read is None:
            return Series(reason=f"this installation cannot count {src.figure} (nothing registered it).")
        return read(s, programme or ProgrammeConfig())


class StoreView:
    """The few store reads the metrics make, fetched in three queries for many areas at once
    (indicators, areas, every series of those areas) instead of three per metric. Unknown
    indicators and areas raise NotFoundError as the store itself does."""

    def __init__(self, store: Any, codes: list[str]) -> None:
        self.store = store
        self._indicators = {i["id"]: i for i in store.indicators()}
        codes = sorted(set(codes))
        marks = ", ".join("?" for _ in codes)
        self._areas = {a["code"]: a for a in (store.rows(
            f"SELECT code, name, level, vintage, lon, lat FROM areas WHERE code IN ({marks})", codes) if codes else [])}
        self._series: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in store.series_many(codes):
            self._series.setdefault((r["area_code"], r["indicator"]), []).append(r)

    def indicator(self, indicator_id: str) -> dict[str, Any]:
        if indicator_id not in self._indicators:
            return self.store.indicator(indicator_id)  # raises NotFoundError, naming the known ones
        return self._indicators[indicator_id]

    def area(self, code: str) -> dict[str, Any]:
        return self._areas[code] if code in self._areas else self.store.area(code)

    def series(self, code: str, indicator: str) -> list[dict[str, Any]]:
        if code not in self._areas:
            return self.store.series(code, indicator)
        return self._series.get((code, indicator), [])


def from_store(store: Any | None, indicator: str, area: str, nest: bool = True) -> Series:
    """The indicator's figures for one area, every release; `nest`: with the trend of the nearest
    indicator the store holds for the area that contains this one (Series.within)."""
    if store is None:
        return Series(reason="the store is not built yet: run `observatory build`.")
    try:
        ind = store.indicator(indicator)
    except NotFoundError:
        return Series(reason=f"the store holds no indicator '{indicator}' (check source.indicator in the metrics "
                             "file, or add the source that publishes it and rebuild).")
    try:
        found = store.area(area)
    except NotFoundError:
        return Series(reason=f"the store holds no area '{area}' (check source.area in the metrics file).")
    quarterly = indicator in QUARTER_END
    series = Series(area_name=found["name"], dating="quarter" if quarterly else "release",
                    provenance=f"{ind['label']} for {found['name']} ({found['code']}), every release in the store")
    for r in store.series(found["code"], indicator):
        if r["value"] is None:
            continue
        day = month_end(month_start(r["release"])) if quarterly else month_start(r["release"])
        series.points.append((day, float(r["value"])))
        series.rows.append({"date": day.isoformat(), "label": r["release"], "when": series.date_words(day),
                            "value": float(r["value"]),
                            "source": r["release_id"], "illustrative": bool(r["synthetic"])})
        series.illustrative |= bool(r["synthetic"])
    if not series.points:
        series.reason = f"the store holds no {indicator} figures for {found['name']} ({found['code']})."
    elif nest and ind.get("unit", "%") == "%":
        _nest(store, series, indicator, found["code"])
    return series


def _nest(store: Any, series: Series, indicator: str, code: str) -> None:
    """Give `series` the trend of the nearest indicator containing it that the store holds for
    the area (itself held within its own container, and so on up)."""
    for outer in containers(indicator):
        if outer not in INDICATORS:
            continue
        try:
            label = store.indicator(outer)["label"]
        except NotFoundError:
            continue
        cs = from_store(store, outer, code)
        if len(cs.points) < 2:  # one figure is no trend: it bounds nothing beyond its own month
            continue
        points = sorted((year_of(d), v) for d, v in cs.points)
        series.within = fit(points[-RECENT:], "%", within=cs.within, within_label=cs.within_label)
        series.within_label = f"the trend of {label[:1].lower() + label[1:]}"
        return


def entered(session: Any, metric_id: str) -> Series:
    series = Series(provenance="values entered in the records database (every change audited)")
    for v in values_for(session, metric_id):
        day = date.fromisoformat(v["date"])
        series.points.append((day, v["value"]))
        series.rows.append({"date": v["date"], "label": v["date"], "value": v["value"],
                            "source": f"entered by {who(v['author'], {})} on {day_words(v['recorded_at'][:10])}"
                                      + (f": {v['note']}" if v["note"] else ""),
                            "illustrative": v["illustrative"], "id": v["id"]})
        series.illustrative |= v["illustrative"]
    if not series.points:
        series.reason = "no values have been entered yet (an editor enters them on the metric's page)."
    return series


def running_total(days: list[date], provenance: str, illustrative: bool, empty: str,
                  today: date | None = None) -> Series:
    """A count as a running total by date: one value per date on which the count changed, and
    today's (the count is the register's as it stands today, so a count that has not moved for a
    year shows as flat, not as the last rise)."""
    series = Series(provenance=provenance, illustrative=illustrative)
    total = 0
    today = today or date.today()
    for day in sorted(days) + ([today] if days and max(days) < today else []):
        if day == today and total == len(days):
            series.points.append((day, float(total)))
            series.rows.append({"date": day.isoformat(), "label": f"{day.isoformat()} (today)", "value": float(total),
                                "source": f"{provenance} (count as it stands today)", "illustrative": illustrative})
            break
        total += 1
        if series.points and series.points[-1][0] == day:
            series.points[-1] = (day, float(total))
            series.rows[-1]["value"] = float(total)
            continue
        series.points.append((day, float(total)))
        series.rows.append({"date": day.isoformat(), "label": day.isoformat(), "value": float(total),
                            "source": provenance, "illustrative": illustrative})
    if not series.points:
        series.reason = empty
    return series


def actions_done(session: Any) -> Series:
    rows = actions.list_actions(session)
    days = []
    for a in rows:
        if a["status"] != "done":
            continue
        done = [u["at"] for u in a["updates"] if u["status"] == "done"]
        days.append(date.fromisoformat((done[0] if done else a["updated_at"])[:10]))
    return running_total(days, "board actions log: actions done, by the date of the update marking each done",
                         any(a["illustrative"] for a in rows if a["status"] == "done"),
                         "no board action is marked done yet.")


def scr_providers_live(session: Any) -> Series:
    live = [e for e in register.list_entries(session) if e["status"] == "live"]
    return running_total([date.fromisoformat(e["status_date"]) for e in live],
                         "Shared Care Record access register: entries live, by the date access went live",
                         any(e["illustrative"] for e in live), "no provider's access is live yet.")


@dataclass
class Counted:
    """What a capability's records figure gives (register_figure): values by date, and its own
    trend where it has one (a rate per year from a date, and the most it can reach)."""

    points: list[tuple[date, float]]
    illustrative: bool
    provenance: str
    empty: str
    rate_per_year: float | None = None
    as_of: date | None = None
    ceiling: float | None = None
    reaches: str | None = None  # the owner's forecast month for the target, where it makes one


def register_figure(name: str, read: Callable[[Any, ProgrammeConfig], Counted]) -> None:
    """Make a capability's figure available to metrics as source = { kind = "records", figure = name }."""
    def series(session: Any, programme: ProgrammeConfig) -> Series:
        try:
            return _series(read(session, programme))
        except ObservatoryError as exc:
            return Series(reason=f"the records could not be read: {exc}")

    RECORD_FIGURES[name] = series


def _series(c: Counted) -> Series:
    series = Series(provenance=c.provenance, illustrative=c.illustrative, ceiling=c.ceiling, reaches=c.reaches)
    for day, value in c.points:
        series.points.append((day, float(value)))
        series.rows.append({"date": day.isoformat(), "label": day.isoformat(), "value": float(value),
                            "source": c.provenance, "illustrative": c.illustrative})
    if not series.points:
        series.reason = c.empty
    elif c.rate_per_year is not None and c.as_of is not None:
        latest = series.points[-1][1]
        series.fit = Fit("linear", latest, c.rate_per_year, year_of(c.as_of), len(series.points))
    return series


RECORD_FIGURES: dict[str, Callable[[Any, ProgrammeConfig], Series]] = {
    "actions_done": lambda session, programme: actions_done(session),
    "scr_providers_live": lambda session, programme: scr_providers_live(session),
}
