"""Demo coverage challenges: an illustrative set of residents' reports for the bundled West
Yorkshire demo, with their workflow, so that the challenge pages, the API, the export and the
annual update have something to show.

Everything here is ILLUSTRATIVE and labelled so (`illustrative = true` on every challenge; the
pages, the API and the report say "illustrative"): the postcodes are real postcodes of the demo's
postcode list, but no resident reported anything. The set is made by a seeded random generator
(SEED), relative to the day it is run (`today`), so the same day gives the same records:

- HOTSPOTS postcodes where the published (in the demo, synthetic) figures show 100% gigabit-capable
  coverage each get 3 to 7 reports, the case the challenge process exists for; SCATTERED other
  postcodes get one report each (below the public threshold, so never shown on their own);
- types drawn with weights like the FCC's first year (most reports about speed or technology not
  available to order);
- received over the last 300 days; checked within a week or two; most sent on (operator 70%,
  Ofcom 15%, national programme 15%); of those whose answer is in, outcomes in roughly the FCC's
  proportions (November 2022 to November 2023: 2.2 million conceded, 590,000 overturned, 276,000
  upheld of 3.7 million); a few left past their due date, so the overdue flag shows;
- contact details are invented (example.invalid addresses, which can never receive mail).

Run: `observatory challenges seed-demo` (refused outside the demo workspace unless asked).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..challenges import intake, models, workflow
from ..challenges.codes import CLAIMS, TYPES
from ..errors import ObservatoryError
from ..store import Store
from .identity import DEMO_NAME

ACTOR = "demo-seed"
SEED = 20_241_124
HOTSPOTS = 12
SCATTERED = 45
# FCC-like weights per type code (speed and technology not available to order dominate)
WEIGHTS = {"speed-not-available": 30, "technology-not-available": 25, "order-refused": 8, "no-install-date": 8,
           "install-missed": 5, "excess-charge": 7, "no-fixed-line": 5, "new-equipment": 5, "no-wireless-signal": 2,
           "wrong-location": 5}
FOUND = {
    "speed-not-available": "The fastest package offered for the address is {n} Mbit/s.",
    "technology-not-available": "The operator's checker says full fibre is not available at the address.",
    "order-refused": "The order was refused: the operator said the address cannot be served.",
    "no-install-date": "No installation date was offered {n} working days after ordering.",
    "install-missed": "The engineer did not come on the agreed day and no new date was given.",
    "excess-charge": "Quoted an extra £{n}00 for excess construction.",
    "no-fixed-line": "Every operator asked said it cannot provide a fixed line.",
    "new-equipment": "The operator says a new pole is needed before anything can be installed.",
    "no-wireless-signal": "No signal indoors or in the garden.",
    "wrong-location": "The premises is shown on the next street.",
}


def has_challenges(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(models.Challenge)) or 0) > 0


def _postcodes(store: Store) -> tuple[list[str], list[str]]:
    """Postcodes the store shows at 100% gigabit, and the rest with a figure (sorted, for a seed)."""
    rows = store.figures("postcode", "gigabit")
    full = sorted(r["area_code"] for r in rows if r["value"] is not None and r["value"] >= 99.95)
    other = sorted(r["area_code"] for r in rows if r["value"] is not None and r["value"] < 99.95)
    return full, other


def _one(session: Session, store: Store, rng: random.Random, postcode: str, n: int, today: date) -> models.Challenge:
    code = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    received = today - timedelta(days=rng.randint(5, 300))
    claimed = CLAIMS[0] if code in ("technology-not-available", "order-refused") else rng.choice(CLAIMS[:3])
    c = models.add(session, ACTOR, place=intake.place_of(store, postcode), code=code, claimed=claimed,
                   found=FOUND[code].format(n=rng.choice((8, 12, 24, 36, 40, 67))) + f" ({DEMO_NAME}, illustrative)",
                   evidence_text=f"Illustrative evidence for the {DEMO_NAME}: screenshot described, dated {received}.",
                   contact_name=f"Demo resident {n}", contact_email=f"resident{n}@example.invalid",
                   consent=True, received_on=received, illustrative=True)
    _progress(session, rng, c, received, today)
    return c


def _progress(session: Session, rng: random.Random, c: models.Challenge, received: date, today: date) -> None:
    age = (today - received).days
    checked = received + timedelta(days=rng.randint(2, 14))
    if age < 10 and rng.random() < 0.7 or checked > today:
        return  # still waiting to be checked (some of them past due)
    models.set_status(session, ACTOR, c.id, workflow.CHECKED, checked, note="Evidence checked (illustrative).",
                      today=today)
    sent = checked + timedelta(days=rng.randint(1, 10))
    if sent > today or rng.random() < 0.08:
        return
    to = rng.choices(("operator", "Ofcom", "national programme"), weights=(70, 15, 15))[0]
    models.set_status(session, ACTOR, c.id, workflow.SENT, sent, sent_to=to, today=today)
    answered = sent + timedelta(days=rng.randint(15, 75))
    if answered > today or rng.random() < 0.1:
        return  # waiting for an answer: overdue once its days have passed
    outcome = rng.choices(workflow.OUTCOMES, weights=(2_200, 276, 590))[0]
    models.set_status(session, ACTOR, c.id, outcome, answered, note="Answer received (illustrative).", today=today)


def seed(session: Session, store: Store, today: date | None = None) -> dict[str, Any]:
    """Add the illustrative set to an empty challenges table; counts of what was added."""
    if has_challenges(session):
        raise ObservatoryError("The records already hold coverage challenges. The demo's go into an empty table only.")
    today = today or date.today()
    rng = random.Random(SEED)
    full, other = _postcodes(store)
    if len(full) < HOTSPOTS or len(other) < SCATTERED:
        raise ObservatoryError("The store holds too few postcodes with gigabit figures for the demo's challenges: "
                               "build the demo workspace first (`observatory build`).")
    n = 0
    for pc in rng.sample(full, HOTSPOTS):
        for _ in range(rng.randint(3, 7)):
            n += 1
            _one(session, store, rng, pc, n, today)
    for pc in rng.sample(other, SCATTERED):
        n += 1
        _one(session, store, rng, pc, n, today)
    rows = session.scalars(select(models.Challenge.status)).all()
    return {"challenges": n, "postcodes": HOTSPOTS + SCATTERED,
            "closed": sum(1 for s in rows if s in workflow.OUTCOMES), "types": len(TYPES)}
