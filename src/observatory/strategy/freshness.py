"""How fresh the store's figures are: the newest release of each publisher in this observatory,
whether the publisher has probably published a newer one since (its known cadence), and the
releases a series lacks between two of its figures.

The store can only say what it holds, never what a publisher has or has not published: every
sentence here names "this observatory" ("the newest release in this observatory is July 2025"),
and a newer table is "probably published" by the publisher's cadence, not known to exist.

Cadences, in the words of the publishers' own release names (as recorded in the project's notes
on the files, data/OFCOM-FILES.md and data/SOURCES.md):
- Ofcom, Connected Nations: "an annual report (snapshot in July; e.g. Connected Nations 2025,
  published November 2025)" and updates, "e.g. 'Connected Nations update Spring 2026', a January
  2026 snapshot, published 13 May 2026". So a July table is due about four months after its
  snapshot (November) and a January table about four months after (May). Before 2024 the annual
  snapshot was September (the store's 2018-09 to 2023-09 tables), so no gap is claimed before 2024.
- ONS, Explore local statistics, "Gigabit capable broadband" ("underlying source Ofcom Connected
  Nations"; periods are Ofcom snapshots): its January 2026 figures were committed on 19 May 2026,
  days after Ofcom's. Taken as the same snapshot months, due a month later than Ofcom's (five
  months), so that a warning is not raised in the weeks between the two.

`today` is a parameter everywhere (the command line passes the date it runs on), so tests are
deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..months import month_index, month_of_index, month_words


@dataclass(frozen=True)
class Cadence:
    publisher: str  # as the store's releases name it
    name: str  # as a sentence names it
    months: tuple[int, ...]  # snapshot months
    lag: int  # months from a snapshot to its publication, about
    since: str  # the first snapshot month this cadence holds from (YYYY-MM)
    words: str  # the cadence in words


CADENCES = (
    Cadence("Ofcom", "Ofcom", (1, 7), 4, "2024-01",
            "Ofcom publishes a July snapshot around November and a January snapshot around May"),
    Cadence("Office for National Statistics", "ONS", (1, 7), 5, "2024-01",
            "ONS republishes Ofcom's January and July snapshots about five months after each"),
)


def cadence_of(publisher: str | None) -> Cadence | None:
    for c in CADENCES:
        if publisher and publisher.strip().lower() == c.publisher.lower():
            return c
    return None


def months_apart(earlier: str, later: str) -> int:
    """Whole months from one YYYY-MM to another ('2023-09' to '2025-07': 22)."""
    return month_index(later[:7]) - month_index(earlier[:7])


def expected_snapshots(c: Cadence, after: str, until: str) -> list[str]:
    """The snapshot months of the cadence strictly after `after` and up to `until` (YYYY-MM)."""
    start = max(month_index(after[:7]) + 1, month_index(c.since))
    return [month_of_index(i) for i in range(start, month_index(until[:7]) + 1) if i % 12 + 1 in c.months]


def due_by(c: Cadence, today: date) -> str | None:
    """The newest snapshot the publisher has probably published by `today`."""
    now = today.year * 12 + today.month - 1
    for i in range(now - c.lag, now - c.lag - 13, -1):
        if i % 12 + 1 in c.months and i >= month_index(c.since):
            return month_of_index(i)
    return None


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def freshness(releases: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """One row per publisher with a known cadence whose tables the store holds (synthetic
    releases aside): its newest release here, the newest it has probably published by `today`,
    the snapshots in between, and in words. `stale`: a newer table is probably out."""
    out = []
    for c in CADENCES:
        held = sorted({r["as_of"][:7] for r in releases
                       if cadence_of(r.get("publisher")) is c and r.get("as_of") and not r.get("synthetic")})
        if not held:
            continue
        newest = held[-1]
        due = due_by(c, today)
        missing = expected_snapshots(c, newest, due) if due else []
        row = {"publisher": c.publisher, "name": c.name, "newest": newest, "due": due, "missing": missing,
               "stale": bool(missing), "cadence": c.words}
        said = f"The newest {c.name} release in this observatory is {month_words(newest)}."
        if missing:
            tables = _join([month_words(m) for m in missing])
            said += (f" {c.words}, so by {today.day} {today:%B %Y} its table{'s' if len(missing) > 1 else ''} "
                     f"of {tables} {'have' if len(missing) > 1 else 'has'} probably been published; "
                     f"{'they are' if len(missing) > 1 else 'it is'} not yet in this observatory.")
        row["words"] = said
        # what whoever runs the observatory does about it (the command line says it; pages do not)
        row["action"] = (f"Add {'them' if len(missing) > 1 else 'it'} to the workspace's sources and run "
                         "`observatory build`." if missing else "")
        out.append(row)
    return out


def stale(releases: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The publishers whose newest table here is older than their cadence implies."""
    return [r for r in freshness(releases, today) if r["stale"]]


def gap_words(earlier: dict[str, Any], later: dict[str, Any], publishers: dict[str, str]) -> str | None:
    """Between two figures of one series (rows with `release` and `release_id`): what a reader is
    owed when they are more than twelve months apart, e.g. "22 months apart: Ofcom's tables of
    January 2024, July 2024 and January 2025 are not in this observatory". `publishers`: release id
    -> publisher. None when they are at most twelve months apart."""
    gap = months_apart(earlier["release"], later["release"])
    if gap <= 12:
        return None
    text = f"{gap} months apart"
    c = cadence_of(publishers.get(later.get("release_id", "")))
    if c is not None:
        missing = expected_snapshots(c, earlier["release"], month_of_index(month_index(later["release"][:7]) - 1))
        if missing:
            text += (f": {c.name}'s table{'s' if len(missing) > 1 else ''} of "
                     f"{_join([month_words(m) for m in missing])} {'are' if len(missing) > 1 else 'is'} "
                     "not in this observatory")
            return text
    return text + ": this observatory holds no release of it in between"
