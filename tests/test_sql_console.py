"""The SQL console stays usable and safe: a runaway query stops by itself or at Ctrl-C, and a long
answer is cut short with a note."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from observatory.cli import app

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


def test_ctrl_c_stops_a_runaway_query_at_once(built_workspace: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "observatory.cli", "sql", "-w", str(built_workspace), CROSS_JOIN, "--timeout", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
    )
    time.sleep(8)  # start-up (slow on a loaded machine) and well into the join
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 2
    assert "Query stopped (Ctrl-C). Nothing was changed." in stderr and "Traceback" not in stderr
