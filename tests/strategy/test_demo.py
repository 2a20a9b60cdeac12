"""The demo generator of entered values: seeded (the same values every run), never past the day it
runs, running totals never fall, and only for the metrics the workspace enters."""

from __future__ import annotations

from datetime import date

from observatory.demo.metrics_demo import PROFILES, series


def test_the_same_values_every_run():
    assert series("residents-supported", date(2026, 10, 1)) == series("residents-supported", date(2026, 10, 1))


def test_quarter_ends_from_the_first_to_the_end_and_never_after_today():
    got = series("soc-response-minutes", date(2025, 1, 15))
    # first quarter end 31 March 2024, then 30 June, 30 September, 31 December 2024: 15 January 2025 stops there
    assert [d for d, _ in got] == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]


def test_running_totals_never_fall():
    for metric_id, profile in PROFILES.items():
        if profile[5]:  # cumulative
            values = [v for _, v in series(metric_id, date(2026, 10, 1))]
            assert values == sorted(values), metric_id
