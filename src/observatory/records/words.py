"""The records in words for people: a moment as "7 December 2026 at 10:42", a yes/no as "yes" or
"no" (never Python's True/False), and each audit entry as one sentence ("Ada Lovelace changed
Lawson Road Health Centre from built to lit on 7 December 2026 at 10:42")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..months import MONTHS

# Who wrote the demo's records, as a reader should read it.
SEED_ACTORS = {"demo-seed": "the example data's script", "setup": "the set-up script"}

# Field names as a sentence says them.
FIELD_WORDS = {
    "agenda_item": "agenda item", "resolution": "resolution", "owner": "owner", "due_date": "due date",
    "status": "status", "meeting_id": "meeting", "illustrative": "illustrative marking",
    "illustrative_note": "illustrative note", "organisation": "organisation", "org_code": "organisation code",
    "provider_type": "provider type", "parts": "parts of the record", "basis": "basis of access",
    "status_date": "status date", "name": "name", "kind": "kind", "lat": "latitude", "lon": "longitude",
    "easting": "easting", "northing": "northing", "postcode": "postcode", "district_code": "district",
    "ward_code": "ward", "supplier": "supplier", "funding_stream": "funding stream", "notes": "notes",
    "role": "role", "disabled": "disabled", "display_name": "name", "value": "value", "date": "date",
    "note": "note",
}
# Bookkeeping that changes with every edit: never a change a reader needs told.
QUIET = frozenset({"updated_at", "version", "id", "recorded_at", "created_at", "last_login", "locked_until",
                   "history", "update"})


def moment_words(value: datetime | date | str | None) -> str:
    """'2026-12-07T10:42:10' -> '7 December 2026 at 10:42'; a date alone -> '7 December 2026'."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return value
    words = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{words} at {value:%H:%M}" if isinstance(value, datetime) else words


def value_words(value: Any) -> str:
    """A field's value in a sentence: yes/no, dates in words, 'nothing' for empty."""
    if value is None or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return moment_words(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77].rstrip() + "..."


def who(actor: str, names: dict[str, str]) -> str:
    return names.get(actor) or SEED_ACTORS.get(actor) or actor


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    if not before or not after:
        return []
    out = []
    for key, new in after.items():
        if key in QUIET or before.get(key) == new or key not in before:
            continue
        label = FIELD_WORDS.get(key, key.replace("_", " "))
        out.append(f"the {label} from {value_words(before.get(key))} to {value_words(new)}")
    return out


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def sentence(entry: dict[str, Any], names: dict[str, str], subject: str | None = None) -> str:
    """One audit entry (audit.AuditEntry.public()) as a sentence. `subject`: what the record is
    called ("Lawson Road Health Centre", "action 5"); by default its kind and number."""
    person = who(entry["actor"], names)
    kind, action = entry["entity"], entry["action"]
    before, after = entry.get("before") or {}, entry.get("after") or {}
    thing = subject or _subject(kind, entry["entity_id"], after or before)
    when = f"on {moment_words(entry['at'])}"
    if kind == "programme_site" and action == "status":
        dated = after.get("date")
        old = before.get("status") if before else None
        move = f"from {old} to {after.get('status')}" if old else f"to {after.get('status')}"
        said = f" (the change dated {moment_words(dated)})" if dated and dated != str(entry["at"])[:10] else ""
        reason = f", because {after['reason'].rstrip('.')}" if after.get("reason") else ""
        return f"{person} changed {thing} {move}{reason} {when}{said}."
    if kind == "metric_value" and action == "create":
        return (f"{person} entered {value_words(after.get('value'))} for {moment_words(after.get('date'))} "
                f"{when}" + (f" ({value_words(after['note'])})" if after.get("note") else "") + ".")
    if kind == "action" and action == "update":
        update = after.get("update") or {}
        moved = ""
        if before.get("status") != after.get("status"):
            moved = f", moving it from {before.get('status')} to {after.get('status')}"
        text = value_words(update.get("text")) if update.get("text") else ""
        return f"{person} added an update to {thing}{moved} {when}" + (f": \u201c{text}\u201d" if text else "") + "."
    if kind == "user":
        account = after.get("username") or before.get("username") or thing
        if action == "set-role":
            return f"{person} changed {account}'s role from {before.get('role')} to {after.get('role')} {when}."
        if action in ("disable", "enable"):
            return f"{person} {action}d {account}'s account {when}."
        if action == "set-password":
            return f"{person} set a new password for {account} {when}."
        if action == "create":
            return f"{person} added the user {account} ({after.get('role')}) {when}."
    if action == "create":
        return f"{person} added {thing} {when}."
    if action == "revoke":
        return f"{person} revoked {thing} {when}."
    changed = _changes(before, after)
    if changed:
        return f"{person} changed {_join(changed)} of {thing} {when}."
    return f"{person} changed {thing} {when}."


_KINDS = {"action": "action", "scr_access": "register entry", "programme_site": "site", "metric_value": "value",
          "meeting": "meeting", "user": "user", "api_token": "API token"}


def _subject(kind: str, entity_id: str, fields: dict[str, Any]) -> str:
    if kind == "scr_access" and fields.get("organisation"):
        return f"the entry for {fields['organisation']}"
    if kind == "programme_site" and fields.get("name"):
        return str(fields["name"])
    if kind == "meeting" and fields.get("body"):
        return f"the meeting of {fields['body']} on {moment_words(fields.get('date'))}"
    return f"{_KINDS.get(kind, kind.replace('_', ' '))} {entity_id}"


def sentences(rows: list[dict[str, Any]], names: dict[str, str], subject: str | None = None) -> list[dict[str, Any]]:
    """Audit rows with their sentence (`said`) and their moment in words (`when`) added. `names`:
    users' names by username (users.display_names)."""
    return [{**r, "said": sentence(r, names, subject), "when": moment_words(r["at"])} for r in rows]
