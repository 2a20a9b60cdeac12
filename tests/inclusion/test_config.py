"""The [inclusion] configuration: every mistake named with its key, never a traceback."""

from __future__ import annotations

import copy
import tomllib

import pytest

from observatory.errors import ConfigError
from observatory.workspace import inclusion as config_mod

from ..conftest import WORKSPACE

CONFIG = WORKSPACE / "observatory.toml"
TABLE = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["inclusion"]


def _parse(change):
    table = copy.deepcopy(TABLE)
    change(table)
    return config_mod.parse(CONFIG, table)


def test_the_demo_configuration_is_the_published_default_weights():
    cfg = config_mod.parse(CONFIG, TABLE)
    assert cfg.components == {"demography": 3, "broadband": 3, "deprivation": 3}
    w = {i.id: i.weight for i in cfg.indicators}
    # DERI v1.2+: 65-74 and 75+ 5 each, broadband 3 each, no qualifications 4, the rest 2
    assert (w["aged_65_74"], w["aged_75_plus"], w["unable_30"], w["education"], w["imd"]) == (5, 5, 3, 4, 2)
    assert [m.indicator for m in cfg.missing] == ["% population in approximated social grade DE"]
    assert all(i.reason for i in cfg.indicators if i.substitute_for)


@pytest.mark.parametrize("change, text", [
    (lambda t: t["indicators"][2].pop("reason"), "gives no 'reason'"),
    (lambda t: t["indicators"][0].update(direction="up"), "direction 'up'"),
    (lambda t: t["indicators"][0].update(component="age"), "component 'age' is not in [inclusion.components]"),
    (lambda t: t["indicators"][0].update(weight=-1), "is negative"),
    (lambda t: t["indicators"][0].update(source="survey"), "source 'survey'"),
    (lambda t: t.update(comparison="region"), "comparison = 'region'"),
    (lambda t: t.update(hub_distanse_m=500), "Did you mean 'hub_distance_m'?"),
    (lambda t: t.update(population="data/nope.csv"), "does not exist"),
    (lambda t: t.update(high_risk_share=10), "high_risk_share"),
    (lambda t: t["indicators"][1].update(id="aged_65_74"), "is used twice"),
])
def test_configuration_mistakes(change, text):
    with pytest.raises(ConfigError) as e:
        _parse(change)
    assert text in str(e.value) and "observatory.toml" in str(e.value)


def test_weights_override_defaults_only_where_given():
    cfg = config_mod.parse(CONFIG, TABLE)
    w = config_mod.apply(cfg, {"broadband": 5}, {"imd": 0}, "test")
    assert w.components == {"demography": 3, "broadband": 5, "deprivation": 3}
    assert w.indicators["imd"] == 0 and w.indicators["education"] == 4


def test_missing_indicator_cannot_be_weighted():
    cfg = config_mod.parse(CONFIG, TABLE)
    with pytest.raises(ConfigError, match="it is a missing indicator"):
        config_mod.apply(cfg, {}, {"% population in approximated social grade DE": 2}, "w.toml")


@pytest.mark.slow
def test_an_indicator_the_store_lacks_is_left_out_and_said(model, inclusion_store):
    from dataclasses import replace

    from observatory.inclusion import indicators
    from observatory.inclusion.model import Model

    specs = list(model.cfg.indicators)
    j = [i.id for i in specs].index("gigabit")
    specs[j] = replace(specs[j], columns=("no_such_indicator",))
    cfg = replace(model.cfg, indicators=tuple(specs))
    m = Model(model.ws, cfg, indicators.load(cfg, inclusion_store))
    r = m.compute("lsoa")
    assert any("no_such_indicator" in n and "left out" in n for n in r.notes)
    assert not any(v != v for v in r.combined.index)  # every area still has an index

