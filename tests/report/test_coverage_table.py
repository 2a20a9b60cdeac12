"""The report's table of coverage by district holds every district whatever their number: a
region of five gets a district a column, a region of thirty-five a district a row (columns for
35 districts would run off the page, as they did for Greater Manchester's ten)."""

from __future__ import annotations

import re

import pytest

from observatory.report.render import environment


def _coverage(n: int) -> dict:
    indicators = [{"id": "gigabit", "label": "Gigabit-capable broadband", "target": None},
                  {"id": "full_fibre", "label": "Full fibre", "target": 80.0}]
    districts = [{"name": f"District {i:02d}", "figures": {
        "gigabit": {"now": {"value": 50.0 + i, "release": "2026-01", "synthetic": False}},
        "full_fibre": {"now": {"value": 40.0 + i / 2, "release": "2025-07", "synthetic": False}}}}
        for i in range(n)]
    return {"districts": districts, "indicators": indicators, "illustrative": False, "change_words": "",
            "freshness": []}


@pytest.mark.parametrize("n", [5, 10, 35])
def test_every_district_and_figure_is_in_the_table(n: int) -> None:
    html = environment().get_template("coverage.html").render(coverage=_coverage(n), maps=[],
                                                              letter_of={"coverage": "A"})
    table = html[html.index("<table"):html.index("</table>")]
    for i in range(n):
        assert f"District {i:02d}" in table
        assert f"{50.0 + i:.1f}%" in table and f"{40.0 + i / 2:.1f}%" in table
    columns = len(re.findall(r'<th scope="col"', table))
    assert columns <= 8, "no more columns than a page's width holds"
    assert "January 2026" in table and "July 2025" in table  # each indicator's release, in words
