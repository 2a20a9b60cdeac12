"""The report's sections beyond coverage. Each is gathered by one function that returns a Section:
its data, or the sentence saying why the workspace cannot fill it (a section is left out with that
sentence, never shown as an empty table or an error)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..store import Store
from ..workspace import Workspace
from .period import month_words


@dataclass
class Section:
    id: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    omitted: str | None = None  # why the section is left out, in one sentence
    illustrative: bool = False


@dataclass
class Context:
    """What a section gatherer may read: the store, the workspace and the report year."""

    store: Store
    workspace: Workspace
    year: int


Gatherer = Callable[[Context], Section]


def sources(ctx: Context) -> Section:
    """Every release in the store, named with its as-of month. Releases of one series (the same
    publisher, title, licence and attribution: e.g. ONS's gigabit series, or the programme's
    quarterly backbone reach) share one row that lists each release's month, so the appendix names
    every release without repeating its licence a dozen times."""
    rows: list[dict[str, Any]] = []
    by_series: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in ctx.store.releases():
        title = _SERIES_MONTH.sub("", r["title"])
        key = (r["publisher"], title, r["licence"], r["attribution"] or "", r["origin"] or "", bool(r["synthetic"]))
        row = by_series.get(key)
        if row is None:
            row = by_series[key] = {
                "title": title, "publisher": r["publisher"], "months": [], "licence": r["licence"],
                "attribution": r["attribution"] or "", "origin": r["origin"] or "",
                "synthetic": bool(r["synthetic"]), "release_ids": [],
            }
            rows.append(row)
        row["months"].append(month_words(r["as_of"]) if r["as_of"] else "reference data")
        row["release_ids"].append(r["release_id"])
    for row in rows:
        row["as_of"] = ", ".join(row["months"])
    return Section("sources", "Sources", {"releases": rows, "count": sum(len(r["months"]) for r in rows)},
                   illustrative=any(r["synthetic"] for r in rows))


# ", 2023-09" in a release title that names its own month (the month is listed beside it instead)
_SERIES_MONTH = re.compile(r",? \d{4}-\d{2}\b(?!-)")


def _records_gatherer(name: str) -> Gatherer:
    def gather(ctx: Context) -> Section:
        from ..records import report_sections  # imported late: it imports this module

        return getattr(report_sections, name)(ctx)

    return gather


def _programme_gatherer(ctx: Context) -> Section:
    from ..programme.report_section import (
        programme_section,  # imported late: it imports this module
    )

    return programme_section(ctx)


def _metrics_section(ctx: Context) -> Section:
    from ..strategy.report_section import metrics_section  # imported late: it imports this module

    return metrics_section(ctx)


def _inclusion_gatherer(ctx: Context) -> Section:
    from ..inclusion.report import inclusion_section  # imported late: it imports this module

    return inclusion_section(ctx)


# The optional sections, in report order. Each package that feeds the report (metrics, inclusion,
# programme, records) contributes its gatherer here.
OPTIONAL: list[tuple[str, str, Gatherer | None]] = [
    ("metrics", "Metrics by priority", _metrics_section),
    ("inclusion", "Where to act: digital inclusion", _inclusion_gatherer),
    ("programme", "The Full Fibre programme", _programme_gatherer),
    ("actions", "The board's actions", _records_gatherer("actions_section")),
    ("care-record", "The Shared Care Record", _records_gatherer("care_record_section")),
]

MISSING = {
    "metrics": "This workspace defines no strategy metrics, so there is no metrics section.",
    "inclusion": "This workspace has no exclusion-risk configuration, so there is no priority list.",
    "programme": "This workspace has no Full Fibre programme register, so there is no programme section.",
    "actions": "This workspace's records hold no board resolutions, so there is no actions log.",
    "care-record": "This workspace's records hold no Shared Care Record register.",
}


def optional_sections(ctx: Context) -> list[Section]:
    out = []
    for sid, title, gather in OPTIONAL:
        out.append(gather(ctx) if gather else Section(sid, title, omitted=MISSING[sid]))
    return out
