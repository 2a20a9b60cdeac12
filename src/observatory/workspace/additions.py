"""What a workspace must add to have figures at a level it lacks: the dataset (by its publisher's
title), the publisher, the licence, and the block of observatory.toml that names it.

A workspace written by `observatory init --region` has its districts and everything above them.
Wards, MSOAs, LSOAs, output areas and postcodes come from files the observatory cannot bundle
for every region: Ofcom's output-area file (the finest level with premises counts) and the ONS
boundaries and postcode directory. Every view that meets a level the workspace lacks (the CLI, the
pages, the API, the report) says why from here, in the same words, rather than "not published" or
"check the postcode".
"""

from __future__ import annotations

from dataclasses import dataclass

OGL = "Open Government Licence v3.0"


@dataclass(frozen=True)
class Dataset:
    title: str  # as the publisher titles it
    publisher: str
    where: str  # where the publisher offers it
    licence: str
    block: str  # the block of observatory.toml that names the file

    def said(self) -> str:
        return f"{self.publisher}, \"{self.title}\" ({self.where}; {self.licence}), in {self.block}"

    def named(self) -> str:
        """For a reader of the pages or the report: the publisher and its title, no settings."""
        return f"{self.publisher}'s \"{self.title}\""


PORTAL = "ONS Open Geography Portal, https://geoportal.statistics.gov.uk"
OFCOM_SMALL_AREAS = Dataset(
    "Connected Nations fixed broadband coverage (output area and postcode files, in the release's ZIP)", "Ofcom",
    "https://www.ofcom.org.uk, Research and data, Connected Nations", OGL,
    '[[sources]] with kind = "ofcom-small-area-zip"')
BOUNDARIES = {
    "oa": Dataset("Output Areas (December 2021) Boundaries EW BGC", "Office for National Statistics", PORTAL, OGL,
                  "[boundaries.oa]"),
    "lsoa": Dataset("Lower layer Super Output Areas (December 2021) Boundaries EW BGC", "Office for National Statistics",
                    PORTAL, OGL, "[boundaries.lsoa]"),
    "msoa": Dataset("Middle layer Super Output Areas (December 2021) Boundaries EW BGC", "Office for National Statistics",
                    PORTAL, OGL, "[boundaries.msoa]"),
    "ward": Dataset("Wards (May 2025) Boundaries UK BGC", "Office for National Statistics", PORTAL, OGL,
                    "[boundaries.ward]"),
}
POSTCODES = Dataset("National Statistics Postcode Lookup (NSPL)", "Office for National Statistics", PORTAL, OGL,
                    "[postcodes]")

PLURAL = {"oa": "output areas", "lsoa": "LSOAs", "msoa": "MSOAs", "ward": "electoral wards", "postcode": "postcodes"}
# The levels a workspace may lack: everything below districts.
SMALL_LEVELS = tuple(PLURAL)


def needed(level: str) -> list[Dataset]:
    """The datasets a workspace needs for figures at `level` (none for districts and above)."""
    if level == "postcode":
        return [OFCOM_SMALL_AREAS, POSTCODES, BOUNDARIES["oa"]]
    if level == "oa":
        return [OFCOM_SMALL_AREAS, BOUNDARIES["oa"]]
    if level in BOUNDARIES:
        return [OFCOM_SMALL_AREAS, BOUNDARIES["oa"], BOUNDARIES[level]]
    return []


def what_to_add(level: str, has_areas: bool = False, reader: bool = False) -> str:
    """Why a workspace has no figures at `level`, and what to add to get them; "" for a level that
    needs nothing beyond the district tables. `has_areas`: the workspace has the level's areas
    (their boundaries) but no figures for them. `reader`: for the board's paper, the datasets by
    their publishers' titles only (an officer's command and settings are no help to a councillor)."""
    datasets = needed(level)
    if not datasets:
        return ""
    plural = PLURAL[level]
    if has_areas:
        datasets = [d for d in datasets if d is not BOUNDARIES.get(level)]
    if level == "postcode":
        how = ("Ofcom publishes coverage for postcodes in its postcode file, and the ONS postcode directory "
               "places each postcode in its output area")
    elif level == "oa":
        how = "Ofcom publishes coverage for output areas in its output-area file"
    else:
        how = (f"{plural[0].upper() + plural[1:]} are rolled up from Ofcom's output-area file, placing output areas "
               f"in {plural} by their boundaries")
    first = f"This workspace has {plural} but no figures for them" if has_areas else f"This workspace has no {plural}"
    if reader:
        names = [d.named() for d in datasets]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        return f"{first}. {how}. They need {listed}, which the council's officers can add."
    listed = "; ".join(d.said() for d in datasets)
    return (f"{first}. {how}. To add them, download {listed}. Each has a commented block in observatory.toml "
            "to fill in. Then rebuild the store (`observatory build`).")
