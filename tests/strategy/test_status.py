"""A metric's status through `evaluate`, on hand-written series: every edge case the issue lists,
with the expected status and figures written here (worked out by hand), and the words that say
what was done."""

from __future__ import annotations

from datetime import date

import pytest

from observatory.strategy.sources import Series
from observatory.strategy.status import evaluate
from observatory.workspace.metrics import Metric, Point, Source

TODAY = date(2026, 6, 1)


def metric(unit: str = "sites", target: float = 700, by: date = date(2030, 1, 1), direction: str = "higher",
           tolerance: float = 0.0) -> Metric:
    return Metric(id="m", title="A metric", priority="P", life_stage="Live well", owner="", unit=unit,
                  direction=direction, target=Point(target, by), source=Source("entered"), tolerance=tolerance)


def series(*points: tuple[date, float]) -> Series:
    s = Series(provenance="test")
    for d, v in points:
        s.points.append((d, v))
        s.rows.append({"date": d.isoformat(), "label": d.isoformat(), "value": v, "source": "test",
                       "illustrative": False})
    return s


JAN = [date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1)]  # whole years: decimal 2024.0, 2025.0, 2026.0


def test_no_values_is_no_data_with_the_reason():
    r = evaluate(metric(), Series(reason="no values have been entered yet."), TODAY)
    assert r["status"] == "no data" and r["rule"] == "No data: no values have been entered yet."


def test_one_value_is_amber_with_the_run_rate_needed():
    r = evaluate(metric(), series((JAN[2], 300.0)), TODAY)
    # (700 - 300) / (2030 - 2026) = 100 a year
    assert r["status"] == "amber" and r["needed_per_year"] == pytest.approx(100.0)
    assert "one value, no trend yet" in r["words"] and "a rise of 100 sites a year" in r["words"]


def test_a_rising_line_that_meets_the_target_is_green_and_reaches_it_on_the_date():
    r = evaluate(metric(), series(*zip(JAN, (100.0, 200.0, 300.0), strict=True)), TODAY)
    # 100 a year from 300 in 2026: 700 in 2030
    assert r["status"] == "green" and r["projected"] == pytest.approx(700.0) and r["reaches"] == "2030-01-01"
    assert r["rule"].startswith("Green: a straight-line trend through the latest 3 values projects 700 sites")


def test_a_rising_line_short_of_the_target_is_amber_within_tolerance_and_red_beyond():
    values = series(*zip(JAN, (100.0, 200.0, 300.0), strict=True))
    assert evaluate(metric(target=750, tolerance=50), values, TODAY)["status"] == "amber"  # 700 is 50 short
    red = evaluate(metric(target=750, tolerance=49), values, TODAY)
    assert red["status"] == "red" and red["reaches"] == "2030-07-02"  # 750 at 2030.5: 2 July 2030


def test_a_flat_series_is_red_and_not_on_the_current_trend():
    r = evaluate(metric(), series(*zip(JAN, (300.0, 300.0, 300.0), strict=True)), TODAY)
    assert r["status"] == "red" and r["reaches"] is None and r["reaches_words"] == "not on current trend"
    assert "flat" in r["words"]


def test_a_falling_series_is_red():
    r = evaluate(metric(), series(*zip(JAN, (300.0, 250.0, 200.0), strict=True)), TODAY)
    assert r["status"] == "red" and "falling" in r["words"] and r["projected"] == pytest.approx(0.0)


def test_a_target_already_met_is_green():
    r = evaluate(metric(target=250), series(*zip(JAN, (300.0, 280.0, 260.0), strict=True)), TODAY)
    assert r["status"] == "green" and r["reaches_words"] == "already met" and "already meets" in r["words"]


def test_a_target_date_in_the_past_unmet_is_red():
    r = evaluate(metric(by=date(2026, 3, 31)), series(*zip(JAN, (100.0, 200.0, 300.0), strict=True)), TODAY)
    assert r["status"] == "red" and "target date has passed" in r["rule"] and "has passed unmet" in r["words"]


def test_values_out_of_order_give_the_same_status_and_say_they_were_sorted():
    ordered = evaluate(metric(), series(*zip(JAN, (100.0, 200.0, 300.0), strict=True)), TODAY)
    shuffled = evaluate(metric(), series((JAN[2], 300.0), (JAN[0], 100.0), (JAN[1], 200.0)), TODAY)
    assert (shuffled["status"], shuffled["projected"]) == (ordered["status"], ordered["projected"])
    assert shuffled["notes"] == ["values arrived out of date order and were sorted by date"]
    assert shuffled["latest"] == 300.0 and shuffled["latest_date"] == "2026-01-01"


def test_lower_is_better_falling_to_the_target_is_green():
    # 60, 50, 40 minutes: 10 fewer a year; 20 by 2028-01-01
    r = evaluate(metric("minutes", 20, date(2028, 1, 1), "lower"), series(*zip(JAN, (60.0, 50.0, 40.0), strict=True)),
                 TODAY)
    assert r["status"] == "green" and r["projected"] == pytest.approx(20.0)
    assert "a fall of 10 minutes a year" in r["words"]


def test_a_percentage_uses_the_logistic_trend():
    # logit(p) = ln(p / (100 - p)): 50% -> 0, 73.1059% -> 1, 88.0797% -> 2; one a year, so
    # at 2030.0 the logit is 2 + 4 = 6 and p = 100 / (1 + e^-6) = 99.7527%
    r = evaluate(metric("%", 99, date(2030, 1, 1)), series(*zip(JAN, (50.0, 73.10586, 88.07971), strict=True)), TODAY)
    assert r["method"] == "logistic" and r["projected"] == pytest.approx(99.7527, abs=1e-3) and r["status"] == "green"


def test_the_band_and_trend_are_given_for_the_chart():
    r = evaluate(metric(), series(*zip(JAN, (100.0, 210.0, 300.0), strict=True)), TODAY, band=True)
    assert r["trend"][0][0] == pytest.approx(2024.0) and r["trend"][-1][0] == pytest.approx(2030.0)
    assert r["band"] and all(lo <= hi for _, lo, hi in r["band"])
