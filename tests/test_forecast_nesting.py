"""Forecasts that respect what is known (issue 20, item 1): an indicator that lies inside another by
the publisher's definitions (full fibre within gigabit-capable, within 100 Mbit/s, within superfast)
is never projected above it, nor above 100%, and every forecast has a band. The expected figures
are worked out here by hand from logistic curves written into a small store."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from observatory.indicators.definitions import INDICATORS, containers
from observatory.strategy.coverage_targets import standing
from observatory.strategy.forecast import bootstrap, nested_draws
from observatory.strategy.sources import from_store
from observatory.strategy.trajectory import fit
from observatory.workspace.metrics import Framework, MetricsConfig, Target
from tests.series_store import FakeStore as SeriesStore

TODAY = date(2026, 12, 7)
LABELS = {"gigabit": "Gigabit-capable broadband", "full_fibre": "Full fibre (FTTP) availability",
          "sfbb": "Superfast broadband (30 Mbit/s or more)", "ufbb100": "Ultrafast broadband (100 Mbit/s or more)"}


def logistic(a: float, b: float, year: int) -> float:
    # p(t) = 100 / (1 + e^-(a + b (t - 2025)))
    return 100 / (1 + math.exp(-(a + b * (year - 2025))))


class FakeStore(SeriesStore):
    """Hand-written January series for Leeds, under the indicators' own labels."""

    def __init__(self, series: dict[str, dict[str, float]]) -> None:
        super().__init__(series, LABELS)


def forecast(store: FakeStore, indicator: str, target: float, by: date) -> dict:
    config = MetricsConfig(Path("metrics.toml"), Framework(("P",), (), ("L",)), [], [Target(indicator, target, by)])
    return standing(store, config, indicator, "E08000035", today=TODAY)


# Gigabit on a = 2, b = 0.5; full fibre on a = 1.5, b = 1.0: full fibre's own curve overtakes
# gigabit's after 2026 (by 2030: 99.85% against 98.90%), which cannot happen: every full-fibre
# premises is gigabit-capable.
GIGABIT = {f"{y}-01": logistic(2.0, 0.5, y) for y in range(2020, 2026)}
FULL_FIBRE = {f"{y}-01": min(logistic(1.5, 1.0, y), GIGABIT[f"{y}-01"]) for y in range(2020, 2026)}


def test_the_nesting_order_comes_from_the_indicator_definitions():
    assert containers("full_fibre") == ["gigabit", "ufbb100", "sfbb"]
    assert containers("gigabit") == ["ufbb100", "sfbb"]
    assert containers("ufbb") == ["ufbb100", "sfbb"]
    assert containers("sfbb") == [] and containers("below_uso") == []
    assert "full_fibre_res" not in INDICATORS and INDICATORS["gigabit_res"].within == "ufbb100_res"
    assert containers("gigabit_res") == ["ufbb100_res", "sfbb_res"]


def test_full_fibre_is_never_projected_above_gigabit():
    store = FakeStore({"gigabit": GIGABIT, "full_fibre": {f"{y}-01": logistic(1.5, 1.0, y) for y in range(2020, 2026)}})
    ff = from_store(store, "full_fibre", "E08000035")
    assert ff.within is not None and ff.within_label == "the trend of gigabit-capable broadband"
    points = [(float(y), logistic(1.5, 1.0, y)) for y in range(2020, 2026)]
    f = fit(points, "%", within=ff.within)
    # by hand at 2030.0: full fibre's own curve 100 / (1 + e^-(1.5 + 5)) = 99.8499%; gigabit's
    # 100 / (1 + e^-(2 + 2.5)) = 98.9013%: the projection is the lower, gigabit's
    assert f.own(2030.0) == pytest.approx(99.8499, abs=1e-3)
    assert f.at(2030.0) == pytest.approx(98.9013, abs=1e-3)
    for year in np.arange(2025.0, 2060.0, 0.25):
        assert f.at(year) <= ff.within.at(year) + 1e-9 <= 100.0 + 1e-9
    # 99% is reached when both have: full fibre's own at 2025 + (ln 99 - 1.5) / 1.0 = 2028.0951,
    # gigabit's at 2025 + (ln 99 - 2) / 0.5 = 2030.1902: the later
    assert f.year_reaching(99.0) == pytest.approx(2030.190240, abs=1e-5)


def test_the_forecast_every_view_shows_is_held_within_its_container():
    store = FakeStore({"gigabit": GIGABIT, "full_fibre": {f"{y}-01": logistic(1.5, 1.0, y) for y in range(2020, 2026)}})
    ff = forecast(store, "full_fibre", 99.0, date(2030, 12, 31))
    gb = forecast(store, "gigabit", 99.0, date(2030, 12, 31))
    # at 31 December 2030 (2030 + 364/365 = 2030.99726): gigabit 100 / (1 + e^-(2 + 0.5 x 5.99726))
    # = 100 / (1 + e^-4.99863) = 100 / 1.0067471 = 99.3298%
    assert gb["projected"] == pytest.approx(99.3298, abs=1e-3)
    assert ff["projected"] == pytest.approx(gb["projected"], abs=1e-9)
    assert ff["reaches"] == gb["reaches"] == "2030-03"  # day 69 of 2030: 11 March
    assert "held within the trend of gigabit-capable broadband" in ff["words"]
    # a band for every forecast
    assert ff["reaches_band"] is not None and ff["projected_band"] is not None


def test_no_draw_of_the_band_exceeds_its_containers_draw_nor_100():
    noisy = {m: v + e for (m, v), e in zip(GIGABIT.items(), (0.4, -0.3, 0.3, -0.5, 0.2, -0.1), strict=True)}
    ff_noisy = {m: min(v + e, noisy[m]) for (m, v), e in zip(FULL_FIBRE.items(), (-0.8, 0.6, -0.5, 0.7, -0.4, 0.1),
                                                             strict=True)}
    store = FakeStore({"gigabit": noisy, "full_fibre": ff_noisy})
    ff = from_store(store, "full_fibre", "E08000035")
    points = [(float(m[:4]), v) for m, v in ff_noisy.items()]
    f = fit(points, "%", within=ff.within)
    years = np.arange(2025.0, 2041.0, 0.5)
    own, _ = nested_draws(f, years, 99.0)
    outer, _ = nested_draws(f.within, years, 99.0, seed=20301231 + 1)  # the container's draws
    assert (own <= outer + 1e-9).all() and (outer <= 100.0).all()
    band = bootstrap(points, "%", 99.0, 2030.0, trend=f)
    lo, hi = band["projected_band"]
    assert lo < hi <= 100.0


def test_a_container_the_store_lacks_is_skipped_for_the_next_one_up():
    sfbb = {f"{y}-01": logistic(3.0, 0.2, y) for y in range(2020, 2026)}
    store = FakeStore({"gigabit": GIGABIT, "sfbb": sfbb})  # no 100 Mbit/s figures: superfast holds gigabit
    gb = from_store(store, "gigabit", "E08000035")
    assert gb.within is not None and gb.within_label == "the trend of superfast broadband (30 Mbit/s or more)"
    assert gb.within.within is None  # superfast: held by 100% only


def test_a_container_with_one_figure_bounds_nothing():
    # one superfast figure is no trend: holding gigabit under it flat for ever would say coverage
    # never grows, so gigabit's trend is bounded only by 100%
    store = FakeStore({"gigabit": GIGABIT, "sfbb": {"2025-01": 97.0}})
    gb = from_store(store, "gigabit", "E08000035")
    assert gb.within is None
