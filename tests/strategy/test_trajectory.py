"""Status from the trajectory: every edge case on a hand-written series, with the expected status
and figures worked out here by hand."""

from __future__ import annotations

import math

import pytest

from observatory.months import year_of
from observatory.strategy.trajectory import assess


def _logistic(a: float, b: float, years: list[int]) -> list[tuple[float, float]]:
    # p(t) = 100 / (1 + e^-(a + b (t - 2025))): the series is made from the closed form
    return [(float(y), 100 / (1 + math.exp(-(a + b * (y - 2025))))) for y in years]


def test_a_logistic_series_reaches_its_target_when_the_closed_form_says():
    values = _logistic(-1.0, 0.8, [2020, 2021, 2022, 2023, 2024, 2025])
    t = assess(values, "%", target=99.0, target_year=2030.0, tolerance=1.0)
    # logit(99) = ln(99 / 1) = 4.59512; t* = 2025 + (4.59512 + 1) / 0.8 = 2025 + 6.99390 = 2031.9939
    assert t.reaches == pytest.approx(2031.9939, abs=1e-3)
    # at 2030: 100 / (1 + e^-(-1 + 0.8 * 5)) = 100 / (1 + e^-3) = 95.2574
    assert t.projected == pytest.approx(95.2574, abs=1e-3)
    assert t.status == "red" and t.rule.startswith("Red:") and "levels off as it nears 100%" in t.rule
    assert assess(values, "%", 99.0, 2030.0, tolerance=5.0).status == "amber"


def test_a_straight_line_of_counts_and_the_run_rate_needed():
    values = [(2023.0, 100.0), (2024.0, 200.0), (2025.0, 300.0)]
    on_track = assess(values, "sites", target=800.0, target_year=2030.0)
    assert on_track.status == "green" and on_track.projected == pytest.approx(800.0)
    assert on_track.reaches == pytest.approx(2030.0)
    short = assess(values, "sites", target=900.0, target_year=2030.0, tolerance=50.0)
    assert short.status == "red" and short.projected == pytest.approx(800.0)
    assert short.needed_per_year == pytest.approx((900 - 300) / 5)  # 120 a year
    assert short.reaches == pytest.approx(2031.0)  # 300 + 100 a year reaches 900 in 2031
    assert assess(values, "sites", 900.0, 2030.0, tolerance=150.0).status == "amber"


def test_no_values_gives_no_data_rather_than_an_error():
    t = assess([], "%", 99.0, 2030.0)
    assert t.status == "no data" and "No values yet" in t.rule


def test_one_value_has_no_trend_yet():
    t = assess([(2025.0, 80.0)], "%", 99.0, 2030.0)
    assert t.status == "amber" and "one value only" in t.rule
    assert t.needed_per_year == pytest.approx((99 - 80) / 5)


def test_a_flat_series_is_not_on_track():
    t = assess([(2023.0, 80.0), (2024.0, 80.0), (2025.0, 80.0)], "%", 99.0, 2030.0)
    assert t.status == "red" and "flat or moving away" in t.rule and t.reaches is None


def test_a_falling_series_is_not_on_track():
    t = assess([(2023.0, 85.0), (2024.0, 83.0), (2025.0, 80.0)], "%", 99.0, 2030.0)
    assert t.status == "red" and t.reaches is None


def test_a_target_already_met_is_green_whatever_the_trend():
    t = assess([(2023.0, 99.5), (2024.0, 99.2)], "%", 99.0, 2030.0)
    assert t.status == "green" and "already meets" in t.rule


def test_a_target_date_in_the_past_not_met_is_red():
    t = assess([(2023.0, 80.0), (2024.0, 90.0)], "%", 99.0, 2023.5, today=2025.0)
    assert t.status == "red" and "target date has passed" in t.rule


def test_values_out_of_order_are_sorted_and_said():
    ordered = [(2023.0, 100.0), (2024.0, 200.0), (2025.0, 300.0)]
    shuffled = [ordered[2], ordered[0], ordered[1]]
    a, b = assess(ordered, "sites", 800.0, 2030.0), assess(shuffled, "sites", 800.0, 2030.0)
    assert (a.status, a.projected) == (b.status, b.projected)
    assert any("sorted by date" in n for n in b.notes) and not a.notes


def test_lower_is_better():
    # mean minutes to respond to a critical incident: 60, 50, 40; target 20 by 2027 -> line gives 20
    t = assess([(2023.0, 60.0), (2024.0, 50.0), (2025.0, 40.0)], "minutes", 20.0, 2027.0, higher_is_better=False)
    assert t.status == "green" and t.projected == pytest.approx(20.0) and t.reaches == pytest.approx(2027.0)


def test_months_as_decimal_years():
    assert year_of("2025-07") == pytest.approx(2025 + 181 / 365)
    assert year_of("2024-01-01") == 2024.0


# --- further edge cases --------------------------------------------------------------------------

def test_one_value_after_the_target_date_is_red_not_amber():
    # the date check comes before the one-value rule: no time is left for any trend
    t = assess([(2025.0, 80.0)], "%", 99.0, 2024.0, today=2025.5)
    assert t.status == "red" and "target date has passed" in t.rule


def test_a_target_met_after_its_date_is_still_green():
    t = assess([(2023.0, 97.0), (2024.0, 99.2)], "%", 99.0, 2023.5, today=2025.0)
    assert t.status == "green" and "already meets" in t.rule


def test_lower_is_better_already_met_and_moving_the_wrong_way():
    met = assess([(2024.0, 10.0), (2025.0, 12.0)], "minutes", 15.0, 2027.0, higher_is_better=False)
    assert met.status == "green"  # 12 <= 15 already
    # 40 then 45 minutes, target 20: the line rises 5 a year, away from the target
    away = assess([(2024.0, 40.0), (2025.0, 45.0)], "minutes", 20.0, 2027.0, higher_is_better=False)
    assert away.status == "red" and "moving away" in away.rule and away.reaches is None


def test_a_flat_count_is_red_and_never_reaches():
    t = assess([(2023.0, 50.0), (2024.0, 50.0), (2025.0, 50.0)], "sites", 100.0, 2027.0)
    assert t.status == "red" and t.reaches is None and t.projected == pytest.approx(50.0)


def test_percentages_at_0_and_100_are_held_inside_the_logit_and_do_not_fail():
    # 0% has no logit; the fit holds it at EDGE (0.01%) and still sees a rise
    t = assess([(2023.0, 0.0), (2024.0, 0.0), (2025.0, 5.0)], "%", 50.0, 2030.0)
    assert t.fit is not None and t.fit.slope > 0 and 0 < t.projected < 100
    assert assess([(2024.0, 98.0), (2025.0, 100.0)], "%", 99.0, 2030.0).status == "green"


def test_only_the_latest_six_values_set_the_trend_and_that_is_said():
    # an old fall then a steady rise of 10 a year: the six latest values are the straight line
    old = [(2010.0, 500.0), (2011.0, 0.0)]
    recent = [(2020.0 + i, 100.0 + 10 * i) for i in range(6)]  # 100 .. 150
    t = assess(old + recent, "sites", 200.0, 2030.0)
    assert t.projected == pytest.approx(200.0)  # 150 + 10 a year x 5 years
    assert any("latest 6 of 8" in n for n in t.notes)
