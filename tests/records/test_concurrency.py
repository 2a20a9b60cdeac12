"""Two people updating one action at the same moment: both updates are kept."""

from __future__ import annotations

import threading

from observatory.demo.records_demo import seed
from observatory.records import actions
from observatory.records.db import open_records


def test_concurrent_updates_to_one_action_are_both_kept(records, records_url: str) -> None:
    with records.session() as s:
        seed(s)
        before = len(actions.get_action(s, 3)["updates"])
    # Two separate connections (as two web workers would have), started together.
    first, second = open_records(records_url), open_records(records_url)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(db, author: str, status: str) -> None:
        try:
            barrier.wait()
            with db.session() as s:
                actions.add_update(s, author, 3, f"Update from {author}.", status)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(first, "ann", "in progress")),
               threading.Thread(target=write, args=(second, "bob", "done"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first.dispose()
    second.dispose()
    assert errors == []
    with records.session() as s:
        after = actions.get_action(s, 3)
        from observatory.records.audit import history

        log = history(s, "action", 3)
    authors = sorted(u["author"] for u in after["updates"][before:])
    assert authors == ["ann", "bob"]
    # The status is the one written last, and the audit log holds both changes.
    assert after["status"] == after["updates"][-1]["status"]
    assert sorted(e["actor"] for e in log if e["action"] == "update")[-2:] == ["ann", "bob"]
