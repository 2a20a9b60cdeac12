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
    """Raise InputError if `new` may not follow `history`; say what is allowed instead, in plain
    words (a form shows the sentence as it is). `where` names the file (and site) the change came
    from, for the message; `InputError.column` says which of the change's fields is wrong."""
    allowed = next_statuses(history)
    choose = f"Choose {_either(allowed)}." if allowed else ""
    if new.status not in STATUSES:
        raise InputError(where, f"\u201c{new.status}\u201d is not one of the statuses ({', '.join(STATUSES)}). {choose}".strip(), column="status")
    if new.status == WITHDRAWN and not new.reason.strip():
        raise InputError(where, "A withdrawn site needs a reason: give the reason it is withdrawn.", column="reason")
    if not history:
        if new.status != "planned":
            raise InputError(where, f"A site's first status must be 'planned' (it was given {new.status}).", column="status")
        return
    last = history[-1]
    if new.on < last.on:
        raise InputError(where, f"The date, {_day(new.on)}, is before the previous change ({last.status} on "
                         f"{_day(last.on)}): dates may not go backwards. Give a date on or after it.", column="date")
    if last.status == WITHDRAWN:
        raise InputError(where, "The site is withdrawn, so it has no further status.", column="status")
    if new.status == WITHDRAWN:
        if last.status == "lit":
            raise InputError(where, "A lit site cannot be withdrawn.", column="status")
        return
    if ORDER.index(new.status) <= ORDER.index(last.status):
        raise InputError(where, f"{new.status.capitalize()} does not follow {last.status}: statuses only move "
                         f"forward ({', '.join(ORDER)}). {choose}".strip(), column="status")


def next_statuses(history: list[Change]) -> list[str]:
    """The statuses a site may move to next, in order: what a form offers (a built site is never
    offered planned)."""
    if not history:
        return ["planned"]
    last = history[-1].status
    if last == WITHDRAWN:
        return []
    later = list(ORDER[ORDER.index(last) + 1:])
    return later if last == "lit" else [*later, WITHDRAWN]


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def _day(d: date) -> str:
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    return f"{d.day} {months[d.month - 1]} {d.year}"


def status_on(history: list[Change], day: date) -> str | None:
    """The site's status at the end of `day` (None if not yet planned)."""
    current = None
    for change in history:
        if change.on <= day:
            current = change.status
    return current


def lit_on(history: list[Change], day: date) -> bool:
    return status_on(history, day) == "lit"
