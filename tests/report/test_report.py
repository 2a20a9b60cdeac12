"""The annual update as a member reads it: the PDF's text, its pages, its tags, and a workspace that
has less data. Expected figures are read here from the publishers' files, not from the report code."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory import pipeline, workspace
from observatory.cli import app
from observatory.report import write_report

from ..conftest import REPO, WORKSPACE, copy_workspace

ARTIFACTS = REPO / "test-artifacts" / "report"
ONS = WORKSPACE / "data" / "coverage" / "ons_els_gigabit_capable_broadband_la_timeseries.csv"
OFCOM = WORKSPACE / "data" / "coverage" / "ofcom_202507_fixed_laua_coverage_r01.csv"
WY = {"E08000032": "Bradford", "E08000033": "Calderdale", "E08000034": "Kirklees", "E08000035": "Leeds",
      "E08000036": "Wakefield"}
SECTION_TITLES = ("Summary", "Coverage", "Methodology and sources")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils missing: run `make test`, which installs it")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pdfinfo(path: Path) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}


@pytest.fixture(scope="module")
def report(built_workspace: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report")
    return write_report(workspace.load(built_workspace), out=out)


def _ons_gigabit(period: str) -> dict[str, float]:
    with ONS.open(encoding="utf-8") as f:
        return {r["area_code"]: float(r["gigabit_pct_premises"]) for r in csv.DictReader(f)
                if r["period"] == period and r["area_code"] in WY}


@needs_poppler
def test_pdf_holds_each_districts_gigabit_figure_as_ons_published_it(report):
    """The newest ONS release the report year holds (January 2026), district by district."""
    assert report.year == 2026
    text = _pdf_text(report.pdf)
    published = _ons_gigabit("2026-01")
    assert len(published) == 5
    for code, value in published.items():
        line = next(ln for ln in text.splitlines() if re.search(rf"\b{WY[code]}\s+{value:.1f}%\s+January", ln))
        assert line, (code, value)


@needs_poppler
def test_pdf_holds_superfast_shares_derived_from_ofcoms_counts(report):
    with OFCOM.open(encoding="utf-8") as f:
        rows = {r["laua"]: r for r in csv.DictReader(f) if r["laua"] in WY}
    text = _pdf_text(report.pdf)
    for code, r in rows.items():
        share = 100 * float(r["Number of premises with SFBB availability"]) / float(r["All Premises"])
        assert re.search(rf"{WY[code]}\s+{share:.1f}%\s+July 2025", text), (WY[code], share)


@needs_poppler
def test_summary_says_what_changed_with_both_months(report):
    """Gigabit in the region: the change since the figure last year's update showed (the newest
    release of 2025, July), rounded once from unrounded values."""
    text = " ".join(_pdf_text(report.pdf).split())
    m = re.search(r"gigabit-capable broadband in West Yorkshire Combined Authority was ([\d.]+)% in "
                  r"January 2026, (up|down) ([\d.]+) percentage points since July 2025", text)
    assert m, text[:2000]


@needs_poppler
def test_every_section_title_and_page_furniture(report):
    text = _pdf_text(report.pdf)
    for title in SECTION_TITLES:
        assert re.search(rf"^\s*\d+\. {title}", text, re.M), title
    pages = int(_pdfinfo(report.pdf)["Pages"])
    # cover and contents, summary, coverage with two maps and their tables, methodology
    assert 6 <= pages <= 30
    assert f"Page {pages} of {pages}" in text
    assert "Contents" in text


@needs_poppler
def test_pdf_is_tagged_with_title_and_language(report):
    info = _pdfinfo(report.pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "West Yorkshire: digital infrastructure annual update 2026"
    raw = report.pdf.read_bytes()
    inflated = b"".join(_inflate(s) for s in re.findall(rb"stream\r?\n(.*?)endstream", raw, re.S))
    assert b"/Lang (en-GB)" in raw + inflated
    assert b"/StructTreeRoot" in raw + inflated


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return b""


@needs_poppler
def test_illustrative_pages_say_so(report):
    """The ward map comes from the synthetic output-area file: its pages carry the warning."""
    pages = _pdf_text(report.pdf).split("\f")
    ward_pages = [p for p in pages if "by ward" in p]
    assert ward_pages
    assert all("Illustrative data on this page" in p for p in ward_pages)
    district_map = next(p for p in pages if "broadband by district, January 2026" in p)
    assert "Illustrative data on this page" not in district_map


@needs_poppler
def test_pages_rendered_as_images_for_review(report):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(report.pdf), str(ARTIFACTS / "page")], check=True)
    assert len(list(ARTIFACTS.glob("page-*.png"))) == int(_pdfinfo(report.pdf)["Pages"])


def test_html_is_self_contained(report):
    html = report.html.read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    images = re.findall(r'<img src="([^"]+)"', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert all(re.search(r'alt="[^"]*"', tag) for tag in re.findall(r"<img [^>]+>", html))
    # every map is followed by its data table
    assert html.count('<figure class="map">') == html.count("Data for the map:") == 2


def test_workspace_with_district_data_only_writes_a_shorter_report(tmp_path: Path, report):
    text = (WORKSPACE / "observatory.toml").read_text(encoding="utf-8")
    small_area = text[text.index("[[sources]]\n# SYNTHETIC"):]
    root = copy_workspace(tmp_path / "districts-only", {small_area: ""})
    pipeline.run(workspace.load(root))
    written = write_report(workspace.load(root), out=tmp_path / "out", formats=("html",))
    html = written.html.read_text(encoding="utf-8")
    assert html.count('<figure class="map">') == 1  # districts, no wards
    assert 'class="illustrative-banner"' not in html and '<span class="illustrative">' not in html
    assert len(html) < len(report.html.read_text(encoding="utf-8"))


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
        page = c.get("/report")
        assert page.status_code == 200 and "annual update 2026" in page.text
        assert "style-src 'unsafe-inline'" in page.headers["content-security-policy"]
        listing = c.get("/report.json").json()
        assert listing["written"] is True and listing["pdfs"] == [{"year": 2026, "url": "/report/annual-update-2026.pdf"}]
        pdf = c.get("/report/annual-update-2026.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert c.get("/report/..%2Fobservatory.toml").status_code == 404
        assert c.get("/report/annual-update-1999.pdf").status_code == 404
