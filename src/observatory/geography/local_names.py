"""Local names for MSOAs: what people call the place, beside the ONS name ("Bradford 001").

Two kinds, never mixed up on screen:
- 'hcl': the House of Commons Library's readable name (sources/msoa_names.py), where the workspace
  gives that file. An official name, shown as the area's name with the ONS name beside it.
- 'wards': where there is no such file, a description built from data the store holds: the
  electoral wards the MSOA's LSOAs lie in (each LSOA placed in one ward by best fit), the ward
  holding most of them first, at most two named. It says where the area is; it is not a name, and
  every page that shows it says so.
"""

from __future__ import annotations

from collections.abc import Sequence

HCL = "hcl"
WARDS = "wards"
# At most this many wards are named in a description; the rest are counted ("and 2 more").
WARDS_NAMED = 2

NOTES = {
    HCL: "Readable name from the House of Commons Library's MSOA Names (Open Government Licence v3.0).",
    WARDS: "A description, not an official name: the wards the MSOA's LSOAs lie in (each LSOA "
           "placed in one ward by best fit), the ward holding most of them first.",
}
KIND_WORDS = {HCL: "House of Commons Library name", WARDS: "description from its wards (not an official name)"}


def describe(wards: Sequence[str]) -> str:
    """'in Wharfedale ward'; 'in Headingley & Hyde Park ward and Little London & Woodhouse ward';
    'in City ward, Bowling ward and 2 more wards'. `wards` come most-LSOAs first. Each name is followed
    by 'ward', since ward names themselves hold 'and' (Bolton and Undercliffe)."""
    named = [f"{w} ward" for w in wards[:WARDS_NAMED]]
    more = len(wards) - len(named)
    if not named:
        return ""
    if more:
        return f"in {', '.join(named)} and {more} more ward{'s' if more > 1 else ''}"
    return "in " + " and ".join(named)


def where(local_name: str | None, kind: str | None) -> str | None:
    """A description as the place part of a phrase ('Wharfedale ward' from 'in Wharfedale ward'),
    None for a readable name or none."""
    if kind != WARDS or not local_name:
        return None
    return local_name[3:] if local_name.startswith("in ") else local_name


def display(name: str | None, local_name: str | None, kind: str | None) -> str:
    """How an MSOA is named in one line of text: 'Ilkley North (Bradford 001)' for a readable
    name, 'Bradford 001, in Wharfedale ward' for a description, the ONS name otherwise."""
    name = name or ""
    if not local_name:
        return name
    if kind == HCL:
        return f"{local_name} ({name})" if name and name != local_name else local_name
    return f"{name}, {local_name}" if name else local_name

