"""`observatory records export` then `import` into an empty database gives back every row of
every table, on both engines, in both formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.demo.records_demo import seed
from observatory.errors import ObservatoryError
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
