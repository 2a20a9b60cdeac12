"""The command line as a new council's officer reads it on an 80-column terminal: messages wrap at
the terminal's width, tables fold rather than cut words, help texts have no stray line breaks, no
migration ids or raw database URLs, commands with nothing to show say so (exit 1), `init --region`
refuses a district and suggests the code meant, `serve` refuses a port in use before building and
suggests one that is free, and the programme's rate counts the site lit on the latest entry.

Expected codes, names and dates are read or derived here (the bundled ONS lookup, today's date),
not copied from what the commands print."""

from __future__ import annotations

import csv
import inspect
import io
import re
import socket
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer.main
from rich.console import Console
from typer.testing import CliRunner

from observatory.cli import app
from observatory.cli import common as cli_common
from observatory.cli.check_report import print_report
from observatory.levels import LEVEL_LABELS
from observatory.months import MONTHS, month_words
from observatory.programme import trajectory
from observatory.programme.progress import completion
from observatory.programme.register_io import COLUMNS as SITE_COLUMNS
from observatory.workspace import ProgrammeConfig

from .conftest import WORKSPACE

WIDTH = 80
runner = CliRunner()
CA_LOOKUP = WORKSPACE / "data" / "lookups" / "lad25_cauth25_en.csv"


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich reads COLUMNS once, when the consoles are made: set their width as a terminal would. The
    # attribute under Console.width, so that undoing it leaves no width behind for later tests.
    monkeypatch.setattr(cli_common.out, "_width", WIDTH)
    monkeypatch.setattr(cli_common.err, "_width", WIDTH)
    monkeypatch.delenv("OBSERVATORY_DATABASE_URL", raising=False)
    monkeypatch.delenv("OBSERVATORY_USER", raising=False)


def _run(*args: str):
    result = runner.invoke(app, list(args), env={"COLUMNS": str(WIDTH)})
    result.said = " ".join(result.output.split())  # the words, however the console wrapped them
    return result


def _fits(text: str) -> bool:
    return all(len(line.rstrip()) <= WIDTH for line in text.splitlines())


def _ca_members(code: str) -> dict[str, str]:
    with CA_LOOKUP.open(encoding="utf-8") as f:
        return {r["LAD25CD"]: r["LAD25NM"] for r in csv.DictReader(f) if r["CAUTH25CD"] == code}


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A combined authority's workspace as `init --region` writes it (no store built)."""
    folder = tmp_path_factory.mktemp("words") / "sy"
    result = runner.invoke(app, ["init", str(folder), "--region", "E47000002"])
    assert result.exit_code == 0, result.output
    return folder


# -- messages wrap at the terminal's width ------------------------------------------------------

def test_a_mistyped_region_code_wraps_and_suggests_the_code_meant(tmp_path):
    result = _run("init", str(tmp_path / "x"), "--region", "E4700001")  # a zero short of E47000001
    assert result.exit_code == 2 and _fits(result.stderr)
    name = next(r["CAUTH25NM"] for r in csv.DictReader(CA_LOOKUP.open(encoding="utf-8"))
                if r["CAUTH25CD"] == "E47000001")
    assert f"Did you mean --region E47000001 ({name}, combined authority)?" in result.said
    assert not (tmp_path / "x").exists()


def test_a_district_given_to_region_is_refused_with_the_districts_command(tmp_path):
    code, name = sorted(_ca_members("E47000001").items())[0]
    result = _run("init", str(tmp_path / "one"), "--region", code)
    assert result.exit_code == 2 and _fits(result.stderr)
    assert f"is a district ({name}, {code})" in result.said and f"--districts {code}" in result.said
    assert not (tmp_path / "one").exists()
    # by its name too; and the same district through --districts is a workspace of it
    assert _run("init", str(tmp_path / "one"), "--region", name.lower()).exit_code == 2
    written = _run("init", str(tmp_path / "one"), "--districts", code)
    assert written.exit_code == 0 and _fits(written.stdout) and name in written.said


def test_init_says_what_it_wrote_within_the_width(region, tmp_path):
    result = _run("init", str(tmp_path / "again"), "--region", "E47000002")
    assert result.exit_code == 0 and _fits(result.stdout)
    assert all(n in result.said for n in _ca_members("E47000002").values())


def test_a_missing_records_database_is_named_by_its_file_and_wraps(region):
    result = _run("sites", "progress", "-w", str(region))
    assert result.exit_code == 2 and _fits(result.stderr)
    assert "sqlite:" not in result.said and str(region / "records.sqlite") in result.said


def test_hubs_without_an_index_wraps(region):
    result = _run("hubs", "-w", str(region))
    assert result.exit_code == 2 and _fits(result.stderr) and "[inclusion]" in result.said


def test_reach_without_small_areas_says_why_within_the_width(region, monkeypatch):
    from observatory.cli import sites

    monkeypatch.setattr(sites, "_premises", lambda ws, required: None)  # as a store without postcodes
    result = _run("reach", "-w", str(region))
    assert result.exit_code == 1 and _fits(result.stderr)
    assert "No backbone reach to show" in result.said and "observatory build" in result.said


def test_check_tables_fold_at_eighty_columns_rather_than_cut_words():
    release_ids = ("ofcom-laua-2025-07", "ofcom-small-areas-2025-07", "ons-gigabit-2022-09")
    row = {"level": "lad", "indicator": "gigabit", "release": "2025-07", "method": "rolled-up",
           "published_in": release_ids[0], "rolled_from": release_ids[1], "synthetic": False, "compared": 1234,
           "value_differs": 2, "counts_differ": 3, "max_difference": 0.125}
    pair = {**row, "release": "2022-09", "first": release_ids[0], "second": release_ids[2]}
    report = {"comparisons": [row], "publishers": [pair], "differences": [], "publisher_differences": [],
              "findings": [{"kind": "geometry-repaired", "subject": "uk_lad2025_bgc.geojson.gz", "count": 97,
                            "detail": "lad polygons that were invalid and were repaired"}],
              "summary": ["Compared 1,234 district figures " + "and more words " * 12 + "all agree."],
              "incomplete_parents": [], "crosswalk": None, "problems": [], "shrunk_levels": []}
    buf = io.StringIO()
    print_report(report, Console(file=buf, width=WIDTH, color_system=None))
    text = buf.getvalue()
    assert _fits(text) and "…" not in text
    assert all(rid in text for rid in release_ids)  # each release id whole, on one line
    first_column = " ".join(" ".join(line.split("│")[1] for line in text.splitlines() if line.count("│") > 1).split())
    assert f"{LEVEL_LABELS['lad']}, gigabit, {month_words('2025-07')}" in first_column
    assert f"{LEVEL_LABELS['lad']}, gigabit, {month_words('2022-09')}" in first_column
    assert "1,234" in text and "2 / 3" in text and "0.125" in text


# -- help texts -----------------------------------------------------------------------------------

def _commands(group, name=""):
    if hasattr(group, "commands"):
        for sub_name, sub in group.commands.items():
            yield from _commands(sub, f"{name} {sub_name}".strip())
    else:
        yield name, group


def test_no_help_text_breaks_a_sentence_in_the_middle():
    # Typer joins the lines of a help's first paragraph only in the command's own help; the list of
    # commands and every later paragraph keep a docstring's line breaks as they are.
    for name, command in _commands(typer.main.get_command(app)):
        paragraphs = inspect.cleandoc(command.help or "").split("\n\n")
        assert all("\n" not in p for p in paragraphs), name
    listing = _run("records", "--help")
    assert listing.exit_code == 0 and _fits(listing.stdout)
    assert re.search(r"removed since\s*│\n│\s+it was written\.", listing.stdout) or \
        "removed since it was written." in listing.stdout


# -- words, not ids -------------------------------------------------------------------------------

def test_records_upgrade_says_what_it_did_in_words(region, cheap_passwords):
    created = _run("records", "upgrade", "-w", str(region))
    assert created.exit_code == 0, created.output
    assert f"Created the records database {region / 'records.sqlite'}" in created.said
    assert not re.search(r"\b\d{4}_[a-z]", created.said) and "sqlite:" not in created.said
    again = _run("records", "upgrade", "-w", str(region))
    assert again.exit_code == 0 and "already up to date" in again.said


class _Figures:
    """A store holding one figure, for the title of `observatory figures`."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def figures(self, *args, **kwargs):
        return [{"area_code": "G00000001", "area_name": "Three Cities", "area_local_name": None,
                 "area_local_name_kind": None, "suppressed": False, "value": 97.3, "numerator": None,
                 "denominator": None, "method": "rolled-up", "synthetic": False, "release": "2026-01"}]

    def indicator(self, indicator):
        return {"label": "Gigabit-capable broadband"}


def test_figures_title_names_the_level_and_month_in_words(monkeypatch):
    from observatory.cli import coverage

    monkeypatch.setattr(coverage, "open_store", lambda *workspace: _Figures())
    result = _run("figures", "--level", "group", "--indicator", "gigabit")
    assert result.exit_code == 0, result.output
    assert f"Gigabit-capable broadband: {LEVEL_LABELS['group']}, {month_words('2026-01')}" in result.said
    assert "group, 2026-01" not in result.said


# -- nothing to show: said, exit 1 ------------------------------------------------------------------

@pytest.fixture
def records_of(region, cheap_passwords, monkeypatch, tmp_path):
    """The region's workspace with an empty records database and an editor."""
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "observatory.toml").write_text((region / "observatory.toml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    (folder / "data").symlink_to(region / "data")
    monkeypatch.setenv("PW", "a long enough password")
    assert _run("records", "upgrade", "-w", str(folder)).exit_code == 0
    assert _run("users", "add", "eddie", "--role", "admin", "--password-env", "PW", "-w", str(folder)).exit_code == 0
    return folder


def test_empty_actions_log_and_register_say_how_to_add_and_exit_1(records_of):
    actions = _run("actions", "list", "-w", str(records_of))
    assert actions.exit_code == 1 and _fits(actions.stderr) and "┏" not in actions.output
    assert "No actions" in actions.said and "observatory actions import FILE" in actions.said
    register = _run("register", "list", "-w", str(records_of))
    assert register.exit_code == 1 and _fits(register.stderr) and "┏" not in register.output
    assert "No providers" in register.said and "observatory register add" in register.said
    assert "seed-demo" not in actions.said + register.said  # not the demo's workspace


def test_one_site_lit_is_counted_in_the_rate_and_one_added_is_one_site(records_of, tmp_path):
    lit_on = date.today() - timedelta(days=3)
    row = {c: "" for c in SITE_COLUMNS} | {"id": "S-1", "name": "Library", "kind": "library", "lat": "53.4",
                                            "lon": "-1.5", "illustrative": "no",
                                            "planned": (lit_on - timedelta(days=90)).isoformat(),
                                            "lit": lit_on.isoformat()}
    waiting = row | {"id": "S-2", "name": "School", "kind": "school", "lit": ""}  # so that one is still to light
    file = tmp_path / "two.csv"
    with file.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SITE_COLUMNS)
        w.writeheader()
        w.writerows([row, waiting])
    imported = _run("sites", "import", str(file), "--as", "eddie", "-w", str(records_of))
    assert imported.exit_code == 0, imported.output
    assert "2 sites added" in imported.said
    progress = _run("sites", "progress", "-w", str(records_of))
    assert _fits(progress.output)
    assert "1 site was lit in the last 6 months" in progress.said, progress.output
    assert f"{MONTHS[lit_on.month - 1]} {lit_on.year}" in progress.said
    assert "No site was lit" not in progress.said
    one = tmp_path / "one.csv"
    one.write_text(",".join(SITE_COLUMNS) + "\n" + ",".join((row | {"id": "S-3"}).values()) + "\n", encoding="utf-8")
    added = _run("sites", "import", str(one), "--as", "eddie", "-w", str(records_of))
    assert added.exit_code == 0 and "1 site added" in added.said and "1 sites" not in added.said


# -- the programme's rate window --------------------------------------------------------------------

@pytest.mark.parametrize("lit_on", [date(2025, 9, 1), date(2025, 9, 30), date(2026, 1, 15), date(2024, 2, 29)])
def test_a_site_lit_on_the_latest_entry_counts_in_its_own_rate(lit_on):
    c = completion([lit_on], in_programme=10, withdrawn=0, target=None, target_date=None, as_of=lit_on)
    assert c.lit_in_window == 1 and c.rate_per_month == round(1 / 6, 2) and c.reaches is not None
    assert c.window_end == lit_on.strftime("%Y-%m")  # the window ends in the month of the latest entry
    first = date(lit_on.year - (lit_on.month <= 5), (lit_on.month - 6) % 12 + 1, 1)  # six months back
    assert c.window_start == first.strftime("%Y-%m")
    assert f"{MONTHS[first.month - 1]} {first.year} to" in c.words and "No site was lit" not in c.words


def test_the_register_is_judged_at_its_latest_entry_with_that_month_counted():
    lit_on = date(2025, 9, 1)  # the register's latest entry: the tester's walk-through
    sites = [{"id": "S-1", "kind": "library", "district_code": None, "illustrative": False,
              "history": [{"status": "planned", "date": "2025-02-01"}, {"status": "lit", "date": lit_on.isoformat()}]},
             {"id": "S-2", "kind": "school", "district_code": None, "illustrative": False,
              "history": [{"status": "planned", "date": "2025-02-01"}]}]
    p = trajectory.progress(sites, ProgrammeConfig())
    assert p["as_of"] == lit_on.isoformat() and p["forecast"]["lit_in_window"] == 1
    assert p["current_rate_per_month"] == round(1 / 6, 1)
    assert "1 site was lit in the last 6 months (April 2025 to 1 September 2025)" in p["forecast"]["words"]


# -- serve on a port in use -----------------------------------------------------------------------

def _listening_pair() -> tuple[socket.socket, socket.socket]:
    """Two sockets listening on neighbouring ports of 127.0.0.1."""
    for _ in range(50):
        first = socket.socket()
        first.bind(("127.0.0.1", 0))
        second = socket.socket()
        try:
            second.bind(("127.0.0.1", first.getsockname()[1] + 1))
        except OSError:
            first.close()
            second.close()
            continue
        first.listen()
        second.listen()
        return first, second
    pytest.skip("no two neighbouring free ports")


def test_serve_refuses_a_port_in_use_before_building_and_suggests_a_free_one(region, monkeypatch):
    from observatory.app import Observatory

    def no_build(*args, **kwargs):
        raise AssertionError("built before the port was checked")

    monkeypatch.setattr(Observatory, "is_current", no_build)
    monkeypatch.setattr(Observatory, "ensure_built", no_build)
    first, second = _listening_pair()
    taken = first.getsockname()[1]
    try:
        result = _run("serve", str(region), "--port", str(taken))
        assert result.exit_code == 2 and _fits(result.stderr)
        assert f"Port {taken} on 127.0.0.1 is already in use" in result.said
        suggested = int(re.search(r"--port (\d+)", result.said)[1])
        assert suggested not in (taken, taken + 1)  # the next port is taken as well
        with socket.socket() as probe:  # and the one suggested is free
            probe.bind(("127.0.0.1", suggested))
    finally:
        first.close()
        second.close()
