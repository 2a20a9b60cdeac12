"""An audit log nobody can rewrite: REPLACE refused on SQLite, the database file private, the
application's own PostgreSQL role unable to change the log, and `records verify` finding the first
entry changed or removed behind the observatory's back."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from observatory.cli import app
from observatory.records import actions, csv_io
from observatory.records.audit import entries, history, record_change, verify
from observatory.records.db import open_records
from observatory.records.migrate import alembic_config, upgrade

from .conftest import _names

runner = CliRunner()


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _three_changes(records) -> None:
    with records.session() as s:
        for n, who in enumerate(("ann", "bob", "cy"), start=1):
            record_change(s, who, "action", n, "create", None, {"status": "open"})


# --- SQLite: REPLACE, file mode ------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "REPLACE INTO audit_log (id, at, actor, entity, entity_id, action) "
    "VALUES (1, '2020-01-01 00:00:00', 'mallory', 'action', '1', 'create')",
    "INSERT OR REPLACE INTO audit_log (id, at, actor, entity, entity_id, action) "
    "VALUES (1, '2020-01-01 00:00:00', 'mallory', 'action', '1', 'create')",
])
def test_sqlite_refuses_to_replace_an_audit_row(tmp_path: Path, statement: str) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    upgrade(url)
    records = open_records(url)
    _three_changes(records)
    records.dispose()
    # Straight SQL through Python's own sqlite3, as any tool holding the file would send it.
    with sqlite3.connect(tmp_path / "records.sqlite") as conn, pytest.raises(sqlite3.DatabaseError,
                                                                           match="append-only"):
        conn.execute(statement)
    records = open_records(url)
    with records.session() as s:
        assert [e["actor"] for e in reversed(entries(s))] == ["ann", "bob", "cy"]
    records.dispose()


def test_sqlite_refuses_to_replace_a_site_status_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    upgrade(url)
    with sqlite3.connect(tmp_path / "records.sqlite") as conn:
        conn.execute("INSERT INTO programme_sites (id, name, kind, postcode, district_code, ward_code, supplier, "
                     "funding_stream, notes, illustrative, created_at) VALUES ('WY-LIB-0001', 'Library', "
                     "'library', '', '', '', '', '', '', 0, '2025-01-01 00:00:00')")
        conn.execute("INSERT INTO programme_site_status (id, site_id, status, date, reason, author, recorded_at, "
                     "illustrative) VALUES (1, 'WY-LIB-0001', 'planned', '2025-01-01', '', 'ann', "
                     "'2025-01-01 00:00:00', 0)")
        conn.commit()
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("REPLACE INTO programme_site_status (id, site_id, status, date, reason, author, "
                         "recorded_at, illustrative) VALUES (1, 'WY-LIB-0001', 'lit', '2025-01-01', '', "
                         "'mallory', '2025-01-01 00:00:00', 0)")
        assert conn.execute("SELECT status, author FROM programme_site_status").fetchall() == [("planned", "ann")]


def test_the_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite"
    upgrade(f"sqlite:///{db}")
    records = open_records(f"sqlite:///{db}")
    _three_changes(records)  # a write, so SQLite has made its -wal and -shm files
    for f in tmp_path.glob("records.sqlite*"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    records.dispose()


def test_upgrade_makes_an_existing_world_readable_file_private(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite"
    sqlite3.connect(db).close()
    db.chmod(0o644)
    upgrade(f"sqlite:///{db}")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


# --- the hash chain --------------------------------------------------------------------------

def test_every_entry_is_sealed_and_follows_the_one_before(records) -> None:
    _three_changes(records)
    with records.session() as s:
        record_change(s, "dee", "action", 4, "create", None, {"status": "open"})
    with records.session() as s:
        report = verify(s)
        log = list(reversed(entries(s)))
    assert report.broken is None and report.rows == 4
    assert [e["id"] for e in log] == [1, 2, 3, 4]


def test_concurrent_writers_keep_one_unbroken_chain(records, records_url: str) -> None:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Board", date(2025, 1, 15))
        actions.create_action(s, "setup", meeting, "Report back")
    writers = [open_records(records_url) for _ in range(4)]
    barrier = threading.Barrier(len(writers))
    errors: list[BaseException] = []

    def write(db, author: str) -> None:
        try:
            barrier.wait()
            for n in range(5):
                with db.session() as s:
                    actions.add_update(s, author, 1, f"Update {n} from {author}.")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(db, f"editor{i}")) for i, db in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in writers:
        db.dispose()
    assert errors == []
    with records.session() as s:
        report = verify(s)
    # 1 meeting + 1 action, then 4 writers x 5 updates: 22 entries, one chain.
    assert report.broken is None and report.rows == 22 and report.last_id == 22


@pytest.fixture
def cli(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", url)
    upgrade(url)
    records = open_records(url)
    _three_changes(records)
    with records.session() as s:
        record_change(s, "dee", "action", 4, "create", None, {"status": "open"})
    records.dispose()

    def run(*args: str):
        return runner.invoke(app, ["records", *args])

    return run


def _tamper(tmp_path: Path, *statements: str) -> None:
    """What someone holding the file can do with sqlite3: lift the triggers, then rewrite."""
    with sqlite3.connect(tmp_path / "records.sqlite") as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            conn.execute(statement)


def test_verify_says_an_intact_log_is_intact(cli) -> None:
    result = cli("verify")
    assert result.exit_code == 0, result.output
    assert "intact: 4 entries" in result.output


def test_verify_reports_the_entry_rewritten_behind_its_back(cli, tmp_path: Path) -> None:
    _tamper(tmp_path, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    result = cli("verify")
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "Entry 2 (" in said and "mallory" in said and "was changed after it was written" in said
    assert "The 1 entries before it are intact" in said


def test_verify_reports_where_an_entry_was_removed(cli, tmp_path: Path) -> None:
    _tamper(tmp_path, "DELETE FROM audit_log WHERE id = 2")
    result = cli("verify")
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "Entry 3 (" in said and "does not follow on from entry 1" in said


def test_verify_with_a_noted_seal_sees_entries_cut_from_the_end(cli, tmp_path: Path) -> None:
    intact = cli("verify")
    seal = intact.output.split("seal ", 1)[1].split(":", 1)[0]
    assert cli("verify", "--seal", seal).exit_code == 0
    _tamper(tmp_path, "DELETE FROM audit_log WHERE id = 4")
    assert cli("verify").exit_code == 0  # the chain alone cannot tell
    result = cli("verify", "--seal", seal)
    assert result.exit_code == 1
    assert "removed from the end of the log after entry 3" in " ".join(result.output.split())


def test_the_migration_seals_the_entries_written_before_it(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    command.upgrade(alembic_config(url), "0003_metrics")
    command.upgrade(alembic_config(url), "0002_programme")
    with sqlite3.connect(tmp_path / "records.sqlite") as conn:
        for n, who in enumerate(("ann", "bob"), start=1):
            conn.execute("INSERT INTO audit_log (id, at, actor, entity, entity_id, action, before, after) "
                         f"VALUES ({n}, '2025-01-0{n} 09:00:00.000000', '{who}', 'action', '{n}', 'create', "
                         "NULL, '{\"status\": \"open\"}')")
    upgrade(url)
    records = open_records(url)
    with records.session() as s:
        record_change(s, "cy", "action", 3, "create", None, {"status": "open"})
    with records.session() as s:
        report = verify(s)
    records.dispose()
    assert report.broken is None and report.rows == 3


# --- an actions import: the true before and after -------------------------------------------

def test_an_actions_import_audits_the_action_as_it_was_and_as_it_is(records, tmp_path: Path) -> None:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Board", date(2025, 1, 15))
        actions.create_action(s, "setup", meeting, "Report back", owner="Officer")
    f = tmp_path / "actions.csv"
    f.write_text("id,meeting_body,meeting_date,resolution,owner,status,illustrative\n"
                 "1,Board,2025-03-12,Report back,Director,in progress,yes\n", encoding="utf-8")
    with records.session() as s:
        assert csv_io.import_actions(s, "ann", f) == {"added": 0, "changed": 1}
    with records.session() as s:
        [edit] = [h for h in history(s, "action", 1) if h["action"] == "edit"]
    assert (edit["before"]["owner"], edit["after"]["owner"]) == ("Officer", "Director")
    assert (edit["before"]["status"], edit["after"]["status"]) == ("open", "in progress")
    assert (edit["before"]["illustrative"], edit["after"]["illustrative"]) == (False, True)
    # moved to the meeting of 12 March, the second meeting recorded
    assert (edit["before"]["meeting_id"], edit["after"]["meeting_id"]) == (1, 2)
    # Importing the same file again changes nothing, and adds no audit row.
    with records.session() as s:
        assert csv_io.import_actions(s, "ann", f) == {"added": 0, "changed": 0}
    with records.session() as s:
        assert len(history(s, "action", 1)) == 2


# --- PostgreSQL: the application's own role -------------------------------------------------

@pytest.fixture
def pg_roles(pg_cluster):
    """A database owned by a migration role, and the application's role (both made here)."""
    n = next(_names)
    owner, app_role, db = f"owner_{n}", f"app_{n}", f"owned_{n}"
    with psycopg.connect(f"host=127.0.0.1 port={pg_cluster.port} user={pg_cluster.user} dbname=postgres",
                         autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN")
        conn.execute(f"CREATE ROLE {app_role} LOGIN")
        conn.execute(f"CREATE DATABASE {db} OWNER {owner}")
    base = f"postgresql+psycopg://{{}}@127.0.0.1:{pg_cluster.port}/{db}"
    return base.format(owner), base.format(app_role), app_role


ATTACKS = [
    "UPDATE audit_log SET actor = 'mallory'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    "DROP TRIGGER audit_log_no_change ON audit_log",
    "UPDATE programme_site_status SET status = 'lit'",
    "DELETE FROM programme_site_status",
    "TRUNCATE programme_site_status",
    "ALTER TABLE programme_site_status DISABLE TRIGGER site_status_no_change",
]


def test_the_applications_own_role_cannot_rewrite_history(pg_roles) -> None:
    owner_url, app_url, app_role = pg_roles
    upgrade(owner_url, app_role=app_role)
    records = open_records(app_url)
    try:
        # The application still does its work: an action, with its audit rows.
        with records.session() as s:
            meeting = actions.find_or_add_meeting(s, "ann", "Board", date(2025, 1, 15))
            actions.create_action(s, "ann", meeting, "Report back")
        with records.session() as s:
            actions.add_update(s, "ann", 1, "Done.", "done")
            s.execute(text("INSERT INTO programme_sites (id, name, kind, postcode, district_code, ward_code, "
                           "supplier, funding_stream, notes, illustrative, created_at) VALUES ('WY-LIB-0001', "
                           "'Library', 'library', '', '', '', '', '', '', false, now())"))
            s.execute(text("INSERT INTO programme_site_status (site_id, status, date, reason, author, "
                           "recorded_at, illustrative) VALUES ('WY-LIB-0001', 'planned', '2025-01-01', '', "
                           "'ann', now(), false)"))
        for statement in ATTACKS:
            with pytest.raises(DBAPIError, match="permission denied|must be owner"), \
                    records.engine.begin() as conn:
                conn.execute(text(statement))
        with records.session() as s:
            assert [e["actor"] for e in entries(s)] == ["ann"] * 3
            assert verify(s).broken is None
            assert s.execute(text("SELECT status FROM programme_site_status")).scalars().all() == ["planned"]
    finally:
        records.dispose()
