"""Metrics by priority: every metric with its status (as a word), the rule, the trajectory in words
and a sparkline, grouped by priority, the priority x life-stage matrix, and the coverage forecasts.
The same functions as the dashboard; nothing computed in the template."""

from __future__ import annotations

import re

from ... import app as _app  # noqa: F401 - the application object registers the capabilities' records figures
from ...errors import ConfigError
from ...months import day_words, month_words
from ...strategy.board import Board
from ..sparkline import sparkline
from ._records import records_or_reason
from .base import Context, Section

ID, TITLE = "metrics", "Metrics by priority"


def gather(ctx: Context) -> Section:
    try:
        config = ctx.workspace.metrics
    except ConfigError as exc:  # the report is still written; `observatory metrics` shows the error
        return Section(ID, TITLE, omitted=f"The strategy metrics could not be read: {exc}")
    if config is None or not config.metrics:
        return Section(ID, TITLE,
                       omitted="This workspace defines no strategy metrics, so there is no metrics section.")
    records = records_or_reason(ctx)
    reason = records if isinstance(records, str) else None
    board = Board(config, ctx.store, None if reason else records, reason and f"no records database: {reason}",
                  ctx.workspace.region_code, tuple(ctx.workspace.districts), ctx.workspace.programme)
    try:
        rows = board.rows()
    finally:
        if reason is None:
            records.dispose()
    for r in rows:
        r["sparkline"] = sparkline([v["value"] for v in r["values"]], _history_words(r))
        r.pop("trend", None)
        r.pop("band", None)
    for r in rows:  # printed prose: "1 January 2026", not "01 January 2026"
        r["words"] = _day_words(r.get("words"))
        r["rule"] = _day_words(r.get("rule"))
    data = board.summary(rows)
    data["forecasts"] = board.forecasts()
    for f in data["forecasts"]:  # "94.9% in 2026-01" -> "94.9% in January 2026"
        f["words"] = re.sub(r"\b(\d{4}-\d{2})\b(?!-)", lambda m: month_words(m.group(1)), f.get("words") or "")
    return Section(ID, TITLE, data, illustrative=data["illustrative"])


def _day_words(text: str | None) -> str | None:
    return re.sub(r"\b0(\d) (?=[A-Z][a-z]+ \d{4})", r"\1 ", text) if text else text


def _history_words(row: dict) -> str:
    """The sparkline's text alternative: every value it draws, with its date (oldest first)."""
    values = row["values"]
    shown = "; ".join(f"{day_words(v.get('date')) or v.get('label')}: {v['value']:,.4g}" for v in values[-12:])
    more = f" (the latest 12 of {len(values)})" if len(values) > 12 else ""
    return f"{row['display_title']}, values{more}: {shown}"
