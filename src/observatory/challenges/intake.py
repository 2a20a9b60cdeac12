"""The public form's checks, the same for the web form and an import: the postcode (one the
observatory's postcode list holds, placed in its output area, LSOA, ward and district, with the
published gigabit figure beside it), the challenge type, what was claimed and found, the evidence,
the contact details and the consent. Every problem is kept per field, so a form can show them all
beside the values typed (nothing is lost), and nothing is stored until there is none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError, ObservatoryError
from ..records.inputs import text_problem
from ..store import Store
from .codes import BY_CODE, CLAIMS
from .evidence import Upload, problem

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")

# field -> (label for messages, most characters, may hold line breaks)
TEXT = {
    "postcode": ("The postcode", 20, False),
    "claimed": ("What the map shows", 300, False),
    "found": ("What you found", 2000, True),
    "evidence_text": ("Your evidence", 5000, True),
    "contact_name": ("Your name", 200, False),
    "contact_email": ("Your email address", 254, False),
    "contact_phone": ("Your phone number", 40, False),
}
FIELDS = (*TEXT, "type", "consent")


@dataclass
class Checked:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    place: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def normal_postcode(text: str) -> str | None:
    m = POSTCODE.match(re.sub(r"\s+", " ", text.strip().upper()))
    return f"{m.group(1)} {m.group(2)}" if m else None


def place_of(store: Store, postcode: str) -> dict[str, Any]:
    """The postcode's areas and published gigabit figure (NotFoundError if the store lacks it)."""
    area = store.area(postcode)
    if area["level"] != "postcode":
        raise NotFoundError(f"'{postcode}' is not a postcode.")
    parents = {p["level"]: p["code"] for p in store.parents(area["code"])}
    place = {"postcode": area["code"], "lon": area["lon"], "lat": area["lat"], "oa_code": parents.get("oa", ""),
             "lsoa_code": parents.get("lsoa", ""), "ward_code": parents.get("ward", ""),
             "district_code": parents.get("lad", ""), "published_gigabit": None, "published_release": ""}
    try:
        fig = store.figures("postcode", "gigabit", area=area["code"])
    except ObservatoryError:
        fig = []
    if fig:
        place.update(published_gigabit=fig[0]["value"], published_release=fig[0]["release"])
    return place


def _text(errors: dict[str, str], name: str, value: str) -> str:
    label, most, multiline = TEXT[name]
    value = value.strip()
    if len(value) > most:
        errors[name] = f"{label} is {len(value):,} characters long: at most {most:,} fit."
        return value
    plain = value.replace("\n", " ").replace("\r", " ").replace("\t", " ") if multiline else value
    found = text_problem(label, plain)
    if found:
        errors[name] = found
    return value


def check(form: dict[str, Any], upload: Upload | None, store: Store | None, max_upload_kb: int,
          require_evidence: bool = True) -> Checked:
    """Every field of a report checked; `values` as typed (trimmed), `errors` per field. An import
    (`require_evidence=False`) may carry reports whose evidence is on paper."""
    values = {name: str(form.get(name) or "") for name in TEXT}
    values["type"] = str(form.get("type") or "")
    values["consent"] = str(form.get("consent") or "").lower() in ("yes", "on", "true", "1")
    errors: dict[str, str] = {}
    for name in TEXT:
        values[name] = _text(errors, name, values[name])
    out = Checked(values, errors)
    if "postcode" not in errors:
        pc = normal_postcode(values["postcode"])
        if not values["postcode"]:
            errors["postcode"] = "Enter the postcode of the premises, for example SW1A 1AA."
        elif pc is None:
            errors["postcode"] = f"'{values['postcode']}' is not a postcode. Enter it as on a letter, for example SW1A 1AA."
        elif store is None:
            errors["postcode"] = "The postcode list is not available just now, so reports cannot be checked. Try again later."
        else:
            values["postcode"] = pc
            try:
                out.place = place_of(store, pc)
            except NotFoundError:
                errors["postcode"] = (f"{pc} is not in this observatory's postcode list, which covers the region's "
                                      "postcodes only. Check it, or report to the council for that area.")
    if values["type"] not in BY_CODE:
        errors["type"] = "Choose what went wrong."
    if not values["claimed"]:
        errors.setdefault("claimed", "Say what the map shows for the premises.")
    elif values["claimed"] not in CLAIMS:
        errors.setdefault("claimed", "Choose what the map shows from the list.")
    if not values["found"]:
        errors.setdefault("found", "Say what you found when you tried to get it.")
    if upload is not None and upload.data:
        bad = problem(upload, max_upload_kb)
        if bad:
            errors["evidence_file"] = bad
    elif require_evidence and not values["evidence_text"]:
        errors.setdefault("evidence_text", "Describe your evidence, or attach a file.")
    if values["contact_email"] and not EMAIL.match(values["contact_email"]):
        errors.setdefault("contact_email", "Enter an email address like name@example.com, or leave it empty.")
    if values["contact_phone"] and not PHONE.match(values["contact_phone"]):
        errors.setdefault("contact_phone", "Enter a phone number of digits (spaces and + allowed), or leave it empty.")
    if not values["consent"]:
        errors["consent"] = "Tick the box to agree to the privacy notice: the council cannot keep your report otherwise."
    return out
