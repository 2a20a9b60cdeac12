"""Which districts make up a region: `observatory init --region` reads them from the national ONS
lookups the observatory bundles (LAD 2025 to English region and to combined authority), so a new
workspace names its region and districts without anyone typing codes.

A region is asked for by code (a combined authority E47..., an English region E12..., or one
district E06/E07/E08/E09/W06/S12/N09), by its name as ONS spells it, or as a list of districts. A
list that is exactly a combined authority or region is that area; any other list becomes the
workspace's own grouping of districts. District names come from the lookups (England) and Ofcom's
newest district table (the rest of the UK); codes a publisher still uses for a recoded district
(Barnsley's E08000016) are taken as today's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ObservatoryError
from ..sources.tabular import read_bytes, read_csv
from ..workspace import Lookup, Source
from .code_history import current

LEVEL_WORDS = {
    "ca": "combined authority",
    "rgn": "English region",
    "group": "grouping of districts",
}
# The code a workspace's own grouping of districts goes by (no ONS code is of this form).
GROUP_CODE = "G00000001"


@dataclass(frozen=True)
class Region:
    """The focus region of a new workspace."""

    code: str
    name: str
    level: str  # ca | rgn | group
    districts: tuple[tuple[str, str], ...]  # (LAD 2025 code, name), by code
    notes: tuple[str, ...] = field(default=())  # what was read differently from how it was asked

    @property
    def district_codes(self) -> list[str]:
        return [c for c, _ in self.districts]

    @property
    def district_names(self) -> list[str]:
        return sorted(n for _, n in self.districts)

    @property
    def described(self) -> str:
        """'South Yorkshire (combined authority E47000002)'"""
        if self.level == "group":
            n = len(self.districts)
            return f"{self.name} (a grouping of {n} district{'s' if n != 1 else ''})"
        return f"{self.name} ({LEVEL_WORDS[self.level]} {self.code})"


@dataclass
class Areas:
    """Every district the bundled national files know (code -> name), and the parents of each
    lookup level (code -> (name, member district codes))."""

    districts: dict[str, str]
    parents: dict[str, dict[str, tuple[str, list[str]]]]

    def parent(self, code: str) -> tuple[str, str, list[str]] | None:
        for level, table in self.parents.items():
            if code in table:
                name, members = table[code]
                return level, name, members
        return None

    def listing(self) -> str:
        """Every combined authority and region, a line each, for a message."""
        lines = []
        for level in ("ca", "rgn"):
            for code, (name, members) in sorted(self.parents.get(level, {}).items()):
                lines.append(f"  {code}  {name} ({LEVEL_WORDS[level]}, {len(members)} districts)")
        return "\n".join(lines)


def read_areas(lookups: tuple[Lookup, ...], ofcom_table: Source | None) -> Areas:
    """The districts and parents of the bundled national lookups (and the UK's districts from
    Ofcom's district table, for names outside England)."""
    districts: dict[str, str] = {}
    if ofcom_table is not None:
        df = read_csv(
            read_bytes(ofcom_table.file),
            ofcom_table.file.name,
            {"code": ("laua",), "name": ("laua_name",)},
        )
        for code, name in zip(df["code"].str.strip(), df["name"].str.strip(), strict=True):
            districts[current(code)] = name
    parents: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for lk in lookups:
        if lk.level not in ("ca", "rgn"):
            continue
        # ONS lookups name each district beside its code (LAD25CD, LAD25NM)
        name_col = lk.district[:-2] + "NM" if lk.district.upper().endswith("CD") else ""
        columns = {"district": (lk.district,), "code": (lk.code,), "name": (lk.name,)}
        df = read_csv(read_bytes(lk.file), lk.file.name, columns)
        table = parents.setdefault(lk.level, {})
        names = df[name_col] if name_col in df.columns else df["district"]
        for district, code, name, district_name in zip(
            df["district"].str.strip(),
            df["code"].str.strip(),
            df["name"].str.strip(),
            names.str.strip(),
            strict=True,
        ):
            if not code:
                continue
            table.setdefault(code, (name, []))[1].append(district)
            districts[district] = district_name or districts.get(district, district)
    return Areas(districts, parents)


def resolve(
    areas: Areas, region: str | None, districts: list[str] | None, name: str | None = None
) -> Region:
    """The region a new workspace is for: `region` (a code or an ONS name), or `districts`."""
    if bool(region) == bool(districts):
        raise ObservatoryError(
            "Give one of --region CODE (a combined authority or English region) and "
            "--districts CODE,CODE,... (the districts of your own grouping)."
        )
    if region:
        return _by_code(areas, region.strip(), name)
    return _by_districts(areas, [d.strip() for d in districts or [] if d.strip()], name)


def _by_code(areas: Areas, given: str, name: str | None) -> Region:
    code = given.upper()
    found = areas.parent(code)
    if found is None:
        matches = [
            (c, level)
            for level, table in areas.parents.items()
            for c, (n, _) in table.items()
            if n.casefold() == given.casefold()
        ]
        if len(matches) > 1:
            options = "; ".join(f"{c} ({LEVEL_WORDS[lv]})" for c, lv in sorted(matches))
            raise ObservatoryError(
                f"'{given}' is the name of more than one area: {options}. Give the code instead, "
                f"e.g. --region {sorted(matches)[0][0]}."
            )
        if matches:
            code = matches[0][0]
            found = areas.parent(code)
    if found is None:
        if current(code) in areas.districts:
            return _by_districts(areas, [code], name)
        raise ObservatoryError(_unknown(areas, given))
    level, ons_name, members = found
    return Region(
        code=code,
        name=name or ons_name,
        level=level,
        districts=tuple(sorted((d, areas.districts.get(d, d)) for d in members)),
    )


def _by_districts(areas: Areas, codes: list[str], name: str | None) -> Region:
    if not codes:
        raise ObservatoryError(
            "--districts names no district. Give LAD 2025 codes separated by commas, e.g. "
            "--districts E08000017,E08000018."
        )
    notes, chosen = [], []
    for given in codes:
        code = given.upper()
        now = current(code)
        if now not in areas.districts:
            raise ObservatoryError(
                f"'{given}' is not a district code in the bundled ONS and Ofcom tables (local authority "
                "districts of 2025: E06, E07, E08 or E09 in England, W06 in Wales, S12 in Scotland, N09 in "
                "Northern Ireland). Find a district's code on the ONS Open Geography Portal "
                '(https://geoportal.statistics.gov.uk, "Local Authority Districts (May 2025) Names and Codes '
                'in the UK"), or give --region with one of:\n' + areas.listing()
            )
        if now != code:
            notes.append(f"{code} is now {now} ({areas.districts[now]}); the workspace uses {now}.")
        if now not in chosen:
            chosen.append(now)
    members = set(chosen)
    for level in ("ca", "rgn"):
        for code, (ons_name, parent_members) in sorted(areas.parents.get(level, {}).items()):
            if set(parent_members) == members:
                notes.append(
                    f"These districts are exactly {ons_name} ({LEVEL_WORDS[level]} {code}); the "
                    "workspace is for it."
                )
                return Region(
                    code=code,
                    name=name or ons_name,
                    level=level,
                    notes=tuple(notes),
                    districts=tuple(sorted((d, areas.districts[d]) for d in members)),
                )
    listed = sorted(areas.districts[d] for d in members)
    default = (
        listed[0]
        if len(listed) == 1
        else (
            " and ".join([", ".join(listed[:-1]), listed[-1]])
            if len(listed) <= 3
            else f"{listed[0]} and {len(listed) - 1} more districts"
        )
    )
    return Region(
        code=GROUP_CODE,
        name=name or default,
        level="group",
        notes=tuple(notes),
        districts=tuple(sorted((d, areas.districts[d]) for d in members)),
    )


def _unknown(areas: Areas, given: str) -> str:
    return (
        f"'{given}' is not a combined authority, English region or district in the bundled ONS lookups "
        "(April 2025). Give one of these codes to --region:\n" + areas.listing() + "\n"
        "or the districts of your own area with --districts CODE,CODE,... (LAD 2025 codes; find them on "
        'the ONS Open Geography Portal, https://geoportal.statistics.gov.uk, "Local Authority Districts '
        '(May 2025) Names and Codes in the UK").'
    )
