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

ID, TITLE = "metrics", "Metrics off track"


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
    for r in rows:  # printed prose: "1 January 2026", not "01 January 2026"; whole counts; no jargon
        r["words"] = plain(_day_words(r.get("words")), r.get("unit"), r["values"])
        r["rule"] = plain(_day_words(r.get("rule")), r.get("unit"), r["values"])
    data = board.summary(rows)
    data["forecasts"] = board.forecasts()
    for f in data["forecasts"]:  # "94.9% in 2026-01" -> "94.9% in January 2026"
        f["words"] = plain(re.sub(r"\b(\d{4}-\d{2})\b(?!-)", lambda m: month_words(m.group(1)), f.get("words") or ""))
        f["rule"] = plain(f.get("rule"))
    return Section(ID, TITLE, data, illustrative=data["illustrative"])


# The method's words as a board member reads them (the method itself is in the methodology).
JARGON = (
    (re.compile(r"\ba logistic \(saturating\) trend\b"), "a trend that levels off as it nears 100%"),
    (re.compile(r"\blogistic (\(saturating\) )?trend\b"), "trend that levels off as it nears 100%"),
    (re.compile(r"\((\d+)% band ([A-Z][a-z]+ \d{4}) to ([A-Z][a-z]+ \d{4})\)"), r"(likely between \2 and \3)"),
    (re.compile(r"`observatory metrics set ID VALUE --date D`, or the form"), "entered on the metric's page"),
    (re.compile(r"\s*\(`[^`]*`(, or [^)]*)?\)"), ""),
)


def plain(text: str | None, unit: str | None = None, values: list[dict] | None = None) -> str | None:
    """Printed prose without the method's jargon or a command line, and with counts whole: a
    metric that counts things (sites lit, actions done) never reads "3.1 actions" or "1,243.8
    sites" (a rate, "9.6 actions a year", keeps its decimal)."""
    if not text:
        return text
    for pattern, words in JARGON:
        text = pattern.sub(words, text)
    whole = values is not None and all(float(v["value"]).is_integer() for v in values)
    if unit and unit != "%" and whole:
        text = re.sub(rf"(\d[\d,]*\.\d+) {re.escape(unit)}(?! a (?:year|month))",
                      lambda m: f"{round(float(m.group(1).replace(',', ''))):,} {unit}", text)
    return text


def _day_words(text: str | None) -> str | None:
    return re.sub(r"\b0(\d) (?=[A-Z][a-z]+ \d{4})", r"\1 ", text) if text else text


def _history_words(row: dict) -> str:
    """The sparkline's text alternative: every value it draws, with its date (oldest first)."""
    values = row["values"]
    shown = "; ".join(f"{v.get('when') or day_words(v.get('date')) or v.get('label')}: {v['value']:,.4g}"
                      for v in values[-12:])
    more = f" (the latest 12 of {len(values)})" if len(values) > 12 else ""
    return f"{row['display_title']}, values{more}: {shown}"
