"""Demo records: the resolutions of the board's "Digital Transformation Update", and an
illustrative Shared Care Record access register.

The resolution texts follow the minute as summarised in the brief (issue 8). The minute gives no
meeting date, owners' due dates or progress, so those are ILLUSTRATIVE: set here, deterministically
(no randomness; running the seed twice gives the same records), relative to a fixed meeting date,
and every such record carries `illustrative = true` with a note saying which fields are invented.
The register's providers are described by type and district, not named organisations, and every
entry is illustrative: the real register is the Shared Care Record team's to enter.

Run: `observatory records seed-demo` (an empty records database only; `make demo` does it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ObservatoryError
from ..records import actions, register
from .identity import DEMO_NAME, labelled

ACTOR = "demo-seed"
BOARD = f"Scrutiny Board ({DEMO_NAME}, illustrative name)"
MEETING_TITLE = f"Digital Transformation Update ({DEMO_NAME})"
MEETING_DATE = date(2025, 1, 15)  # illustrative: the minute's date is not in the brief
INVENTED = f"{DEMO_NAME}: meeting date, due date, status and updates are illustrative"

# (agenda item, resolution text from the minute, owner, due date offset in days, status, updates)
RESOLUTIONS: list[tuple[str, str, str, int | None, str, list[tuple[int, str, str | None]]]] = [
    ("Digital Transformation Update", "The report was noted.", "Scrutiny Board", 0, "done",
     [(0, "Noted at the meeting.", "done")]),
    ("Digital Transformation Update",
     "The Board supported the approach set out in the digital strategy.", "Scrutiny Board", 0, "done",
     [(0, "Support recorded in the minute.", "done")]),
    ("Digital Transformation Update",
     "Continued oversight through an annual update to the Board on digital infrastructure.",
     "Chief Digital and Information Officer", 365, "open", []),
    ("Digital Transformation Update",
     "The Principal Scrutiny Advisor to circulate the latest update from the 100% Digital team to "
     "Board members.", "Principal Scrutiny Advisor", 30, "done",
     [(21, "Update from the 100% Digital team circulated to members by email.", "done")]),
    ("Digital Transformation Update",
     "The Executive Member to update members on discussions with broadband providers and the "
     "combined authority about mapping regional full-fibre coverage.", "Executive Member", 90,
     "in progress",
     [(40, "First meeting with the combined authority held; provider data sharing being agreed.",
       "in progress")]),
    ("Digital Transformation Update",
     "Report back on the metrics that will be used to evaluate the delivery of the digital ambitions.",
     "Chief Digital and Information Officer", 120, "open", []),
]

DISTRICTS = ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")
PARTS_FULL = "GP record summary; hospital letters and results; care plans; medicines"
# (provider type, description, parts, basis, status, days after the meeting)
REGISTER: list[tuple[str, str, str, str, str, int]] = [
    *[("GP practice", f"GP practices in {d}", PARTS_FULL, "Direct care (implied consent)", "live", -300 + i * 20)
      for i, d in enumerate(DISTRICTS)],
    ("hospital trust", "Acute hospital trust, Leeds", PARTS_FULL, "Direct care (implied consent)", "live", -200),
    ("hospital trust", "Acute hospital trust, Bradford", PARTS_FULL, "Direct care (implied consent)", "live", -150),
    ("hospital trust", "Acute hospital trust, Calderdale and Huddersfield", PARTS_FULL,
     "Direct care (implied consent)", "onboarding", 30),
    ("community health", "Community health services, Leeds", "GP record summary; care plans; medicines",
     "Direct care (implied consent)", "live", -100),
    ("mental health", "Mental health trust, West Yorkshire", "GP record summary; medicines; care plans",
     "Direct care (implied consent)", "live", -60),
    ("social care", "Adult social care, Leeds City Council", "GP record summary; care plans",
     "Direct care (implied consent)", "onboarding", 45),
    ("social care", "Adult social care, Wakefield Council", "GP record summary; care plans",
     "Direct care (implied consent)", "planned", 120),
    ("hospice", "Hospices in Leeds", "GP record summary; medicines; end of life care plans",
     "Direct care (implied consent)", "live", -30),
    ("pharmacy", "Community pharmacies, West Yorkshire", "Medicines; allergies",
     "Direct care (implied consent)", "planned", 180),
    ("ambulance", "Regional ambulance service", "GP record summary; medicines; allergies; care plans",
     "Direct care (implied consent)", "live", -250),
]


def _any(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(actions.Action))
                or session.scalar(select(func.count()).select_from(register.RegisterEntry)))


def has_records(records) -> bool:  # noqa: ANN001
    with records.session() as s:
        return _any(s)


def seed(session: Session, elsewhere: bool = False) -> dict[str, int]:
    """Add the demo records to an empty records database. `elsewhere`: in a workspace that is not
    the demo's, where each resolution also carries the demo's name in its text (the text is what
    every list shows)."""
    if _any(session):
        raise ObservatoryError("The records database already holds actions or register entries; the demo "
                               "is seeded only into an empty one.")
    meeting = actions.find_or_add_meeting(session, ACTOR, BOARD, MEETING_DATE, MEETING_TITLE,
                                          illustrative=True)
    for item, text, owner, due, status, updates in RESOLUTIONS:
        a = actions.create_action(
            session, ACTOR, meeting, f"{DEMO_NAME}: {text}" if elsewhere else text, agenda_item=f"{item} ({DEMO_NAME})", owner=owner,
            due_date=MEETING_DATE + timedelta(days=due) if due is not None else None,
            status="open", illustrative=True, illustrative_note=INVENTED,
        )
        for days, note, new_status in updates:
            at = datetime.combine(MEETING_DATE + timedelta(days=days), datetime.min.time()).replace(hour=10)
            actions.add_update(session, ACTOR, a.id, note, new_status, at=at, illustrative=True)
        if a.status != status:
            actions.edit_action(session, ACTOR, a.id, status=status)
    for kind, name, parts, basis, status, days in REGISTER:
        register.add_entry(session, ACTOR, organisation=labelled(name), provider_type=kind,
                           parts=parts, basis=basis, status=status,
                           status_date=MEETING_DATE + timedelta(days=days), illustrative=True)
    return {"actions": len(RESOLUTIONS), "register": len(REGISTER)}
