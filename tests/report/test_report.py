"""The annual update as a member reads it: the PDF's text, its pages, its tags, and a workspace that
has less data. Expected figures are read here from the publishers' files, the built store (DuckDB,
queried directly) and the records database (SQLite), never from the report code.

The report under test is written for a copy of the bundled workspace with its records seeded as
`make demo` seeds them (board actions, the Shared Care Record register, the programme register and
metric values), so every section is present."""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
import subprocess
import zlib
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from observatory import pipeline, workspace
from observatory.cli import app
from observatory.report import write_report

from ..conftest import REPO, WORKSPACE, copy_workspace
from .conftest import pdf_text_of

ARTIFACTS = REPO / "test-artifacts" / "report"
ONS = WORKSPACE / "data" / "coverage" / "ons_els_gigabit_capable_broadband_la_timeseries.csv"
OFCOM = WORKSPACE / "data" / "coverage" / "ofcom_202507_fixed_laua_coverage_r01.csv"
WY = {"E08000032": "Bradford", "E08000033": "Calderdale", "E08000034": "Kirklees", "E08000035": "Leeds",
      "E08000036": "Wakefield"}
# The committee paper's body, in order (issue 23): what the board reads before the appendices.
SECTION_TITLES = ("Summary", "What the board is asked to note and to decide", "Coverage",
                  "Where to act: digital inclusion", "The Full Fibre programme", "Metrics off track",
                  "The board's actions", "The Shared Care Record")
# Long tables (every ward, every metric, every release, every provider, every kind of coverage
# challenge where there are any) and the method are appendices, lettered in this order.
APPENDICES = ("Gigabit-capable broadband by ward", "Every strategy metric", "Coverage by district at every release",
              "Shared Care Record: each provider organisation", "Coverage challenges by what went wrong",
              "Methodology and sources")
OPTIONAL_APPENDICES = ("Coverage challenges by what went wrong",)  # only where challenges were reported
# The committee paper's body (its first page, with the title, contents and summary, up to the page
# before Appendix A) is at most twelve pages (issue 23).
BODY_PAGES = 12
ENGLAND = "E92000001"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils missing: run `make test`, which installs it")


def _pdfinfo(path: Path) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}



def _without_page_furniture(pdf_text: str) -> str:
    """The PDF's text as one flow: each page without its running header and its footer."""
    flow = []
    for n, page in enumerate(pdf_text.split("\f")):
        lines = [ln for ln in page.splitlines() if not re.search(r"Page \d+ of \d+\s*$", ln)]
        if n and lines and "Digital infrastructure: annual update" in lines[0]:
            lines = lines[1:]
        flow.append("\n".join(lines))
    return "\n".join(flow)


def _words(month: str) -> str:
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"


class StoreFigures:
    """Figures read straight from the built store, as the publisher's row or the store's roll-up."""

    def __init__(self, path: Path):
        self.con = duckdb.connect(str(path), read_only=True)
        self.region = self.con.execute("SELECT value FROM meta WHERE key = 'region_code'").fetchone()[0]
        self.region_name = self.con.execute("SELECT name FROM areas WHERE code = ?", [self.region]).fetchone()[0]

    def months(self, area: str, indicator: str) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT DISTINCT release FROM facts WHERE area_code = ? AND indicator = ? AND value IS NOT NULL "
            "ORDER BY release", [area, indicator]).fetchall()]

    def value(self, area: str, indicator: str, month: str) -> float:
        # the publisher's own figure first, then a roll-up; real before synthetic
        return self.con.execute(
            "SELECT value FROM facts WHERE area_code = ? AND indicator = ? AND release = ? AND value IS NOT NULL "
            "ORDER BY synthetic, CASE method WHEN 'published' THEN 0 WHEN 'rolled-up' THEN 1 ELSE 2 END LIMIT 1",
            [area, indicator, month]).fetchone()[0]

    def as_at(self, area: str, indicator: str, year: int) -> str | None:
        known = [m for m in self.months(area, indicator) if int(m[:4]) <= year]
        return known[-1] if known else None


@pytest.fixture(scope="module")
def store_figures(seeded_workspace: Path):
    figures = StoreFigures(workspace.load(seeded_workspace).store_path)
    yield figures
    figures.con.close()


def _ons_gigabit(period: str) -> dict[str, float]:
    with ONS.open(encoding="utf-8") as f:
        return {r["area_code"]: float(r["gigabit_pct_premises"]) for r in csv.DictReader(f)
                if r["period"] == period and r["area_code"] in WY}


@needs_poppler
def test_pdf_holds_each_districts_gigabit_figure_as_ons_published_it(report):
    """The newest ONS release the report year holds (January 2026), district by district."""
    assert report.year == 2026
    text = pdf_text_of(report.pdf)
    published = _ons_gigabit("2026-01")
    assert len(published) == 5
    for code, value in published.items():
        line = next(ln for ln in text.splitlines() if re.search(rf"\b{WY[code]}\s+{value:.1f}%\s+January", ln))
        assert line, (code, value)


@needs_poppler
def test_pdf_holds_superfast_shares_derived_from_ofcoms_counts(report):
    with OFCOM.open(encoding="utf-8") as f:
        rows = {r["laua"]: r for r in csv.DictReader(f) if r["laua"] in WY}
    text = pdf_text_of(report.pdf)
    for code, r in rows.items():
        share = 100 * float(r["Number of premises with SFBB availability"]) / float(r["All Premises"])
        assert re.search(rf"{WY[code]}\s+{share:.1f}%\s+July 2025", text), (WY[code], share)


@needs_poppler
def test_summary_says_what_changed_with_both_months(report, pdf_text, store_figures):
    """Gigabit in the region: its newest figure in this observatory, and 'rose from X%' at the
    newest release at least twelve months before it (the one change every view shows: issue 20),
    with England over the same months; full fibre likewise, where the releases are more than a year
    apart saying how far apart and which releases the observatory lacks. Every figure as the store
    holds it, rounded once."""
    f = store_figures
    # the summary follows the contents on the first page and runs on to the second
    body = _without_page_furniture(pdf_text)
    body = body[body.index("1. Summary", body.index("Appendix A.")):]
    summary = " ".join(body[:body.index("2. What the board is asked")].split())

    def year_before(area: str, indicator: str, month: str) -> str:
        cutoff = f"{int(month[:4]) - 1}-{month[5:7]}"  # twelve months before
        return [m for m in f.months(area, indicator) if m <= cutoff][-1]

    now = f.as_at(f.region, "gigabit", report.year)
    before = year_before(f.region, "gigabit", now)
    n, b = f.value(f.region, "gigabit", now), f.value(f.region, "gigabit", before)
    verb = "rose" if n > b else "fell"
    assert (f"Gigabit-capable broadband coverage in {f.region_name} was {n:.1f}% in {_words(now)}, the newest "
            f"release of it in this observatory. It {verb} from {b:.1f}% in {_words(before)} (twelve months "
            f"earlier): {'up' if n > b else 'down'} {abs(n - b):.1f} percentage points.") in summary, summary[:1500]
    en, eb = f.value(ENGLAND, "gigabit", now), f.value(ENGLAND, "gigabit", before)
    assert f"England over the same months: {eb:.1f}% to {en:.1f}%." in summary
    assert "no newer release has been published" not in summary

    ff_now = f.as_at(f.region, "full_fibre", report.year)
    sentence = summary[summary.index(f"Full fibre (FTTP) coverage in {f.region_name}"):]
    assert f"{f.value(f.region, 'full_fibre', ff_now):.1f}% in {_words(ff_now)}, the newest release" in sentence
    ff_before = year_before(f.region, "full_fibre", ff_now)
    apart = (int(ff_now[:4]) * 12 + int(ff_now[5:7])) - (int(ff_before[:4]) * 12 + int(ff_before[5:7]))
    if apart > 12:  # July 2025 against September 2023: 22 months, said
        assert f"in {_words(ff_before)} ({apart} months apart" in sentence[:400], sentence[:400]
    assert f"{f.value(ENGLAND, 'full_fibre', ff_now):.1f}%" in sentence
    # the superfast figure too, and the headline table beside the sentences
    sf_now = f.as_at(f.region, "sfbb", report.year)
    assert f"{f.value(f.region, 'sfbb', sf_now):.1f}% in {_words(sf_now)}" in summary
    assert "Headline coverage" in summary


@needs_poppler
def test_summary_holds_the_records_headline_figures(report, pdf_text, seeded_workspace: Path):
    """The year at a glance: the Shared Care Record, the board's actions and the programme, counted
    here from the records database itself."""
    pages = pdf_text.split("\f")
    asked = next(i for i, p in enumerate(pages) if i and re.search(r"^\s*2\. What the board is asked", p, re.M))
    summary = " ".join(" ".join(pages[asked:asked + 2]).split())  # "To note", after the summary
    with sqlite3.connect(seeded_workspace / "records.sqlite") as db:
        scr = dict(db.execute("SELECT status, COUNT(*) FROM scr_access GROUP BY status").fetchall())
        total, done = db.execute("SELECT COUNT(*), SUM(status = 'done') FROM actions").fetchone()
        lit = db.execute(
            "SELECT COUNT(*) FROM programme_site_status s WHERE status = 'lit' AND id = (SELECT t.id FROM "
            "programme_site_status t WHERE t.site_id = s.site_id ORDER BY t.date DESC, t.id DESC LIMIT 1)").fetchone()[0]
        sites = db.execute("SELECT COUNT(*) FROM programme_sites").fetchone()[0]
    assert (f"Shared Care Record: {scr.get('live', 0)} provider organisations can access patient health records; "
            f"{scr.get('onboarding', 0)} are being connected and {scr.get('planned', 0)} planned") in summary
    assert f"of {total} resolutions, {done} are done" in summary
    assert f"Full Fibre programme: {lit:,} of {sites:,} sites lit" in summary


@needs_poppler
def test_every_section_title_and_page_furniture(report, pdf_text):
    text = pdf_text
    pages = text.split("\f")
    contents = pages[0]
    for n, title in enumerate(SECTION_TITLES, start=1):
        assert re.search(rf"^\s*{n}\. {re.escape(title)}", text, re.M), title  # the heading, numbered in order
        assert re.search(rf"{n}\. {re.escape(title)}\s*\.*\s*\d+", contents), title  # in the contents, with a page
    present = [t for t in APPENDICES if t not in OPTIONAL_APPENDICES or f". {t}" in contents]
    for letter, title in zip("ABCDEFGH", present, strict=False):
        assert re.search(rf"^\s*Appendix {letter}\. {re.escape(title)}", text, re.M), title
        assert re.search(rf"Appendix {letter}\. {re.escape(title)}\s*\.*\s*\d+", contents), title
    count = int(_pdfinfo(report.pdf)["Pages"])
    # the body: every page before the one Appendix A starts on, as the PDF's own text and its
    # contents list both say
    first_appendix = next(i for i, p in enumerate(pages) if i and re.search(r"^\s*Appendix A\.", p, re.M))
    listed = int(re.search(r"Appendix A\. [^\n]*?\.*\s*(\d+)\s*$", contents, re.M).group(1))
    assert listed == first_appendix + 1
    assert first_appendix <= BODY_PAGES, first_appendix
    assert re.search(r"^\s*1\. Summary\s*$", contents[contents.index("Appendix A."):], re.M)  # on page 1
    assert f"Page {count} of {count}" in text
    assert "Contents" in contents
    # running headers: the report's title and the section on every page after the cover
    for page in pages[1:count]:
        assert "Digital infrastructure: annual update 2026" in page.splitlines()[0]
    assert "Not in this report" not in text  # the seeded workspace has every section


@needs_poppler
def test_pdf_is_tagged_with_title_and_language(report):
    info = _pdfinfo(report.pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "West Yorkshire: digital infrastructure annual update 2026"
    raw = report.pdf.read_bytes()
    inflated = b"".join(_inflate(s) for s in re.findall(rb"stream\r?\n(.*?)endstream", raw, re.S))
    assert b"/Lang (en-GB)" in raw + inflated
    assert b"/StructTreeRoot" in raw + inflated


def test_every_image_has_alternative_text(report):
    """A tagged PDF (PDF/UA) needs alternative text on every image, the map keys' swatches too,
    and screen readers read it in the HTML: the swatches say which shade they are, lightest first."""
    html = report.html.read_text(encoding="utf-8")
    images = re.findall(r"<img\b[^>]*>", html)
    assert images
    missing = [i[:80] for i in images if not re.search(r'\balt="[^"]+"', i)]
    assert not missing, missing
    keys = re.findall(r'<img[^>]*alt="(Shade [^"]*)"[^>]*class="swatch"', html)
    assert keys and keys[0].startswith("Shade 1 of ") and "the lightest" in keys[0]
    last = next(k for k in keys if "darkest" in k)
    assert last.startswith(f"Shade {last.split(' of ')[1].split(',')[0]} of")  # the last shade of its key


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return b""


@needs_poppler
def test_illustrative_pages_say_so(report, pdf_text):
    """The ward map comes from the synthetic output-area file, and the records are demonstration
    records: every page that shows them carries the warning."""
    pages = pdf_text.split("\f")
    ward_pages = [p for p in pages[1:] if "by ward" in p]  # after the contents, which name Appendix A
    assert ward_pages
    assert all("Illustrative data on this page" in p for p in ward_pages)
    # the district map sits beside its table, so their captions share lines in the text
    district_map = next(p for p in pages if "Gigabit-capable broadband by district," in p and "Data for the map:" in p)
    assert "Illustrative data on this page" not in district_map
    for heading in ("Where to act", "The Full Fibre programme", "The board's actions", "The Shared Care Record"):
        shown = [p for p in pages if p.splitlines() and heading in p.splitlines()[0]]
        assert shown and all("Illustrative data on this page" in p for p in shown), heading


@needs_poppler
def test_pages_rendered_as_images_for_review(report):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(report.pdf), str(ARTIFACTS / "page")], check=True)
    shutil.copy(report.pdf, ARTIFACTS / report.pdf.name)
    assert len(list(ARTIFACTS.glob("page-*.png"))) == int(_pdfinfo(report.pdf)["Pages"])


def test_html_is_self_contained(report):
    html = report.html.read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    images = re.findall(r'<img src="([^"]+)"', html)
    # every chart has a text alternative: sparklines are SVG images with a label
    assert html.count('<svg class="spark"') == html.count('role="img" aria-label="') > 0
    # headings in order: one h1, then h2s and h3s, never skipping a level
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert all(re.search(r'alt="[^"]*"', tag) for tag in re.findall(r"<img [^>]+>", html))
    # every map is followed by its data table
    assert html.count('<figure class="map') == html.count("Data for the map:") == 2


def test_workspace_with_district_data_only_writes_a_shorter_report(tmp_path: Path, report):
    text = (WORKSPACE / "observatory.toml").read_text(encoding="utf-8")
    small_area = text[text.index("[[sources]]\n# SYNTHETIC"):]
    root = copy_workspace(tmp_path / "districts-only", {small_area: ""})
    pipeline.run(workspace.load(root))
    written = write_report(workspace.load(root), out=tmp_path / "out")
    html = written.html.read_text(encoding="utf-8")
    assert written.pdf.read_bytes().startswith(b"%PDF")
    # sections whose data the workspace lacks are left out with a sentence saying why
    assert "Not in this report" in html and "No records are kept in this observatory yet." in html
    assert html.count('<figure class="map') == 1  # districts, no wards
    assert 'class="illustrative-banner"' not in html and '<span class="illustrative">' not in html
    assert len(html) < len(report.html.read_text(encoding="utf-8"))
    if shutil.which("pdfinfo"):
        assert int(_pdfinfo(written.pdf)["Pages"]) < int(_pdfinfo(report.pdf)["Pages"])
        text = " ".join(pdf_text_of(written.pdf).split())
        assert "Not in this report" in text and "The board's actions." in text


def test_cli_writes_both_and_refuses_bad_options(built_workspace: Path, tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["report", "-w", str(built_workspace), "--out", str(tmp_path), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "index.html").exists() and not list(tmp_path.glob("*.pdf"))
    result = runner.invoke(app, ["report", "-w", str(built_workspace), "--year", "2031", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--year 2031" in result.output and "Use --year 2026" in result.output
    result = runner.invoke(app, ["report", "-w", str(built_workspace), "--format", "docx", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "html, pdf" in result.output


def test_dashboard_serves_the_latest_report_and_says_how_to_write_one(built_workspace: Path, tmp_path: Path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from observatory.web.app import create_app

    store_path = workspace.load(built_workspace).store_path
    empty = tmp_path / "no-report"
    empty.mkdir()
    with TestClient(create_app(store_path, workspace_dir=empty)) as c:
        page = c.get("/report")
        assert page.status_code == 200 and "observatory report" in page.text
        assert c.get("/report.json").json()["written"] is False
    write_report(workspace.load(built_workspace), formats=("html", "pdf"))
    with TestClient(create_app(store_path, workspace_dir=built_workspace)) as c:
        page = c.get("/report/read")
        assert page.status_code == 200 and "annual update 2026" in page.text
        assert "style-src 'unsafe-inline'" in page.headers["content-security-policy"]
        listing = c.get("/report.json").json()
        assert listing["written"] is True
        assert [(p["year"], p["url"]) for p in listing["pdfs"]] == [(2026, "/report/annual-update-2026.pdf")]
        pdf = c.get("/report/annual-update-2026.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert c.get("/report/..%2Fobservatory.toml").status_code == 404
        assert c.get("/report/annual-update-1999.pdf").status_code == 404
