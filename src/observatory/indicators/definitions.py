"""The coverage indicators the observatory publishes, with the publisher's definitions.

Definitions follow Ofcom, "Connected Nations: about this data - fixed coverage and full-fibre
take-up" (OGL v3.0). Speeds are download speeds a premises *can* receive from a fixed network, not
what it buys. Denominators: in Ofcom's local-authority file every "% of premises" column equals the
matching "Number of premises" column over "All Premises" (checked for all 361 rows of the July 2025
file), so every count-based indicator here is over all premises.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    definition: str
    citation: str
    direction: str = "higher-is-better"  # or "lower-is-better"
    unit: str = "%"
    finest_level: str = "postcode"  # the finest level the publisher publishes it at
    has_counts: bool = True  # published with premises counts (summable), not only percentages
    # The indicator whose premises include every premises of this one, by the publisher's
    # definitions (full fibre is gigabit-capable; a gigabit-capable line gives 100 Mbit/s, which is
    # superfast): a forecast of this one never exceeds the forecast of that one
    # (strategy/trajectory.py). Gigabit is held within 100 Mbit/s, as the strategy states the
    # order (full fibre <= gigabit <= 100 Mbit/s <= superfast), not within 300 Mbit/s, which
    # sits between them by definition but is a separate branch here.
    within: str | None = None


OFCOM = "Ofcom, Connected Nations, fixed coverage: 'About this data' (OGL v3.0)"

INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator(
            "sfbb",
            "Superfast broadband (30 Mbit/s or more)",
            "Premises that can receive a download speed of at least 30 Mbit/s, as a share of all premises.",
            OFCOM,
        ),
        Indicator(
            "ufbb100",
            "Ultrafast broadband (100 Mbit/s or more)",
            "Premises that can receive a download speed of at least 100 Mbit/s, as a share of all premises.",
            OFCOM,
            within="sfbb",
        ),
        Indicator(
            "ufbb",
            "Ultrafast broadband (300 Mbit/s or more)",
            "Premises that can receive a download speed of at least 300 Mbit/s, as a share of all premises.",
            OFCOM,
            within="ufbb100",
        ),
        Indicator(
            "full_fibre",
            "Full fibre (FTTP) availability",
            "Premises served by fibre to the premises, as a share of all premises. Ofcom withholds it "
            "below local-authority level for commercial confidentiality.",
            OFCOM,
            finest_level="lad",
            within="gigabit",
        ),
        Indicator(
            "gigabit",
            "Gigabit-capable broadband",
            "Premises that can receive a download speed of at least 1 Gbit/s (full fibre or cable "
            "DOCSIS 3.1), as a share of all premises.",
            OFCOM + "; ONS Explore local statistics, 'Gigabit capable broadband'",
            within="ufbb100",
        ),
        Indicator(
            "below_uso",
            "Below the Universal Service Obligation",
            "Premises that cannot receive 10 Mbit/s download and 1 Mbit/s upload from a fixed line or "
            "fixed wireless network (the broadband USO), as a share of all premises.",
            OFCOM,
            direction="lower-is-better",
        ),
        Indicator(
            "unable_30",
            "Unable to receive 30 Mbit/s",
            "Premises that cannot receive a download speed of 30 Mbit/s from a fixed network, as a "
            "share of all premises.",
            OFCOM,
            direction="lower-is-better",
        ),
        Indicator(
            "full_fibre_takeup",
            "Full-fibre take-up (% of full-fibre coverage)",
            "Premises with full fibre available that have taken a full-fibre service, as a share of "
            "premises with full fibre available. Published in whole percentages, without counts.",
            "Ofcom, Connected Nations, full-fibre take-up by local authority (OGL v3.0)",
            finest_level="lad",
            has_counts=False,
        ),
        Indicator(
            "backbone_reach",
            "Backbone reach (premises near a lit Full Fibre programme site)",
            "Premises whose postcode centroid lies within the reach distance ([programme] reach_distance_m, "
            "200 m by default) of a Full Fibre programme site that is lit, as a share of all premises. "
            "Modelled: output-area premises counts shared over their postcodes, straight-line distance on "
            "the British National Grid.",
            "Digital Observatory, from the Full Fibre programme register and Ofcom output-area premises counts",
            finest_level="ward",
        ),
        Indicator(
            "full_fibre_takeup_all",
            "Full-fibre take-up (% of all premises)",
            "Premises that have taken a full-fibre service, as a share of all premises. Published in "
            "whole percentages, without counts.",
            "Ofcom, Connected Nations, full-fibre take-up by local authority (OGL v3.0)",
            finest_level="lad",
            has_counts=False,
        ),
    )
}

# Residential variants: the same definitions over residential premises only (Ofcom's *_res_* files).
RESIDENTIAL_SUFFIX = "_res"
for _base in ("sfbb", "ufbb100", "ufbb", "gigabit", "below_uso", "unable_30"):
    _i = INDICATORS[_base]
    INDICATORS[_base + RESIDENTIAL_SUFFIX] = Indicator(
        _base + RESIDENTIAL_SUFFIX,
        _i.label + ", residential premises",
        _i.definition.replace("all premises", "residential premises"),
        _i.citation,
        direction=_i.direction,
        finest_level=_i.finest_level,
        within=_i.within + RESIDENTIAL_SUFFIX if _i.within else None,
    )

CORE = ("sfbb", "ufbb100", "ufbb", "full_fibre", "gigabit", "below_uso", "unable_30")


def containers(indicator: str) -> list[str]:
    """The indicators containing `indicator`, nearest first ('full_fibre' -> gigabit, ufbb,
    ufbb100, sfbb): each one's premises include every premises of the ones before it."""
    out: list[str] = []
    i = INDICATORS.get(indicator)
    while i is not None and i.within and i.within not in out:
        out.append(i.within)
        i = INDICATORS.get(i.within)
    return out
