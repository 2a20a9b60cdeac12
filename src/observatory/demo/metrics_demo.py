"""Demo values for the entered strategy metrics of the West Yorkshire workspace. ILLUSTRATIVE.

No real figures exist in the repository for residents supported by 100% Digital, staff trained by
the Digital Academy, young people reached, incident response times, transactions online, discharge
delays or inclusion wards reached, so this script makes a plausible quarterly series for each:
a start value at the metric's baseline, a steady change per quarter, and noise drawn from a
seeded generator (random.Random(SEED)), so running it twice gives the same values. The profiles
were chosen to give the demo a mix of statuses (some on track, some close, some off track), not to
say anything about any council. Every value is stored with illustrative = true and the note
"illustrative value of the West Yorkshire demo", and is shown so on the pages, the API, the CLI and the report.

Values run quarterly from the baseline to END (and never past today). Run:
`observatory metrics seed-demo --if-empty` (`make records` does it).
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from ..strategy import models
from .identity import DEMO_NAME

SEED = 11
ACTOR = "demo-seed"
NOTE = f"illustrative value of the {DEMO_NAME}, made up for it"
END = date(2026, 9, 30)

# metric id: (first quarter end, start value, change per quarter, noise sd, whole numbers, cumulative)
PROFILES: dict[str, tuple[date, float, float, float, bool, bool]] = {
    "residents-supported": (date(2023, 6, 30), 2000, 1250, 150, True, True),
    "academy-staff-trained": (date(2023, 6, 30), 150, 165, 30, True, True),
    "young-people-reached": (date(2023, 9, 30), 300, 250, 60, True, True),
    "inclusion-wards": (date(2024, 6, 30), 6, 1.9, 0.8, True, True),
    "soc-response-minutes": (date(2024, 3, 31), 95, -5.5, 4, False, False),
    "transactions-online": (date(2023, 3, 31), 48, 1.1, 0.6, False, False),
    "discharge-delay-days": (date(2024, 3, 31), 6.5, -0.12, 0.15, False, False),
}


def _quarter_ends(start: date, end: date) -> list[date]:
    out, y, m = [], start.year, start.month
    while True:
        nxt_y, nxt_m = (y + (m == 12), m % 12 + 1)
        last = date.fromordinal(date(nxt_y, nxt_m, 1).toordinal() - 1)
        if last > end:
            return out
        out.append(last)
        y, m = (y + (m + 3 > 12), (m + 2) % 12 + 1)


def series(metric_id: str, today: date | None = None) -> list[tuple[date, float]]:
    """The demo series of one metric (the same every run)."""
    first, start, step, sd, whole, cumulative = PROFILES[metric_id]
    rng = random.Random(f"{SEED}:{metric_id}")
    end = min(END, today or date.today())
    out: list[tuple[date, float]] = []
    for i, day in enumerate(_quarter_ends(first, end)):
        value = start + step * i + rng.gauss(0, sd)
        if cumulative and out:
            value = max(value, out[-1][1])  # a running total never falls
        value = round(value) if whole else round(value, 1)
        out.append((day, float(value)))
    return out


def seed(session: Session, metric_ids: list[str] | None = None, today: date | None = None) -> int:
    """Add the demo values of the entered metrics that the workspace defines; return how many."""
    added = 0
    for metric_id in PROFILES:
        if metric_ids is not None and metric_id not in metric_ids:
            continue
        for day, value in series(metric_id, today):
            models.add_value(session, ACTOR, metric_id, value, day, NOTE, illustrative=True)
            added += 1
    return added
