"""`observatory check` on screen: the comparisons, differences and findings as tables, then one
line each for what needs looking at."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..levels import LEVEL_LABELS
from ..months import month_words


def print_report(report: dict[str, Any], console: Console) -> None:
    if report["comparisons"]:
        table = _comparison_table("Rolled-up figures against published figures")
        for c in report["comparisons"]:
            releases = f"published in {c['published_in']}; rolled from {c['rolled_from']}"
            table.add_row(_what(c, f" ({c['method'].replace('-', ' ')})", releases + (" (synthetic)" if c["synthetic"] else "")),
                          *_differ(c))
        console.print(table)
    if report.get("publishers"):
        table = _comparison_table("Figures two publishers give for the same areas and months")
        for c in report["publishers"]:
            table.add_row(_what(c, "", f"{c['first']} and {c['second']}"), *_differ(c))
        console.print(table)
    if report["differences"]:
        d = _table("Largest differences", "code", "name", "indicator", "month", "published", "rolled up", "method")
        for r in report["differences"][:20]:
            d.add_row(r["area_code"], r["area_name"] or "", r["indicator"], month_words(r["release"]),
                      f"{r['published']:.2f}", f"{r['rolled_up']:.2f}", r["method"])
        console.print(d)
    if report.get("publisher_differences"):
        d = _table("Largest differences between publishers", "code", "name", "indicator", "month", "published in",
                   "and in")
        for r in report["publisher_differences"][:20]:
            d.add_row(r["area_code"], r["area_name"] or "", r["indicator"], month_words(r["release"]),
                      f"{r['first']}: {r['first_value']:.2f}", f"{r['second']}: {r['second_value']:.2f}")
        console.print(d)
    f = _table("Findings", "kind", "subject", "count", "detail")
    for r in report["findings"]:
        f.add_row(r["kind"], r["subject"] or "", f"{r['count']:,}", r["detail"] or "")
    console.print(f)
    for line in report.get("summary", []):
        colour = "yellow" if "differ" in line else ("green" if line.endswith(("match.", "agree.")) else "default")
        console.print(f"[{colour}]{escape(line)}[/]", highlight=False)
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
        console.print(report["crosswalk"]["text"], highlight=False)
    for problem in report.get("problems", []):
        console.print(f"[yellow]{escape(problem)}[/]", highlight=False)
    for r in report.get("shrunk_levels", []):
        console.print(f"[yellow]Level {r['subject']} lost most of its figures since the previous build "
                      "(kind level-shrank above): check the inputs before relying on it.[/]")


def _table(title: str, *columns: str) -> Table:
    """A table whose long cells wrap, and fold where a word is wider than its column, at any width
    (never cut to "gigab…"); months are in words and releases share a column, so 80 columns suffice."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    return table


def _comparison_table(title: str) -> Table:
    """Figures compared, a row per level, indicator and month: the words wrap, the counts do not."""
    table = Table(title=title, caption="differ: figures whose value / whose counts differ; max diff: the "
                  "largest difference, in percentage points.", caption_justify="left")
    table.add_column("figures (the releases compared)", overflow="fold")
    for col in ("compared", "differ", "max diff"):
        table.add_column(col, justify="right", no_wrap=True)
    return table


def _what(c: dict[str, Any], method: str, releases: str) -> str:
    """'Local authority district, gigabit, July 2025' and, on a line of its own, the releases."""
    what = f"{LEVEL_LABELS.get(c['level'], c['level'])}, {c['indicator']}, {month_words(c['release'])}{method}"
    return f"{escape(what)}\n[dim]{escape(releases)}[/]"


def _differ(c: dict[str, Any]) -> tuple[str, str, str]:
    """The count compared, how many differ in value and in counts, and the largest difference."""
    return f"{c['compared']:,}", f"{c['value_differs']:,} / {c['counts_differ']:,}", f"{c['max_difference']:.3f}"
