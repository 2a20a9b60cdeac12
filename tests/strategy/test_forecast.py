"""Coverage forecasts: on a series that lies on a logistic curve the year the target is reached is
known in closed form, and the bootstrap band collapses onto it (no residuals to resample)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from observatory.errors import NotFoundError
from observatory.months import to_date
from observatory.strategy.coverage_targets import standing
from observatory.strategy.forecast import bootstrap
from observatory.workspace.metrics import Framework, MetricsConfig, Target


def logistic(a: float, b: float, year: int) -> float:
    # p(t) = 100 / (1 + e^-(a + b (t - 2025)))
    return 100 / (1 + math.exp(-(a + b * (year - 2025))))


class FakeStore:
    """The three store calls a forecast makes, over one hand-written series for Leeds."""

    def __init__(self, series: dict[str, float]) -> None:
        self._series = series

    def area(self, code: str) -> dict:
        if code != "E08000035":
            raise NotFoundError(f"No area with code '{code}'.")
        return {"code": code, "name": "Leeds", "level": "lad"}

    def indicator(self, indicator: str) -> dict:
        if indicator != "gigabit":
            raise NotFoundError(f"Unknown indicator '{indicator}'.")
        return {"id": "gigabit", "label": "Gigabit-capable broadband", "direction": "higher-is-better"}

    def series(self, code: str, indicator: str) -> list[dict]:
        return [{"release": m, "value": v, "release_id": f"ons-{m}", "synthetic": False}
                for m, v in self._series.items()]


def area_forecast(store: FakeStore, code: str, indicator: str, target: float, by: date) -> dict | None:
    """The standing every view shows, for one target set in the metrics file."""
    config = MetricsConfig(Path("metrics.toml"), Framework(("P",), (), ("L",)), [], [Target(indicator, target, by)])
    return standing(store, config, indicator, code, today=date(2026, 12, 7))


# a = 2, b = 0.5: 88.08% in January 2025. logit(99) = ln(99) = 4.595120; the curve gets there at
# t* = 2025 + (4.595120 - 2) / 0.5 = 2030.190240, i.e. 2030 + 0.190240 x 365 days = day 69: 11 March 2030.
CLOSED = {f"{y}-01": logistic(2.0, 0.5, y) for y in range(2020, 2026)}


def test_a_logistic_series_reaches_the_target_when_the_closed_form_says_with_no_band():
    b = bootstrap([(float(y), logistic(2.0, 0.5, y)) for y in range(2020, 2026)], "%", 99.0, 2030.0)
    assert b["reaches"] == pytest.approx(2030.190240, abs=1e-5)
    lo, hi = b["reaches_band"]
    assert lo == pytest.approx(2030.190240, abs=1e-5) and hi == pytest.approx(2030.190240, abs=1e-5)
    # at 2030.0: 100 / (1 + e^-(2 + 0.5 x 5)) = 100 / (1 + e^-4.5) = 98.9013%
    assert b["projected"] == pytest.approx(98.9013, abs=1e-3)


def test_the_area_forecast_in_words_and_dates():
    f = area_forecast(FakeStore(CLOSED), "E08000035", "gigabit", 99.0, date(2030, 12, 31))
    assert f["reaches_words"] == "March 2030" and to_date(2030.190240) == date(2030, 3, 11)
    assert f["status"] == "green" and f["status_words"] == "on track" and f["latest_release"] == "2025-01"
    assert "99% is reached in March 2030" in f["words"] and "the figures lie on the trend exactly" in f["words"]
    late = area_forecast(FakeStore(CLOSED), "E08000035", "gigabit", 99.0, date(2029, 12, 31))
    assert late["status"] in ("amber", "red") and "after the target date of December 2029" in late["words"]


def test_a_noisy_series_has_a_band_around_the_trend_and_the_same_band_every_run():
    noisy = [(float(y), logistic(2.0, 0.5, y) + e) for y, e in zip(range(2020, 2026), (0.8, -0.6, 0.5, -0.9, 0.4, -0.2),
                                                                    strict=True)]
    first, again = bootstrap(noisy, "%", 99.0, 2030.0), bootstrap(noisy, "%", 99.0, 2030.0)
    assert first["reaches_band"] == again["reaches_band"]  # seeded
    lo, hi = first["reaches_band"]
    assert lo < first["reaches"] < hi


def test_a_flat_series_is_not_on_the_current_trend_and_a_met_target_is_met():
    flat = area_forecast(FakeStore({"2023-01": 80.0, "2024-01": 80.0, "2025-01": 80.0}), "E08000035", "gigabit",
                         99.0, date(2030, 12, 31))
    assert flat["status"] == "red" and flat["reaches"] is None and "is not reached" in flat["words"]
    met = area_forecast(FakeStore({"2024-01": 98.0, "2025-01": 99.5}), "E08000035", "gigabit", 99.0, date(2030, 12, 31))
    assert met["status"] == "green" and met["meets"] and "already meets" in met["words"]


def test_an_unknown_area_or_indicator_or_one_figure_is_no_data_not_an_error():
    store = FakeStore(CLOSED)
    assert area_forecast(store, "E08000099", "gigabit", 99, date(2030, 12, 31))["status"] == "no data"
    # an indicator the store lacks has no standing at all (nothing to show against a target)
    assert area_forecast(store, "E08000035", "fixed_wireless", 99, date(2030, 12, 31)) is None
    one = area_forecast(FakeStore({"2025-01": 90.0}), "E08000035", "gigabit", 99, date(2030, 12, 31))
    assert one["status"] == "amber" and "one value only" in one["rule"] and one["reaches"] is None
