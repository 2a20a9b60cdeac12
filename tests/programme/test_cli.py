"""`observatory sites ...` as a user types it: an editor can change a status and a viewer cannot;
a bad CSV is a message with exit code 2, never a traceback, and nothing is imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory.cli import app
from observatory.programme.register_io import COLUMNS

runner = CliRunner()
ROW = "WY-SCH-0001,Park School,school,53.800000,-1.550000,429700.0,433900.0,,,,,,,no,2020-01-01,,,,,,"


@pytest.fixture
def cli(records_url: str, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    monkeypatch.setenv("PW", "a long enough password")
    monkeypatch.delenv("OBSERVATORY_USER", raising=False)
    monkeypatch.chdir(tmp_path)  # no workspace here: the bundled one, its store if built

    def run(*args: str):
        result = runner.invoke(app, list(args))
        result.said = " ".join(result.output.split())  # the words, however the console wrapped them
        return result

    assert run("records", "upgrade").exit_code == 0
    assert run("users", "add", "ann", "--role", "admin", "--password-env", "PW").exit_code == 0
    for name, role in (("vic", "viewer"), ("eddie", "editor")):
        assert run("users", "add", name, "--role", role, "--password-env", "PW", "--as", "ann").exit_code == 0
    return run


def test_an_editor_imports_and_changes_a_status_and_a_viewer_cannot(cli, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text(",".join(COLUMNS) + "\n" + ROW + "\n", encoding="utf-8")
    refused = cli("sites", "import", str(csv), "--as", "vic")
    assert refused.exit_code == 2 and "needs editor" in refused.said
    done = cli("sites", "import", str(csv), "--as", "eddie")
    assert done.exit_code == 0, done.output
    assert "1 site added" in done.said

    viewer = cli("sites", "set-status", "WY-SCH-0001", "surveyed", "--date", "2020-02-01", "--as", "vic")
    assert viewer.exit_code == 2 and "has the viewer role; this change needs editor" in viewer.said
    nobody = cli("sites", "set-status", "WY-SCH-0001", "surveyed", "--date", "2020-02-01")
    assert nobody.exit_code == 2 and "--as USER" in nobody.said
    editor = cli("sites", "set-status", "WY-SCH-0001", "surveyed", "--date", "2020-02-01", "--as", "eddie")
    assert editor.exit_code == 0, editor.output
    backwards = cli("sites", "set-status", "WY-SCH-0001", "lit", "--date", "2019-12-01", "--as", "eddie")
    assert backwards.exit_code == 2 and "dates may not go backwards" in backwards.said
    withdrawn = cli("sites", "set-status", "WY-SCH-0001", "withdrawn", "--date", "2020-03-01", "--as", "eddie")
    assert withdrawn.exit_code == 2 and "needs a reason" in withdrawn.said

    listed = cli("sites", "list", "--status", "surveyed")
    assert listed.exit_code == 0 and "WY-SCH-0001" in listed.said
    exported = cli("sites", "export")
    assert exported.exit_code == 0
    assert exported.stdout.splitlines()[1].split(",")[COLUMNS.index("surveyed")] == "2020-02-01"


def test_a_bad_csv_is_a_message_and_nothing_is_imported(cli, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text(",".join(COLUMNS) + "\n" + ROW + "\n" + ROW.replace("0001,Park", "0002,Other")
                   .replace(",school,", ",castle,") + "\n", encoding="utf-8")
    result = cli("sites", "import", str(csv), "--as", "eddie")
    assert result.exit_code == 2
    assert 'sites.csv, row 3, column "kind"' in result.said and "Traceback" not in result.said
    assert "No sites match" in cli("sites", "list", "--kind", "school").output


def test_reach_refuses_a_bad_distance_and_format(cli) -> None:
    assert cli("reach", "--format", "xml").exit_code == 2
    bad = cli("reach", "--distance", "0")
    assert bad.exit_code == 2 and "Traceback" not in bad.said
