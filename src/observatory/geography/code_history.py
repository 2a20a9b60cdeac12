"""District codes that changed since the releases we read were published.

From the ONS Code History Database (CHD). Two kinds of change matter to figures:
- a recode: the same area under a new code. Barnsley and Sheffield were recoded on 1 April 2024
  (E08000016 -> E08000038, E08000019 -> E08000039), and four Scottish council areas in 2018-19 after
  boundary changes (Fife, Perth and Kinross, Glasgow City, North Lanarkshire). Ofcom's tables still
  use the old Barnsley and Sheffield codes; ONS's series uses both for a while.
- a merger: districts abolished and replaced by a new one (April 2019 Dorset, Bournemouth,
  Christchurch and Poole, East and West Suffolk, Somerset West and Taunton; April 2020
  Buckinghamshire; April 2021 North and West Northamptonshire; April 2023 Cumberland, Westmorland
  and Furness, North Yorkshire, Somerset). Older releases give the abolished districts (Ofcom's
  September 2023 table still does); newer ones the successor. A district can be merged twice
  (Taunton Deane -> Somerset West and Taunton -> Somerset): `current()` follows the chain.
"""

from __future__ import annotations

RECODED = {
    "E08000016": "E08000038",  # Barnsley (2024)
    "E08000019": "E08000039",  # Sheffield (2024)
    "S12000015": "S12000047",  # Fife (2018)
    "S12000024": "S12000048",  # Perth and Kinross (2018)
    "S12000046": "S12000049",  # Glasgow City (2018)
    "S12000044": "S12000050",  # North Lanarkshire (2019)
}

_MERGERS = {
    # April 2019
    "E06000058": ("E06000028", "E06000029", "E07000048"),  # Bournemouth, Christchurch and Poole
    "E06000059": ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053"),  # Dorset
    "E07000244": ("E07000205", "E07000206"),  # East Suffolk: Suffolk Coastal, Waveney
    "E07000245": ("E07000201", "E07000204"),  # West Suffolk: Forest Heath, St Edmundsbury
    "E07000246": ("E07000190", "E07000191"),  # Somerset West and Taunton: Taunton Deane, West Somerset
    # April 2020
    "E06000060": ("E07000004", "E07000005", "E07000006", "E07000007"),  # Buckinghamshire
    # April 2021
    "E06000061": ("E07000150", "E07000152", "E07000153", "E07000156"),  # North Northamptonshire
    "E06000062": ("E07000151", "E07000154", "E07000155"),  # West Northamptonshire
    # April 2023
    "E06000063": ("E07000026", "E07000028", "E07000029"),  # Cumberland: Allerdale, Carlisle, Copeland
    "E06000064": ("E07000027", "E07000030", "E07000031"),  # Westmorland and Furness: Barrow, Eden, South Lakeland
    "E06000065": (  # North Yorkshire: Craven, Hambleton, Harrogate, Richmondshire, Ryedale, Scarborough, Selby
        "E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169",
    ),
    "E06000066": ("E07000187", "E07000188", "E07000189", "E07000246"),  # Somerset: Mendip, Sedgemoor, South Somerset, Somerset West and Taunton
}

SUCCESSOR = {old: new for new, olds in _MERGERS.items() for old in olds}
PREDECESSORS = dict(_MERGERS)


def current(code: str) -> str:
    """The code that holds this district's area today: itself, its new code, or its successor's."""
    seen = set()
    while code not in seen:
        seen.add(code)
        nxt = RECODED.get(code) or SUCCESSOR.get(code)
        if nxt is None:
            return code
        code = nxt
    return code


def ancestors(code: str) -> set[str]:
    """Every abolished district whose area is now part of this one, however many mergers back."""
    out: set[str] = set()
    for old in PREDECESSORS.get(code, ()):
        out |= {old, *ancestors(old)}
    return out

# The vintage given to a district that a release lists but that was abolished before the current
# district boundaries (LAD 2025): kept for that release's figures and its parents' roll-ups, never
# listed among an area's districts today.
ABOLISHED = "LAD (abolished before 2025)"
