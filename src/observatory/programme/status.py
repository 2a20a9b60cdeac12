"""Status rules for programme sites.

A site moves forward through planned < surveyed < build in progress < built < lit, or is
withdrawn (with a reason) from any status before lit. History is append-only: a change never
rewrites an earlier one, and dates never go backwards (so no lit date before the planned date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from observatory.errors import InputError

ORDER = ("planned", "surveyed", "build in progress", "built", "lit")
WITHDRAWN = "withdrawn"
STATUSES = ORDER + (WITHDRAWN,)


@dataclass(frozen=True)
class Change:
    status: str
    on: date
    reason: str = ""


def check_next(history: list[Change], new: Change, where: str = "status change") -> None:
    """Raise InputError if `new` may not follow `history`; say what is allowed instead.

    `where` names the file (and site) the change came from, for the message.
    """
    if new.status not in STATUSES:
        raise InputError(where, f"status {new.status!r} is not one of: {', '.join(STATUSES)}")
    if new.status == WITHDRAWN and not new.reason.strip():
        raise InputError(where, "a withdrawn site needs a reason; give one")
    if not history:
        if new.status != "planned":
            raise InputError(where, f"a site's first status must be 'planned', not {new.status!r}")
        return
    last = history[-1]
    if new.on < last.on:
        raise InputError(where, f"{new.status!r} on {new.on} is before the previous change "
                         f"({last.status!r} on {last.on}); dates may not go backwards")
    if last.status == WITHDRAWN:
        raise InputError(where, "the site is withdrawn; it has no further status")
    if new.status == WITHDRAWN:
        if last.status == "lit":
            raise InputError(where, "a lit site cannot be withdrawn")
        return
    if ORDER.index(new.status) <= ORDER.index(last.status):
        raise InputError(where, f"{new.status!r} does not follow {last.status!r}; statuses only move "
                         f"forward: {' < '.join(ORDER)}")


def status_on(history: list[Change], day: date) -> str | None:
    """The site's status at the end of `day` (None if not yet planned)."""
    current = None
    for change in history:
        if change.on <= day:
            current = change.status
    return current


def lit_on(history: list[Change], day: date) -> bool:
    return status_on(history, day) == "lit"
