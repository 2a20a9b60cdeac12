"""Taking a report from the public form: the rate limit, the checks, the evidence file and the
record, in that order, so that a refused report leaves nothing behind (no row, no file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..records.db import Records
from ..store import Store
from ..workspace.challenges import ChallengesConfig
from . import evidence, intake, models

PUBLIC_ACTOR = "public form"


@dataclass
class Outcome:
    checked: intake.Checked
    challenge_id: int | None = None
    limited: str | None = None  # why the client may not report now

    @property
    def reference(self) -> str | None:
        return models.reference(self.challenge_id) if self.challenge_id is not None else None


def limit_message(cfg: ChallengesConfig) -> str:
    return (f"This connection has sent {cfg.rate_limit} reports in the last {cfg.rate_window_minutes} minutes, the "
            "most the form takes. Please try again later, or phone the council.")


def submit(records: Records, store: Store | None, cfg: ChallengesConfig, folder: Path, form: dict[str, Any],
           upload: evidence.Upload | None, client: str, today: date | None = None,
           illustrative: bool = False) -> Outcome:
    """`folder`: where evidence files are kept ([challenges] evidence_folder under the workspace)."""
    checked = intake.check(form, upload, store, cfg.max_upload_kb)
    with records.session() as s:
        if models.recent_from(s, client, cfg) >= cfg.rate_limit:
            return Outcome(checked, limited=limit_message(cfg))
    if not checked.ok:
        return Outcome(checked)
    stored = evidence.store_file(upload, folder) if upload is not None and upload.data else None
    v = checked.values
    try:
        with records.session() as s:
            c = models.add(s, PUBLIC_ACTOR, place=checked.place or {}, code=v["type"], claimed=v["claimed"],
                           found=v["found"], evidence_text=v["evidence_text"], evidence=stored,
                           contact_name=v["contact_name"], contact_email=v["contact_email"],
                           contact_phone=v["contact_phone"], consent=v["consent"], received_on=today,
                           illustrative=illustrative, client=client)
            new_id = c.id
    except BaseException:
        if stored:
            evidence.remove(folder, str(stored["file"]))
        raise
    return Outcome(checked, new_id)
