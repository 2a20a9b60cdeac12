"""The glossary's words: each term the observatory uses, in plain English, and the phrases it goes
by in prose. The dashboard's glossary page and its links (web/glossary.py) and the annual
update's "Terms used in this report" (report/terms.py) both read them from here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import NotFoundError

# (id, term, definition, group). Speeds and thresholds follow Ofcom's Connected Nations
# definitions, as the store's indicator definitions do (indicators/definitions.py).
TERMS: tuple[tuple[str, str, str, str], ...] = (
    # -- places ---------------------------------------------------------------------------------
    ("output-area", "Output area (OA)",
     "The smallest area census figures are published for: about 125 households (40 to 250). "
     "Ofcom publishes coverage for output areas: those of the 2011 census in its older files and of the "
     "2021 census in its recent ones. Each figure names the vintage of its areas.", "Places"),
    ("lsoa", "LSOA (lower layer super output area)",
     "A small area of 400 to 1,200 households (1,000 to 3,000 people), built from output areas by the "
     "Office for National Statistics so that statistics can be compared between places of similar size. "
     "Deprivation (the Index of Multiple Deprivation) is published for LSOAs.", "Places"),
    ("msoa", "MSOA (middle layer super output area)",
     "An area of 2,000 to 6,000 households (5,000 to 15,000 people), made of a few LSOAs. ONS names them "
     "after their district and a number. Where the workspace has the House of "
     "Commons Library's MSOA Names, each is shown by that readable name too; otherwise by the wards its "
     "LSOAs lie in, which describes where it is but is not an official name.", "Places"),
    ("ward", "Ward",
     "An electoral ward: the area a local councillor is elected for. Wards change when boundaries are "
     "redrawn; each ward figure names the boundaries it uses.", "Places"),
    ("district", "District (local authority district)",
     "The area of one council (a city, borough or district council, or a unitary authority). Ofcom "
     "publishes its real figures at this level.", "Places"),
    ("combined-authority", "Combined authority",
     "A group of neighbouring councils that work together on transport, skills and economic "
     "development, usually with an elected mayor.", "Places"),
    ("region", "Region",
     "In the observatory, \"the region\" is the whole area it covers: a combined authority, an English "
     "region or a council's own grouping of districts. An English region is one of the nine larger areas "
     "the Office for National Statistics publishes statistics for; it appears as \"English region\".",
     "Places"),
    ("best-fit", "Best fit",
     "How a small area is placed in a bigger one whose boundary it does not follow exactly: the whole "
     "small area goes to the bigger area that holds its centre (or most of its people). Output areas go "
     "to wards and LSOAs this way, so a ward's figure is close to, but not exactly, the figure for its "
     "boundary.", "Places"),
    # -- speeds and coverage --------------------------------------------------------------------
    ("premises", "Premises",
     "Homes and business addresses, as Ofcom counts them. Coverage figures are shares of all premises "
     "unless they say \"residential\". A figure is what premises can receive from a fixed network, not "
     "what they buy.", "Broadband"),
    ("uso", "USO (Universal Service Obligation)",
     "The legal right to request a decent broadband connection: a download speed of at least 10 Mbit/s "
     "and an upload speed of at least 1 Mbit/s (Ofcom). Premises \"below the USO\" cannot get that from "
     "a fixed line or fixed wireless network.", "Broadband"),
    ("superfast", "Superfast broadband",
     "A download speed of at least 30 Mbit/s.", "Broadband"),
    ("ultrafast", "Ultrafast broadband",
     "A download speed of at least 300 Mbit/s in Ofcom's definitions. The observatory also shows the "
     "share of premises that can get 100 Mbit/s or more, labelled as such.", "Broadband"),
    ("gigabit", "Gigabit-capable broadband",
     "A download speed of at least 1 Gbit/s (1,000 Mbit/s), from full fibre or from cable networks "
     "upgraded to DOCSIS 3.1.", "Broadband"),
    ("full-fibre", "Full fibre (FTTP)",
     "Fibre to the premises: a fibre-optic line all the way to the building, rather than fibre to a "
     "street cabinet and copper from there. Ofcom publishes it for districts only.", "Broadband"),
    ("take-up", "Take-up",
     "The share of premises that have bought a service, as opposed to those that could (coverage). "
     "Full-fibre take-up is given both as a share of the premises full fibre reaches and as a share of "
     "all premises.", "Broadband"),
    ("full-fibre-programme", "Full Fibre programme",
     "A council-led programme to bring full fibre to public buildings (council offices, "
     "schools, libraries, health buildings), so that the fibre laid to them can serve homes and "
     "businesses nearby. A site is \"lit\" when its fibre connection is in service.", "Broadband"),
    ("backbone-reach", "Backbone reach",
     "The share of premises within a short distance (200 metres by default) of a council, school or "
     "health building the Full Fibre programme has lit: a modelled measure of how close the new fibre "
     "backbone comes to homes and businesses. Distances are straight lines, not cable routes.",
     "Broadband"),
    # -- numbers ----------------------------------------------------------------------------------
    ("percentage-points", "Percentage points (pp)",
     "The difference between two percentages. Going from 80% to 84% is a rise of 4 percentage points "
     "(it is a 5% rise in relative terms, which is a different thing).", "Numbers"),
    ("release", "Release and as-of month",
     "A release is one set of figures a publisher put out. Its as-of month is the month the figures "
     "describe (Ofcom's \"July 2025\" figures describe coverage in July 2025), not the month they were "
     "published, which is usually some months later.", "Numbers"),
    ("published", "Published figures",
     "Figures read as the publisher put them out (Ofcom, ONS), for the areas they publish. Where a "
     "figure was also worked out from smaller areas, the published one is shown.", "Methods"),
    ("rolled-up", "Rolled-up figures",
     "Figures for a bigger area worked out by adding up its smaller areas' premises counts: premises "
     "covered over all premises, never an average of percentages. Wards, MSOAs and LSOAs are rolled up "
     "from output areas; the combined authority, regions and England from districts.", "Methods"),
    ("estimated-weights", "Estimated weights",
     "Some figures are published as percentages without premises counts (the ONS gigabit series, "
     "full-fibre take-up). To combine districts into a bigger area, each district's percentage is "
     "weighted by its premises count from the nearest release that has one, so the result is an "
     "estimate and is marked as such.", "Methods"),
    ("suppression", "Suppression",
     "Hiding a figure for an area with very few premises, so that no household's service can be "
     "worked out. Enough other figures are hidden too that a hidden one cannot be found by subtracting "
     "the others from their total. Hidden areas still count in the totals of the areas they sit in.",
     "Numbers"),
    ("illustrative", "Illustrative data",
     "Figures derived from a synthetic demonstration file rather than published coverage, marked with "
     "a yellow tag. They show how the observatory works; do not use them for decisions. Ofcom's real "
     "figures are used wherever they exist.", "Numbers"),
    ("natural-breaks", "Natural breaks (map classes)",
     "How the map's colour bands are chosen: the breaks that keep areas with similar values together "
     "and separate groups that differ (Jenks's method). Areas at zero get a band of their own, and the "
     "target, where there is one, is always a break. Darker means worse.", "Numbers"),
    ("exclusion-risk", "Exclusion risk index",
     "A score from 0 to 10 for each LSOA of how likely people there are to be digitally excluded, "
     "combining demography (older residents), broadband and deprivation, after Greater Manchester "
     "Combined Authority's Digital Exclusion Risk Index. Each measure is scaled from 0 (lowest in the "
     "comparison area) to 10 (highest) and the scores are weighted together.", "Numbers"),
    ("imd", "IMD (Index of Multiple Deprivation)",
     "The government's official measure of relative deprivation for each LSOA in England, combining "
     "income, employment, education, health, crime, barriers to housing and services, and the living "
     "environment (Ministry of Housing, Communities and Local Government, English Indices of "
     "Deprivation). A rank, not an amount: it says one area is more deprived than another, not by how "
     "much.", "Numbers"),
    ("forecast", "Trajectory and forecast",
     "A trajectory is the path a target planned, from the start to the target date. A forecast is where "
     "the current trend leads: a curve fitted to the latest figures and carried forward, with a band "
     "showing how uncertain it is. Neither is a promise; a new release can move both.", "Numbers"),
    ("rag-status", "RAG status (red, amber, green)",
     "A strategy metric's status, from where its trend is heading at the target date: green when the "
     "forecast (or the latest value) meets the target, amber when it falls short by no more than the "
     "metric's tolerance or there is only one value, red when it falls further short, is flat or moving "
     "away, or the date has passed; \"no data\" until there are values. Each status is shown with the rule "
     "that gave it.", "Numbers"),
    # -- records ----------------------------------------------------------------------------------
    ("shared-care-record", "Shared Care Record",
     "A secure way for health and care organisations in an area (GP practices, hospitals, community, "
     "mental health and social care services) to see the parts of a person's records that they need to "
     "care for them, without each keeping its own copy (NHS England). The register in the observatory "
     "lists which providers can access it, are being connected or are planned.", "Records"),
    ("board-action", "Board action",
     "A resolution the board or one of its committees made at a meeting, with an owner and a due "
     "date. It is overdue when it is not done by its due date.", "Records"),
)

# How a figure was made, in the words a table shows (the terms above explain them): the store
# keeps the ids (store/schema.py); every view shows these.
METHOD_WORDS = {"published": "published", "rolled-up": "rolled up", "estimated-weights": "estimated"}


def method_words(method: str) -> str:
    return METHOD_WORDS.get(method, method.replace("-", " "))


# each group's heading is an anchor too: /glossary#methods explains how figures are made
GROUPS = ("Places", "Broadband", "Numbers", "Methods", "Records")
IDS = frozenset(t[0] for t in TERMS) | {g.lower() for g in GROUPS}


@dataclass(frozen=True)
class Places:
    """What the glossary says of the workspace's own places: its region, districts, an MSOA's name
    and the vintages of its small areas, read from its store (`places_from`), so that a workspace's
    glossary gives its own examples and no other's."""

    region_name: str | None = None
    region_level: str | None = None  # ca | rgn | group | lad
    districts: tuple[str, ...] = ()
    english_regions: tuple[str, ...] = ()  # the English regions the districts lie in
    msoa_example: str | None = None
    vintages: dict[str, str] = field(default_factory=dict)  # level -> vintage, e.g. {"oa": "OA 2021"}
    superfast_target: float | None = None  # the strategy's superfast target (%), where it sets one


class _AreaReader(Protocol):
    def area(self, code: str) -> dict[str, Any]: ...
    def children(self, code: str, level: str | None = None) -> list[dict[str, Any]]: ...
    def parents_of(self, codes: list[str], parent_level: str) -> dict[str, dict[str, str]]: ...
    def rows(self, sql: str, params: Any = None) -> list[dict[str, Any]]: ...


def places_from(store: _AreaReader, region_code: str | None, superfast_target: float | None = None) -> Places:
    """The glossary's places of a built store (any reader of areas: the analytic store)."""
    vintages: dict[str, str] = {}
    for r in store.rows("SELECT level, vintage, count(*) AS n FROM areas WHERE level IN "
                        "('oa', 'lsoa', 'msoa', 'ward') AND coalesce(vintage, '') <> '' "
                        "GROUP BY level, vintage ORDER BY n DESC"):
        vintages.setdefault(r["level"], r["vintage"])
    msoa = store.rows("SELECT name FROM areas WHERE level = 'msoa' AND name IS NOT NULL ORDER BY name LIMIT 1")
    if not region_code:
        return Places(msoa_example=msoa[0]["name"] if msoa else None, vintages=vintages,
                      superfast_target=superfast_target)
    try:
        region = store.area(region_code)
    except NotFoundError:  # a store without its region says nothing of it
        return Places(vintages=vintages, superfast_target=superfast_target)
    districts = store.children(region["code"], "lad") if region["level"] != "lad" else [region]
    rgns = store.parents_of([d["code"] for d in districts], "rgn")
    return Places(
        region_name=region["name"], region_level=region["level"],
        districts=tuple(sorted(d["name"] for d in districts)),
        english_regions=tuple(sorted({p["name"] for p in rgns.values()})),
        msoa_example=msoa[0]["name"] if msoa else None, vintages=vintages, superfast_target=superfast_target)


def _year(vintage: str | None) -> str | None:
    found = re.search(r"\b(?:19|20)\d\d\b", vintage or "")
    return found.group(0) if found else None


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int) -> str:
    return _NUMBERS[n] if n < len(_NUMBERS) else f"{n:,}"


def _of_places(term_id: str, definition: str, p: Places) -> str:
    """A term's definition with the workspace's own places and vintages in it."""
    if term_id == "output-area":
        year = _year(p.vintages.get("oa"))
        if year:
            return definition + f" This observatory's output areas are those of the {year} census."
        return definition + (" This observatory has no output areas yet: they need Ofcom's output-area file and "
                             "the output areas' boundaries from the Office for National Statistics.")
    if term_id == "msoa" and p.msoa_example:
        return definition.replace("after their district and a number.",
                                  f"after their district and a number (for example {p.msoa_example}).")
    if term_id == "ward" and p.vintages.get("ward"):
        return definition.replace("each ward figure names the boundaries it uses.",
                                  f"the observatory uses the wards of its boundaries file ({p.vintages['ward']}).")
    if term_id == "district" and p.districts and p.region_name and p.region_level != "lad":
        n = len(p.districts)
        return definition + f" {p.region_name} has {_count(n)}: {_listed(p.districts)}."
    if term_id == "combined-authority" and p.region_level == "ca" and p.region_name:
        return definition + (f" {p.region_name} is one; it covers {_count(len(p.districts))} "
                             f"district{'s' if len(p.districts) != 1 else ''}.")
    if term_id == "region" and p.region_name:
        kind = {"ca": "the combined authority", "rgn": "the English region",
                "group": "the council's grouping of districts", "lad": "the district"}.get(p.region_level or "", "")
        here = f"here {kind}, {p.region_name}" if kind else f"here {p.region_name}"
        first = definition.split(": a combined authority, an English region or a council's own grouping of districts.")
        text = f"{first[0]}: {here}.{first[1]}" if len(first) == 2 else definition
        if p.english_regions and p.region_level != "rgn":
            text = text.replace("statistics for;", f"statistics for ({_listed(p.english_regions)} here);")
        return text
    if term_id == "superfast" and p.superfast_target is not None:
        return definition + f" The strategy's target is superfast broadband for {p.superfast_target:g}% of premises."
    return definition


def glossary(suppress_below: int | None = None, places: Places | None = None) -> dict[str, Any]:
    """The glossary; with `places`, its examples are the workspace's own areas (without, it names
    no place at all)."""
    terms = [{"id": i, "term": t, "definition": _of_places(i, d, places) if places else d, "group": g}
             for i, t, d, g in TERMS]
    if suppress_below:
        for t in terms:
            if t["id"] == "suppression":
                t["definition"] += (f" In the observatory a figure over fewer than {suppress_below} premises "
                                    "is hidden.")
    return {
        "groups": [{"id": g.lower(), "name": g, "terms": [t for t in terms if t["group"] == g]} for g in GROUPS],
        "terms": terms,
    }


# The words each term goes by in the pages' prose, for linking them where they appear in text
# the pages are given (indicator definitions, summaries, notes). Case-insensitive unless written
# as plain upper-case abbreviations; "combined authority" and "region" only in lower case, so an
# authority's own name ("... Combined Authority") is left alone. Longer phrases come first.
PHRASES: tuple[tuple[str, str], ...] = (
    ("lsoa", r"(?i:\blower layer super output areas?\b)|\bLSOAs?\b"),
    ("msoa", r"(?i:\bmiddle layer super output areas?\b)|\bMSOAs?\b"),
    ("output-area", r"(?i:(?<!super )\boutput areas?\b)"),
    ("uso", r"(?i:\buniversal service obligation\b)|\bUSO\b"),
    ("superfast", r"(?i:\bsuperfast(?: broadband)?\b)"),
    ("ultrafast", r"(?i:\bultrafast(?: broadband)?\b)"),
    ("gigabit", r"(?i:\bgigabit(?:-capable)?(?: broadband)?\b)"),
    ("full-fibre-programme", r"(?i:\bfull fibre programme\b)"),
    ("full-fibre", r"(?i:\bfull[- ]fibre\b)|\bFTTP\b"),
    ("take-up", r"(?i:\btake-up\b)"),
    ("backbone-reach", r"(?i:\bbackbone reach\b)"),
    ("percentage-points", r"(?i:\bpercentage points?\b)|(?<=\d )pp\b"),
    ("rolled-up", r"(?i:\brolled[- ]up\b)"),
    ("estimated-weights", r"(?i:\bestimated weights\b)"),
    ("best-fit", r"(?i:\bbest[- ]fit\b)"),
    ("suppression", r"(?i:\bsuppress(?:ed|ion)\b)"),
    ("illustrative", r"(?i:\billustrative\b)"),
    ("natural-breaks", r"(?i:\bnatural breaks\b)"),
    ("exclusion-risk", r"(?i:\b(?:digital )?exclusion risk(?: index)?\b)|\bDERI\b"),
    ("imd", r"(?i:\bindex of multiple deprivation\b)|\bIMD\b"),
    ("shared-care-record", r"(?i:\bshared care records?\b)"),
    ("rag-status", r"\bRAG\b"),
    ("forecast", r"(?i:\btrajector(?:y|ies)\b|\bcurrent trend\b)"),
    ("ward", r"(?i:\b(?:electoral )?wards?\b)"),
    ("district", r"(?i:\b(?:local authority )?districts?\b)"),
    ("combined-authority", r"\bcombined authority\b"),
    ("region", r"\bregions?\b"),
    ("premises", r"(?i:\bpremises\b)"),
)
FIND = re.compile("|".join(f"(?P<t{i}>{p})" for i, (_, p) in enumerate(PHRASES)))
TAG = re.compile(r"(<[^>]*>)")


def term_of(match: re.Match) -> str:
    """The id of the term a FIND match is a phrase of."""
    return PHRASES[int(match.lastgroup[1:])][0]
