"""`observatory records export` then `import` into an empty database gives back every row of
every table, on both engines, in both formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.demo.records_demo import seed
from observatory.errors import InputError, ObservatoryError
from observatory.records import actions
from observatory.records.db import open_records
from observatory.records.migrate import upgrade
from observatory.records.transfer import dump, export, import_
from observatory.records.users import add_user


def _fresh(url: str, tmp_path: Path, name: str) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / name}"
    # a second database on the same PostgreSQL server
    from .conftest import _names

    base = url.rsplit("/", 1)[0]
    import psycopg

    db = f"restore_{next(_names)}"
    host = base.split("@", 1)[1]
    with psycopg.connect(f"postgresql://{base.split('//', 1)[1].split('@')[0]}@{host}/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{db}"')
    return f"{base}/{db}"


@pytest.mark.parametrize("suffix", [".json", ".zip"])
def test_round_trip(records, records_url: str, tmp_path: Path, suffix: str) -> None:
    with records.session() as s:
        add_user(s, "setup", "ann", "a long enough password", "admin")
        seed(s)
    file = tmp_path / f"records{suffix}"
    counts = export(records, file)
    assert counts["actions"] == 6 and counts["audit_log"] > 6

    target = _fresh(records_url, tmp_path, "restored.sqlite")
    upgrade(target)
    restored = open_records(target)
    try:
        assert import_(restored, file) == counts
        assert dump(restored)["tables"] == dump(records)["tables"]
        # New rows after the restore get new ids (sequences moved past the imported ones).
        with restored.session() as s:
            a = actions.add_update(s, "ann", 1, "After the restore.")
            assert a.id > counts["action_updates"]
        # Importing again into the now non-empty database is refused, and changes nothing.
        before = dump(restored)
        with pytest.raises(ObservatoryError, match="not empty"):
            import_(restored, file)
        assert dump(restored) == before
    finally:
        restored.dispose()


def _everything(records) -> None:
    """A record of every kind: users, actions with updates, the register, programme sites with their
    status history, and metric values, one of them corrected by another person."""
    from datetime import date

    from observatory.programme import models as sites
    from observatory.strategy import models as metrics

    with records.session() as s:
        add_user(s, "setup", "ann", "a long enough password", "admin")
        add_user(s, "setup", "bob", "another long password", "editor")
        seed(s)
        sites.add_site(s, "ann", "WY-LIB-0001", name="=HYPERLINK(\"http://x\")", kind="library", lat=53.801234567,
                       lon=-1.549876543)
        sites.set_status(s, "ann", "WY-LIB-0001", "planned", date(2024, 5, 1))
        metrics.add_value(s, "ann", "premises", 1_234_567.891, date(2025, 1, 1), "precise")
        metrics.add_value(s, "ann", "residents", 18_262, date(2025, 3, 31), "first count")
    with records.session() as s:
        metrics.add_value(s, "bob", "residents", 18_500, date(2025, 3, 31), "corrected")


@pytest.mark.parametrize("suffix", [".json", ".zip"])
def test_a_second_export_is_byte_identical_and_nothing_is_lost(records, records_url: str, tmp_path: Path,
                                                                 suffix: str) -> None:
    from observatory.strategy import models as metrics

    _everything(records)
    first = tmp_path / f"first{suffix}"
    export(records, first)
    target = _fresh(records_url, tmp_path, "restored.sqlite")
    upgrade(target)
    restored = open_records(target)
    try:
        import_(restored, first)
        second = tmp_path / f"second{suffix}"
        export(restored, second)
        assert second.read_bytes() == first.read_bytes()
        with restored.session() as s:
            [precise] = metrics.values_for(s, "premises")
            [residents] = metrics.values_for(s, "residents")
            every = [(v["value"], v["author"]) for v in metrics.all_values(s) if v["metric_id"] == "residents"]
    finally:
        restored.dispose()
    assert precise["value"] == 1_234_567.891  # not 1,234,570
    # The correction is still the value used, by its own author; the first count is still there,
    # still superseded, still by its author.
    assert (residents["value"], residents["author"], residents["note"]) == (18_500, "bob", "corrected")
    assert every == [(18_262, "ann"), (18_500, "bob")]


def _rezip(source: Path, target: Path, edit) -> None:  # noqa: ANN001
    """Copy an export ZIP, passing each member's text through edit(name, text)."""
    import zipfile

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            out.writestr(name, edit(name, src.read(name).decode("utf-8")))


def test_an_audit_log_edited_in_the_zip_is_refused(records, records_url: str, tmp_path: Path) -> None:
    _everything(records)
    file = tmp_path / "records.zip"
    export(records, file)
    edited = tmp_path / "edited.zip"
    # re-attribute bob's correction to ann
    _rezip(file, edited, lambda name, text: text.replace(",bob,", ",ann,") if name == "audit_log.csv" else text)
    target = _fresh(records_url, tmp_path, "restored.sqlite")
    upgrade(target)
    restored = open_records(target)
    try:
        with pytest.raises(InputError) as caught:
            import_(restored, edited)
        assert "audit_log.csv was changed after the export" in str(caught.value)
        assert dump(restored)["tables"]["audit_log"]["rows"] == []
    finally:
        restored.dispose()


def test_an_audit_row_removed_from_the_json_is_refused_even_with_its_manifest_redone(
        records, records_url: str, tmp_path: Path) -> None:
    import json

    from observatory.records.transfer import _rows_digest

    _everything(records)
    file = tmp_path / "records.json"
    export(records, file)
    data = json.loads(file.read_text(encoding="utf-8"))
    log = data["tables"]["audit_log"]["rows"]
    removed = log.pop(2)  # the third entry
    # A careful forger also fixes the count and the checksum: the audit log's own seals still tell.
    data["manifest"]["audit_log"] = {"rows": len(log), "sha256": _rows_digest(log)}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    target = _fresh(records_url, tmp_path, "restored.sqlite")
    upgrade(target)
    restored = open_records(target)
    try:
        with pytest.raises(InputError) as caught:
            import_(restored, edited)
        said = str(caught.value)
        assert "tampered with" in said and f"does not follow on from entry {removed[0] - 1}" in said
        # And one without the manifest redone: the count says so first.
        data["manifest"]["audit_log"]["rows"] += 1
        edited.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(InputError, match="rows were added or removed after the export"):
            import_(restored, edited)
    finally:
        restored.dispose()


def test_the_cli_refuses_an_edited_export_with_exit_2(records, records_url: str, tmp_path: Path,
                                                        monkeypatch) -> None:
    from typer.testing import CliRunner

    from observatory.cli import app

    _everything(records)
    file = tmp_path / "records.zip"
    export(records, file)
    edited = tmp_path / "edited.zip"
    _rezip(file, edited, lambda name, text: text.replace("precise", "imprecise") if name == "metric_values.csv"
           else text)
    target = _fresh(records_url, tmp_path, "restored.sqlite")
    upgrade(target)
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", target)
    result = CliRunner().invoke(app, ["records", "import", str(edited)])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "metric_values.csv was changed after the export" in said and "Traceback" not in said
