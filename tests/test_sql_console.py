"""The SQL console stays usable and safe: a runaway query stops by itself or at Ctrl-C, and a long
answer is cut short with a note."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from observatory.cli import app
from observatory.errors import StoreError
from observatory.store import Store

CROSS_JOIN = "SELECT count(*) FROM facts a, facts b, facts c"


def test_a_runaway_query_is_stopped_after_the_timeout(built_workspace: Path):
    result = CliRunner().invoke(app, ["sql", "-w", str(built_workspace), CROSS_JOIN, "--timeout", "0.5"])
    assert result.exit_code == 2
    assert "The query ran for more than 0.5 s and was stopped." in result.stderr


def test_a_long_answer_is_cut_short_with_a_note(built_workspace: Path):
    result = CliRunner().invoke(app, ["sql", "-w", str(built_workspace), "SELECT code FROM areas ORDER BY code",
                                      "--format", "csv", "--max-rows", "5"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 6  # header and five rows
    assert "Showing the first 5 rows; there are more." in result.stderr


def test_a_stop_that_comes_before_the_query_has_begun_still_stops_it(store: Store, monkeypatch):
    """On a busy machine the stop (the timeout here, Ctrl-C alike) can come while DuckDB has not
    yet begun the query, when one interrupt does nothing: the console asks until the query ends."""
    started = threading.Event()
    real_cursor = store.cursor

    class SlowToStart:
        def __init__(self, cur):
            self._cur = cur

        def execute(self, query):
            started.set()
            time.sleep(0.5)  # the console gives up after 0.05 s: its stop comes first
            return self._cur.execute(query)

        def interrupt(self):
            self._cur.interrupt()

    @contextmanager
    def slow_cursor():
        with real_cursor() as cur:
            yield SlowToStart(cur)

    monkeypatch.setattr(store, "cursor", slow_cursor)
    outcome = {}

    def run():
        try:
            store.sql(CROSS_JOIN, timeout=0.05)
        except StoreError as exc:
            outcome["error"] = str(exc)

    caller = threading.Thread(target=run, daemon=True)
    caller.start()
    caller.join(120)  # a guard against a hang, not a measure: the answer comes within a second
    assert started.is_set()
    assert not caller.is_alive(), "the query ran on after it was stopped"
    assert "was stopped" in outcome["error"]


def test_ctrl_c_stops_a_runaway_query_at_once(built_workspace: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "observatory.cli", "sql", "-w", str(built_workspace), CROSS_JOIN, "--timeout", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
    )
    _wait_until_the_store_is_open(proc)
    time.sleep(1)  # from opening the store to the query's start is a few lines of Python
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 2
    assert "Query stopped (Ctrl-C). Nothing was changed." in stderr and "Traceback" not in stderr


def _wait_until_the_store_is_open(proc: subprocess.Popen) -> None:
    """Until the console has opened the store, not for a fixed time: start-up on a busy machine
    can take longer than any guess, and a Ctrl-C during it is Python's, before the console's."""
    fds = Path(f"/proc/{proc.pid}/fd")
    for _ in range(1200):
        assert proc.poll() is None, proc.communicate()
        try:
            if any(os.readlink(fd).endswith(".duckdb") for fd in fds.iterdir()):
                return
        except OSError:  # a descriptor closed while being read
            pass
        time.sleep(0.05)
    raise AssertionError("the console did not open the store within a minute")
