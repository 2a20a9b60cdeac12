"""Metric definitions: the demo's file reads, and each mistake is a ConfigError naming the file,
the metric and the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from observatory import workspace
from observatory.errors import ConfigError
from observatory.workspace.metrics import parse_file
from observatory.workspace.programme import ProgrammeConfig

from .conftest import METRICS

# the workspace's [programme]: the sites-lit metric takes its target from it
PROGRAMME = ProgrammeConfig(target=1400, target_date=date(2027, 3, 31))

DEMO = Path(__file__).resolve().parents[2] / "examples" / "west-yorkshire"


def test_the_demo_defines_every_metric_the_issue_names():
    config = workspace.load(DEMO).metrics
    ids = [m.id for m in config.metrics]
    # 3 coverage metrics x (the region + 5 districts) = 18, then 11 others
    assert len(ids) == 29 and len(set(ids)) == 29
    assert {"gigabit", "gigabit-E08000035", "full-fibre-E08000032", "superfast-E08000036", "sites-lit", "backbone-reach",
            "inclusion-wards", "residents-supported", "academy-staff-trained", "young-people-reached",
            "scr-providers-live", "soc-response-minutes", "transactions-online"} <= set(ids)
    fw = config.framework
    assert fw.priorities == ("Core Business Transformation", "System Flow", "Security Operations Centre")
    assert "Digital Skills (the Digital Academy)" in fw.cross_cutting and "Shared Care Record" in fw.cross_cutting
    assert fw.life_stages == ("Start well", "Live well", "Age well")
    assert "example workspace" in fw.label  # the example's lists are labelled as the example's
    leeds = config.get("gigabit-E08000035")
    assert leeds.source.area == "E08000035" and leeds.target.value == 99 and leeds.target.date == date(2030, 12, 31)


def _write(tmp_path: Path, old: str, new: str) -> Path:
    assert old in METRICS, old
    path = tmp_path / "metrics.toml"
    path.write_text(METRICS.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "says"), [
    ('priority = "Digital Inclusion"', 'priority = "Digital Inclusoin"',
     "metric 'residents'.priority = 'Digital Inclusoin' is not a priority in [framework]. Did you mean 'Digital Inclusion'?"),
    ('direction = "lower"', 'direction = "down"', "metric 'soc-minutes'.direction = 'down' is not known"),
    ('target = { value = 1000, date = "2030-12-31" }', "target = { value = 1000 }",
     "metric 'residents'.target has no date. A target needs the date it applies to"),
    ('life_stage = "Age well"\nunit = "residents"', 'life_stage = "Old age"\nunit = "residents"',
     "metric 'residents'.life_stage = 'Old age' is not a life stage"),
    ('source = { kind = "entered" }', 'source = { kind = "typed" }', "metric 'residents'.source.kind = 'typed' is not known"),
    ('figure = "scr_providers_live"', 'figure = "scr_live"', "figure = 'scr_live' is not a records figure"),
    ("tolerance = 50", 'tolerance = "fifty"', "metric 'residents'.tolerance = 'fifty' is not a number"),
    ('title = "Residents supported"', 'title = "Residents supported"\ntarget_value = 3',
     "unknown key 'target_value' in metric 'residents'"),
    ('id = "soc-minutes"', 'id = "residents"', "metric id 'residents' is used twice"),
    ('baseline = { value = 100, date = "2024-01-01" }', 'baseline = { value = 100, date = "2031-01-01" }',
     "baseline.date (2031-01-01) is not before target.date"),
    ('value = 99\ndate = "2030-12-31"', 'value = 100\ndate = "2030-12-31"', "a coverage target is a percentage above 0"),
    # a coverage target is set once: a store metric of the indicator may not set its own
    ('source = { kind = "store", indicator = "gigabit", area = "E08000035" }',
     'target = { value = 90, date = "2030-12-31" }\nsource = { kind = "store", indicator = "gigabit", area = "E08000035" }',
     "has its target in a [[target]] table"),
    ('[[target]]\nindicator = "gigabit"', '[[target]]\nindicator = "gigabit"\nvalue = 98\ndate = "2030"\n[[target]]\nindicator = "gigabit"',
     "indicator 'gigabit' has two [[target]] tables"),
    ('[[target]]\nindicator = "gigabit"\nvalue = 99', '[[forecast]]\nindicator = "gigabit"\ntarget = 99',
     "[[forecast]] tables are now [[target]] tables"),
    # a store metric without a [[target]] for its indicator needs its own target
    ('target = { value = 50, date = "2030-12-31" }\nsource = { kind = "store", indicator = "fixed_wireless"',
     'source = { kind = "store", indicator = "fixed_wireless"', "or add a [[target]] for indicator"),
])
def test_each_mistake_names_the_file_and_the_key(tmp_path: Path, old: str, new: str, says: str):
    path = _write(tmp_path, old, new)
    with pytest.raises(ConfigError) as caught:
        parse_file(path, programme=PROGRAMME)
    assert str(path) in str(caught.value) and says in str(caught.value)


def test_dates_may_be_a_year_or_a_month_meaning_its_end(tmp_path: Path):
    path = _write(tmp_path, 'target = { value = 30, date = "2030-12-31" }', 'target = { value = 30, date = "2027-02" }')
    assert parse_file(path, programme=PROGRAMME).get("soc-minutes").target.date == date(2027, 2, 28)
    path = _write(tmp_path, 'target = { value = 30, date = "2030-12-31" }', 'target = { value = 30, date = "2028" }')
    assert parse_file(path, programme=PROGRAMME).get("soc-minutes").target.date == date(2028, 12, 31)


def test_each_district_becomes_one_metric_per_district(tmp_path: Path):
    path = _write(tmp_path, 'area = "E08000035"', 'area = "each district"')
    ids = [m.id for m in parse_file(path, "E47000003", ("E08000035", "E08000032"), PROGRAMME).metrics]
    assert ids[:2] == ["gigabit-leeds-E08000035", "gigabit-leeds-E08000032"]


def test_a_workspace_names_a_metrics_file_that_is_not_there(tmp_path: Path):
    from tests.conftest import copy_workspace

    root = copy_workspace(tmp_path / "ws")
    (root / "metrics.toml").unlink()
    with pytest.raises(ConfigError, match=r"\[metrics\] file = 'metrics.toml' does not exist"):
        workspace.load(root).metrics  # noqa: B018 - reading the section raises its error
