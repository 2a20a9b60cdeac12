"""The metrics pages and API over the small workspace: grouped by priority with the matrix, status
in words (never colour alone), a metric's chart, table and rule, and the forecasts."""

from __future__ import annotations

from tests.strategy.test_entered import client  # noqa: F401


def test_the_metrics_page_groups_by_priority_with_the_matrix(client):  # noqa: F811
    page = client.get("/metrics")
    assert page.status_code == 200
    html = page.text
    assert 'id="priority-matrix"' in html and "Security Operations Centre" in html and "Age well" in html
    assert 'href="/metrics"' in html  # the navigation entry
    # every status tag carries its word: no colour without text
    assert 'data-status="no data">No data</strong>' in html
    assert "the store holds no indicator" in html  # the rule beside the status
    assert '<svg class="spark"' in html  # Leeds gigabit has three values


def test_a_metric_page_has_its_chart_table_and_rule(client):  # noqa: F811
    html = client.get("/metrics/gigabit-leeds").text
    assert '<svg class="obs-chart"' in html and "Fitted trend" in html and "80% band" in html
    assert 'id="values-table"' in html and "July 2025" in html and "levels off as it nears 100%" in html


def test_the_api_lists_metrics_with_filters_and_refuses_a_bad_one(client):  # noqa: F811
    data = client.get("/api/v1/metrics", params={"priority": "Digital Infrastructure"}).json()
    ids = [m["id"] for g in data["groups"] for m in g["metrics"]]
    assert ids == ["gigabit-leeds", "missing-indicator", "sites-lit"]
    assert data["matrix"]["life_stages"] == ["Start well", "Live well", "Age well"]
    bad = client.get("/api/v1/metrics", params={"status": "purple"})
    assert bad.status_code == 422 and "Allowed values: green, amber, red, no data" in bad.json()["error"]["message"]
    assert client.get("/api/v1/metrics/nope").status_code == 404


def test_forecasts_for_the_region_and_districts(client):  # noqa: F811
    data = client.get("/api/v1/forecasts").json()
    assert data["targets"][0]["value"] == 99
    by_area = {f["area_code"]: f for f in data["forecasts"]}
    # the fixture store: Leeds 75, 80, 85% gigabit; the region and both districts are forecast,
    # with the status the metric of the same indicator and area has
    metric = client.get("/api/v1/metrics/gigabit-leeds").json()
    assert by_area["E08000035"]["latest"] == 85.0 and by_area["E08000035"]["status"] == metric["status"]
    assert set(by_area) >= {"E08000035", "E08000032"}


def test_an_area_profile_shows_its_coverage_forecasts(client):  # noqa: F811
    html = client.get("/areas/E08000035").text
    import re

    text = " ".join(re.sub(r"<[^>]+>", "", html).split())  # the words, with their glossary links
    assert 'id="forecasts"' in html and "Gigabit-capable broadband, Leeds: 85.0% in July 2025" in text
    # a ward has no forecast section
    assert 'id="forecasts"' not in client.get("/areas/E05001420").text


def test_the_area_api_and_the_pages_json_agree_with_forecasts(client):  # noqa: F811
    api = client.get("/api/v1/areas/E08000035").json()
    assert api == client.get("/areas/E08000035.json").json() and api["forecasts"][0]["indicator"] == "gigabit"


def test_an_area_profile_follows_an_edited_target_without_a_rebuild(client, metrics_ws):  # noqa: F811
    """The profile's figures are kept per store (web/live.py Snapshot.remember), and the settings
    they read are part of what they are kept on: an officer's new target shows at once."""
    def gigabit_target() -> float:
        figures = client.get("/api/v1/areas/E08000035").json()["figures"]
        return next(f["target"] for f in figures if f["indicator"] == "gigabit")

    assert gigabit_target() == 99
    metrics = metrics_ws / "metrics.toml"
    metrics.write_text(metrics.read_text(encoding="utf-8").replace("value = 99\n", "value = 97\n", 1), encoding="utf-8")
    assert gigabit_target() == 97
