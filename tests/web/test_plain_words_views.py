"""Views that were empty or wrong (issue 23, item 7), each as a reader meets it: What changed by
ward with one release, and for an indicator with no ward figures; the trend chart's direct labels
at their own line's end; the few-area bars in one colour; "Download this view" returning exactly
the rows shown; table columns no row fills left out.

Expected positions are derived by hand from the chart's stated geometry (a 640 x 300 view box,
plot from y = 14 to y = 270), never read back from the chart code."""

from __future__ import annotations

import csv
import html
import io
import re

from observatory.web.charts import LABEL_GAP, label_positions, lines_svg


def test_what_changed_by_ward_with_one_release_shows_no_change(client):
    """The fixture's wards have one (synthetic) gigabit release: no "July 2025 to July 2025", no
    biggest movers at +0.0, and the page says why and links to the districts."""
    page = client.get("/changes?level=ward&indicator=gigabit")
    assert page.status_code == 200
    text = page.text
    assert not re.search(r"What changed, (\w+ \d{4}) to \1", text)
    assert 'id="movers"' not in text and "+0.0" not in text
    assert "one release only" in text
    assert 'href="/changes?indicator=gigabit&amp;level=lad"' in text
    # the four wards of the two districts, with their one figure each
    assert len(re.findall(r'<tr class="govuk-table__row" data-code="E05', text)) == 4


def test_what_changed_for_an_indicator_without_ward_figures_says_so(client):
    page = client.get("/changes?level=ward&indicator=full_fibre")
    assert page.status_code == 200
    assert not re.search(r"What changed,\s*to\b", page.text)  # the caption that dead-ended
    words = " ".join(re.sub(r"<[^>]+>", "", page.text).split())
    assert "There are no full fibre (FTTP) availability figures by ward" in words
    assert 'href="/changes?indicator=full_fibre&amp;level=lad">Compare the districts</a>' in page.text
    assert 'id="changes-table"' not in page.text


def test_what_changed_by_district_still_compares_two_releases(client):
    page = client.get("/changes?indicator=gigabit&since=2024-07")
    assert "What changed, July 2024 to July 2025" in page.text
    assert 'id="movers"' in page.text


def _labels(svg: str) -> dict[str, tuple[float, float, float]]:
    """name -> (the leader's start y, the leader's end y, the label's baseline y)."""
    out = {}
    for leader, name in re.findall(r'<polyline points="([^"]+)"[^>]*class="obs-leader"/><text [^>]*>([^<]+)</text>', svg):
        points = [tuple(map(float, p.split(","))) for p in leader.split()]
        out[html.unescape(name)] = (points[0][1], points[-1][1], points[-1][1])
    return out


def test_each_trend_label_sits_at_its_own_lines_end():
    """England ends at 88% and Calderdale at 77% (the bug: England labelled at 77%). With values
    from 70 to 100 the plot maps 100% to y = 14 and 70% to y = 270, so 88% is at
    14 + 256 x 12/30 = 116.4 and 77% at 14 + 256 x 23/30 = 210.3."""
    lines = [
        {"code": "E92000001", "name": "England", "england": True, "points": [("2022-09", 72.0), ("2026-01", 88.0)]},
        {"code": "E08000033", "name": "Calderdale", "england": False, "points": [("2022-09", 70.0), ("2026-01", 77.0)]},
        {"code": "E08000035", "name": "Leeds", "england": False, "points": [("2022-09", 75.0), ("2026-01", 88.5)]},
    ]
    svg = str(lines_svg(lines, "Gigabit-capable broadband", "%"))
    labels = _labels(svg)
    assert set(labels) == {"England", "Calderdale", "Leeds"}
    assert abs(labels["England"][0] - 116.4) < 0.2  # the leader starts at England's own last point
    assert abs(labels["Calderdale"][0] - 210.3) < 0.2
    assert abs(labels["Calderdale"][2] - 210.3) < 0.2  # alone at its height: the label at its line
    # England and Leeds end half a point apart: their labels are pushed apart, but each stays
    # within one label's height of its own line, and in the same order as the lines
    assert abs(labels["England"][2] - labels["Leeds"][2]) >= LABEL_GAP - 0.01
    assert abs(labels["England"][2] - 116.4) <= LABEL_GAP
    assert labels["Leeds"][2] < labels["England"][2]  # Leeds (88.5%) is the higher line


def test_labels_are_spread_apart_in_order_and_kept_on_the_chart():
    wanted = [100, 101, 102, 103, 300, 5]
    placed = label_positions(wanted, 13, 10, 270)
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    ys = [placed[i] for i in order]
    assert all(b - a >= 13 - 1e-9 for a, b in zip(ys, ys[1:], strict=False))
    assert all(10 <= y <= 270 for y in ys)


def test_a_few_districts_are_drawn_as_bars_of_one_colour(client):
    page = client.get("/map?indicator=gigabit&level=lad")
    bars = re.search(r'<svg class="obs-chart obs-bars".*?</svg>', page.text, re.S)
    assert bars, "no bar chart for two districts"
    fills = set(re.findall(r'<rect [^>]*fill="([^"]+)"', bars.group(0)))
    assert len(fills) == 1, fills


def test_download_this_view_returns_the_rows_shown(real_client):
    """The district map of the region shows its five districts: the CSV behind its link holds
    those five, not the 361 districts of the UK."""
    page = real_client.get("/map?indicator=gigabit&level=lad")
    shown = real_client.get("/map.json?indicator=gigabit&level=lad").json()["total"]
    assert shown == 5
    link = html.unescape(re.search(r'href="(/download\?[^"]*format=csv[^"]*)"', page.text).group(1))
    rows = list(csv.DictReader(io.StringIO(real_client.get(link).text)))
    assert len(rows) == 5
    assert {r["area_name"] for r in rows} == {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}
    ward_page = real_client.get("/map?indicator=sfbb&level=ward&within=E08000033")
    link = html.unescape(re.search(r'href="(/download\?[^"]*format=csv[^"]*)"', ward_page.text).group(1))
    wards = list(csv.DictReader(io.StringIO(real_client.get(link).text)))
    assert len(wards) == real_client.get("/map.json?indicator=sfbb&level=ward&within=E08000033").json()["total"]
    assert {r["district_name"] for r in wards} == {"Calderdale"}


def test_columns_no_row_fills_are_left_out(real_client):
    """ONS's gigabit series gives percentages without counts: its table has no empty "Premises
    covered" column; superfast broadband (Ofcom, with counts) keeps it."""
    def header(page: str) -> str:
        table = page[page.index('id="figures-table"'):]
        return " ".join(re.sub(r"<[^>]+>", " ", table[:table.index("</thead>")]).split())

    gigabit = real_client.get("/map?indicator=gigabit&level=lad").text
    assert "Premises covered" not in header(gigabit) and "All premises" not in header(gigabit)
    sfbb = real_client.get("/map?indicator=sfbb&level=lad").text
    assert "Premises covered" in header(sfbb)
    table = sfbb[sfbb.index('id="figures-table"'):]
    # no internal release id in the table's Data column
    assert not re.search(r"\b(ons|ofcom)-[a-z-]+-\d{4}-\d{2}\b", table[:table.index("</table>")])
