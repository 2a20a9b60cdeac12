"""`observatory check` on screen: the comparisons, differences and findings as tables, then one
line each for what needs looking at."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def print_report(report: dict[str, Any], console: Console) -> None:
    if report["comparisons"]:
        table = Table(title="Rolled-up figures against published figures")
        for col in ("level", "indicator", "release", "method", "published in", "rolled from", "compared",
                    "differ (value)", "differ (counts)", "max diff (points)"):
            table.add_column(col)
        for c in report["comparisons"]:
            table.add_row(
                c["level"], c["indicator"], c["release"], c["method"], c["published_in"],
                c["rolled_from"] + (" [synthetic]" if c["synthetic"] else ""), str(c["compared"]),
                str(c["value_differs"]), str(c["counts_differ"]), f"{c['max_difference']:.3f}",
            )
        console.print(table)
    if report.get("publishers"):
        table = Table(title="Figures two publishers give for the same areas and months")
        for col in ("level", "indicator", "release", "published in", "and in", "compared", "differ (value)",
                    "differ (counts)", "max diff (points)"):
            table.add_column(col)
        for c in report["publishers"]:
            table.add_row(c["level"], c["indicator"], c["release"], c["first"], c["second"], str(c["compared"]),
                          str(c["value_differs"]), str(c["counts_differ"]), f"{c['max_difference']:.3f}")
        console.print(table)
    if report["differences"]:
        d = Table(title="Largest differences")
        for col in ("area_code", "area_name", "indicator", "release", "published", "rolled_up", "method"):
            d.add_column(col)
        for r in report["differences"][:20]:
            d.add_row(r["area_code"], r["area_name"] or "", r["indicator"], r["release"],
                      f"{r['published']:.2f}", f"{r['rolled_up']:.2f}", r["method"])
        console.print(d)
    if report.get("publisher_differences"):
        d = Table(title="Largest differences between publishers")
        for col in ("area_code", "area_name", "indicator", "release", "published in", "value", "and in", "value"):
            d.add_column(col)
        for r in report["publisher_differences"][:20]:
            d.add_row(r["area_code"], r["area_name"] or "", r["indicator"], r["release"], r["first"],
                      f"{r['first_value']:.2f}", r["second"], f"{r['second_value']:.2f}")
        console.print(d)
    f = Table(title="Findings")
    for col in ("kind", "subject", "count", "detail"):
        f.add_column(col, overflow="fold")
    for r in report["findings"]:
        f.add_row(r["kind"], r["subject"] or "", f"{r['count']:,}", r["detail"] or "")
    console.print(f)
    for line in report.get("summary", []):
        colour = "yellow" if "differ" in line else ("green" if line.endswith(("match.", "agree.")) else "default")
        console.print(f"[{colour}]{escape(line)}[/]", soft_wrap=True, highlight=False)
    if report["differences"]:
        console.print(f"[yellow]{len(report['differences'])} figures differ from the published ones; see above.[/]")
    if report.get("publisher_differences"):
        console.print(f"[yellow]{len(report['publisher_differences'])} figures differ between publishers; see "
                      "above.[/]")
    if report["incomplete_parents"]:
        console.print(f"[yellow]{len(report['incomplete_parents'])} parent figures cover only part of their "
                      "premises (kind incomplete-parent above): they are not complete.[/]")
    else:
        console.print("[green]Every parent figure covers all of its premises.[/]")
    if report.get("crosswalk"):
        console.print(report["crosswalk"]["text"], soft_wrap=True, highlight=False)
    for problem in report.get("problems", []):
        console.print(f"[yellow]{escape(problem)}[/]", soft_wrap=True, highlight=False)
    for r in report.get("shrunk_levels", []):
        console.print(f"[yellow]Level {r['subject']} lost most of its figures since the previous build "
                      "(kind level-shrank above): check the inputs before relying on it.[/]")
