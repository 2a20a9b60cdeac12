"""Benchmark: the whole annual update (HTML and PDF) for the bundled workspace.

Each run calls `write_report(workspace, out=<temp>)` in this process on the built store and times
each step through the progress callback. The baseline run in the same process is the HTML alone
(`formats=("html",)`), so the ratio shows what the PDF (WeasyPrint layout) costs on top.
Goal: the whole report in under 30 s on this machine.

    .venv/bin/python benchmarks/bench_report.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from observatory import pipeline, workspace
from observatory.report import STEPS, write_report

GOAL_S = 30.0


def timed(ws, formats: tuple[str, ...]) -> tuple[float, dict[str, float]]:
    marks: list[tuple[str | None, float]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        write_report(ws, out=Path(out), formats=formats, progress=lambda name: marks.append((name, time.perf_counter())))
    total = time.perf_counter() - start
    steps = {name: later - at for (name, at), (_, later) in zip(marks, marks[1:], strict=False) if name}
    return total, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ws = workspace.load(None)
    pipeline.ensure_built(ws)
    timed(ws, ("html",))  # warm-up: imports, fonts
    html_only = [timed(ws, ("html",))[0] for _ in range(args.runs)]
    full = [timed(ws, ("html", "pdf")) for _ in range(args.runs)]
    totals = [t for t, _ in full]
    print(f"report, HTML only (baseline): median {statistics.median(html_only):.2f} s over {args.runs} runs")
    print(f"report, HTML + PDF:           median {statistics.median(totals):.2f} s "
          f"(min {min(totals):.2f}, max {max(totals):.2f})")
    print(f"PDF costs {statistics.median(totals) / statistics.median(html_only):.1f}x the HTML alone; "
          f"goal {GOAL_S:.0f} s: {'met' if max(totals) < GOAL_S else 'missed'} "
          f"({GOAL_S / statistics.median(totals):.1f}x under the goal)")
    for name in STEPS:
        times = [steps.get(name) for _, steps in full if name in steps]
        if times:
            print(f"  {name:<32} {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
