"""Properties the index must have on the real West Yorkshire data, whatever the figures are."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from observatory.inclusion.model import Model
from observatory.workspace import inclusion as config_mod

pytestmark = pytest.mark.slow

CASES = [(lv, c) for lv in ("lsoa", "ward", "lad") for c in ("lad", "ca", "england") if not (lv == "lad" and c == "lad")]


def test_lsoa_level_has_every_lsoa_2021(model):
    r = model.compute("lsoa")
    assert len(r.data.codes) == 1404
    assert not np.isnan(r.combined.index).any()


def test_scaling_a_components_weights_by_one_factor_changes_nothing(model):
    base = model.compute("lsoa", "ca")
    for component in model.cfg.components:
        members = {i.id: i.weight * 7.5 for i in model.cfg.indicators if i.component == component}
        w = config_mod.apply(model.cfg, {}, members, "test")
        assert model.compute("lsoa", "ca", weights=w).combined.index == pytest.approx(base.combined.index)
    # and the component weights all together
    w = config_mod.apply(model.cfg, {c: 3 * v for c, v in model.cfg.components.items()}, {}, "test")
    assert model.compute("lsoa", "ca", weights=w).combined.index == pytest.approx(base.combined.index)


@pytest.mark.parametrize("level, comparison", CASES)
def test_every_score_is_between_0_and_10(model, level, comparison):
    r = model.compute(level, comparison)
    s = r.scaled.scores
    assert np.nanmin(s) >= 0 and np.nanmax(s) <= 10
    for arr in (r.combined.components, r.combined.index):
        assert np.nanmin(arr) >= 0 and np.nanmax(arr) <= 10


@pytest.mark.parametrize("level, comparison", [("lsoa", "lad"), ("lsoa", "ca"), ("ward", "lad"), ("ward", "ca")])
def test_most_at_risk_area_of_each_comparison_area_scores_10(model, level, comparison):
    r = model.compute(level, comparison)
    for j, spec in enumerate(model.cfg.indicators):
        x = r.data.values[:, j]
        for group in np.unique(r.scaled.groups[j]):
            inside = (r.scaled.groups[j] == group) & ~np.isnan(x)
            # the most at-risk: the highest value, or the lowest where lower means more risk
            worst = np.nanargmin(np.where(inside, x, np.inf)) if spec.direction == "lower" \
                else np.nanargmax(np.where(inside, x, -np.inf))
            assert r.scaled.scores[worst, j] == pytest.approx(10.0), (spec.id, group)


def test_england_comparison_uses_england_bounds_where_it_has_them(model):
    r = model.compute("lsoa", "england")
    ids = [i.id for i in model.cfg.indicators]
    eff = dict(zip(ids, r.scaled.effective, strict=True))
    assert eff["aged_75_plus"] == "england" and eff["imd"] == "england"
    # small-area coverage exists only for the region: said, and scaled within the region
    assert eff["unable_30"] == "ca"
    assert any("unable to receive 30" in n and "widest area" in n for n in r.notes)


def test_absolute_mode_on_the_baseline_equals_relative_mode(model, tmp_path):
    m = Model(model.ws, replace(model.cfg, baseline=tmp_path / "baseline.json"), model.raw)
    m.save_baseline()
    for level, comparison in CASES:
        rel = m.compute(level, comparison, "relative")
        ab = m.compute(level, comparison, "absolute")
        assert ab.scaled.scores == pytest.approx(rel.scaled.scores, nan_ok=True)
        assert ab.combined.index == pytest.approx(rel.combined.index)
        assert ab.scaled.outside == 0


def test_absolute_mode_without_a_baseline_says_how_to_save_one(model, tmp_path):
    m = Model(model.ws, replace(model.cfg, baseline=tmp_path / "none.json"), model.raw)
    with pytest.raises(config_mod.ConfigError, match="observatory inclusion baseline"):
        m.compute("lsoa", mode="absolute")


def test_ward_value_is_the_population_weighted_mean_of_its_lsoas(model):
    raw, ward = model.raw, model.levels["ward"]
    j = [i.id for i in model.cfg.indicators].index("aged_75_plus")
    code = ward.codes[0]
    inside = raw.ward == code
    # residents-weighted mean of the LSOAs' percentages = the ward's 75+ over its residents
    expected = 100 * raw.aged_75[inside].sum() / raw.residents[inside].sum()
    assert ward.values[0, j] == pytest.approx(expected)
    assert ward.aged_75[0] == raw.aged_75[inside].sum()
