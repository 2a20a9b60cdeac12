"""Dates said as they are (issue 20, items 1 and 3): a release is named by its snapshot month and
never given a day; a metric's baseline is the release the configuration names; a quarterly figure is
dated at the moment it describes; and a forecast month is said the one way every view says it: "is
reached in" only after today, "would have been reached in ... if the trend held; the next release
will show" between the newest release and today, and never for a month before the newest release.
Expected words and figures are worked out by hand here."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

from observatory.strategy.coverage_targets import standing
from observatory.strategy.forecast import when
from observatory.strategy.sources import from_store
from observatory.strategy.status import evaluate
from observatory.workspace.metrics import Framework, Metric, MetricsConfig, Point, Source, Target
from tests.series_store import FakeStore

TODAY = date(2026, 12, 7)
DAY_ON_A_MONTH = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                            r"November|December) \d{4}")


def decimal_year(d: date) -> float:
    return d.year + (d - date(d.year, 1, 1)).days / (date(d.year + 1, 1, 1) - date(d.year, 1, 1)).days


def metric(indicator: str, target: float, by: date, baseline: date | None = None) -> Metric:
    return Metric(id=indicator, title=indicator, priority="P", life_stage="L", owner="", unit="%", direction="higher",
                  target=Point(target, by), source=Source("store", indicator=indicator, area="E08000035"),
                  baseline=Point(None, baseline) if baseline else None)


def test_a_forecast_month_in_words_by_where_it_falls():
    # after today: reached in
    assert when("2030-03", "2025-07", TODAY, "99%")["clause"] == "99% is reached in March 2030"
    # between the newest release (July 2025) and today (December 2026)
    late = when("2026-02", "2025-07", TODAY, "95%")
    assert late["clause"] == ("95% would have been reached in February 2026 if the trend held; the next release "
                              "will show")
    assert late["kind"] == "overdue" and late["reaches"] == "2026-02"
    # this month counts as passed too: the month has begun
    assert when("2026-12", "2025-07", TODAY)["kind"] == "overdue"
    # before or at the newest release, which had not reached it: never "reached in"
    for month in ("2025-03", "2025-07"):
        early = when(month, "2025-07", TODAY, "95%")
        assert early["kind"] == "passed" and early["reaches"] is None
        assert "reached in" not in early["clause"] and "July 2025" in early["clause"]
    assert when(None, "2025-07", TODAY, "95%")["clause"] == "95% is not reached on the current trend"


# Full fibre for Leeds on a logistic through its July releases, reaching 95% 0.6 of a year after
# July 2025: logit(95) = ln 19 = 2.944439; a = 2.944439 - 0.6 = 2.344439, b = 1 a year; July 2025 is
# 2025 + 181/365 = 2025.49589, so 95% at 2026.09589: day 35 of 2026, 5 February 2026.
JULY_2025 = decimal_year(date(2025, 7, 1))
FULL_FIBRE = {f"{y}-07": 100 / (1 + math.exp(-(2.344439 + (decimal_year(date(y, 7, 1)) - JULY_2025))))
              for y in range(2020, 2026)}


def test_a_month_between_the_newest_release_and_today_would_have_been_reached():
    store = FakeStore({"full_fibre": FULL_FIBRE})
    config = MetricsConfig(Path("metrics.toml"), Framework(("P",), (), ("L",)), [],
                           [Target("full_fibre", 95.0, date(2030, 12, 31))])
    s = standing(store, config, "full_fibre", "E08000035", today=TODAY)
    assert s["reaches"] == "2026-02"
    assert ("95% would have been reached in February 2026 if the trend held; the next release will show"
            in s["words"]), s["words"]
    assert "is reached in" not in s["words"]
    # the same on the metrics board, which words the same trajectory
    row = evaluate(metric("full_fibre", 95.0, date(2030, 12, 31)), from_store(store, "full_fibre", "E08000035"),
                   TODAY)
    assert "would have been reached in February 2026 if the trend held; the next release will show" in row["words"]
    assert row["reaches_words"] == "February 2026 if the trend held (the next release will show)"
    # a report written the day after July 2025's release is out says it is still to come
    ahead = standing(store, config, "full_fibre", "E08000035", today=date(2025, 11, 30))
    assert "95% is reached in February 2026" in ahead["words"]


def test_a_release_is_named_by_its_month_never_a_day():
    store = FakeStore({"full_fibre": FULL_FIBRE})
    row = evaluate(metric("full_fibre", 95.0, date(2030, 12, 31)), from_store(store, "full_fibre", "E08000035"),
                   TODAY)
    assert row["words"].startswith(f"{FULL_FIBRE['2025-07']:.1f}% in July 2025"), row["words"]
    assert row["latest_words"] == "July 2025"
    assert not DAY_ON_A_MONTH.search(row["words"]), row["words"]  # "December 2030", not "31 December 2030"


def test_the_baseline_is_the_release_the_configuration_names():
    # "2020-09" is read as 30 September 2020: the September 2020 release is the baseline, not the
    # first release on or after the 30th (September 2021)
    store = FakeStore({"gigabit": {"2020-09": 52.9, "2021-09": 58.4, "2022-09": 70.1}})
    row = evaluate(metric("gigabit", 99.0, date(2030, 12, 31), baseline=date(2020, 9, 30)),
                   from_store(store, "gigabit", "E08000035"), TODAY)
    assert row["baseline"]["value"] == 52.9 and row["baseline"]["date"] == "2020-09"
    assert row["baseline"]["from"] == "the September 2020 release"
    # a month without a release: the first release after it, said so
    row = evaluate(metric("gigabit", 99.0, date(2030, 12, 31), baseline=date(2021, 1, 31)),
                   from_store(store, "gigabit", "E08000035"), TODAY)
    assert row["baseline"]["value"] == 58.4
    assert row["baseline"]["from"] == "the first release after January 2021 (none of that month)"


def test_a_quarterly_figure_is_dated_at_the_end_of_its_quarter():
    store = FakeStore({"backbone_reach": {"2025-06": 10.0, "2025-09": 12.0}})
    series = from_store(store, "backbone_reach", "E08000035")
    assert series.points[-1][0] == date(2025, 9, 30)
    row = evaluate(metric("backbone_reach", 30.0, date(2027, 3, 31)), series, TODAY)
    assert row["words"].startswith("12.0% in the quarter to 30 September 2025"), row["words"]
    assert "1 September" not in row["words"]
