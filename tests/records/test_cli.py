"""The records commands as a user types them: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory.cli import app

runner = CliRunner()


@pytest.fixture
def cli(records_url: str, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    monkeypatch.setenv("ADMIN_PW", "a long enough password")
    monkeypatch.delenv("OBSERVATORY_USER", raising=False)

    def run(*args: str):
        return runner.invoke(app, list(args))

    return run


def test_an_unmigrated_database_is_refused_with_the_command(cli) -> None:
    result = cli("actions", "list")
    assert result.exit_code == 2
    assert "run `observatory records upgrade`" in result.output
    assert "Traceback" not in result.output


def test_users_roles_and_acting_user(cli, tmp_path: Path) -> None:
    assert cli("records", "upgrade").exit_code == 0
    # The first user bootstraps without --as; the next needs an admin.
    assert cli("users", "add", "ann", "--role", "admin", "--password-env", "ADMIN_PW").exit_code == 0
    refused = cli("users", "add", "bob", "--role", "editor", "--password-env", "ADMIN_PW")
    assert refused.exit_code == 2 and "--as USER" in refused.output
    assert cli("users", "add", "bob", "--role", "viewer", "--password-env", "ADMIN_PW", "--as", "ann").exit_code == 0
    assert cli("records", "seed-demo").exit_code == 0

    viewer = cli("actions", "update", "3", "Booked.", "--as", "bob")
    assert viewer.exit_code == 2
    assert "has the viewer role; this change needs editor" in viewer.output
    assert cli("users", "set-role", "bob", "editor", "--as", "ann").exit_code == 0
    assert cli("actions", "update", "3", "Booked.", "--status", "in progress", "--as", "bob").exit_code == 0
    assert cli("users", "disable", "bob", "--as", "ann").exit_code == 0
    disabled = cli("actions", "update", "3", "Again.", "--as", "bob")
    assert disabled.exit_code == 2 and "disabled" in disabled.output
    listing = cli("users", "list")
    assert "bob" in listing.output and "disabled" in listing.output


def test_csv_import_error_exits_2_with_the_row(cli, tmp_path: Path) -> None:
    assert cli("records", "upgrade").exit_code == 0
    assert cli("users", "add", "ann", "--role", "admin", "--password-env", "ADMIN_PW").exit_code == 0
    bad = tmp_path / "register.csv"
    bad.write_text("organisation,provider_type,status,status_date\nA surgery,GP surgery,live,2025-01-01\n")
    result = cli("register", "import", str(bad), "--as", "ann")
    assert result.exit_code == 2
    assert 'register.csv, row 2, column "provider_type": "GP surgery" is not allowed.' in " ".join(result.output.split())
    out = tmp_path / "out.csv"
    assert cli("register", "export", str(out)).exit_code == 0
    assert out.read_text().count("\n") == 1  # the header only: nothing was imported


def test_serve_refuses_an_unmigrated_records_database(records_url: str, monkeypatch, tmp_path: Path) -> None:
    from observatory.errors import StoreError
    from observatory.records.db import open_records
    from observatory.web.server import check_records

    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    open_records(records_url, check=False).engine.connect().close()  # the database exists, with no tables
    with pytest.raises(StoreError, match="run `observatory records upgrade`"):
        check_records(tmp_path)


def test_tokens_are_listed_and_revoked_and_the_last_admin_is_kept(cli) -> None:
    assert cli("records", "upgrade").exit_code == 0
    assert cli("users", "add", "ann", "--role", "admin", "--password-env", "ADMIN_PW").exit_code == 0
    issued = cli("users", "token", "ann", "--label", "nightly script", "--as", "ann")
    assert issued.exit_code == 0 and "revoke-token 1" in issued.output
    listing = " ".join(cli("users", "tokens", "--as", "ann").output.split())
    assert "nightly script" in listing and "active" in listing
    revoked = cli("users", "revoke-token", "1", "--as", "ann")
    assert revoked.exit_code == 0 and "is revoked" in revoked.output
    assert "revoked" in cli("users", "tokens", "ann", "--as", "ann").output
    demoted = cli("users", "set-role", "ann", "viewer", "--as", "ann")
    assert demoted.exit_code == 2 and "only administrator" in " ".join(demoted.output.split())
    assert "Traceback" not in demoted.output
