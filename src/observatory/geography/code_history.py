"""District codes that changed since the releases we read were published.

From the ONS Code History Database (CHD). Two kinds of change matter to figures:
- a recode: the same district under a new code after a boundary change. Barnsley and Sheffield
  were recoded on 1 April 2024 (E08000016 -> E08000038, E08000019 -> E08000039); Ofcom's July 2025
  district table still uses the old codes, and ONS's series uses both for a while.
- a merger: districts abolished and replaced by a new unitary authority on 1 April 2023 (Cumbria,
  North Yorkshire, Somerset). Older releases give the abolished districts; newer ones the successor.
"""

from __future__ import annotations

RECODED = {
    "E08000016": "E08000038",  # Barnsley
    "E08000019": "E08000039",  # Sheffield
}

_MERGERS = {
    "E06000063": ("E07000026", "E07000028", "E07000029"),  # Cumberland: Allerdale, Carlisle, Copeland
    "E06000064": ("E07000027", "E07000030", "E07000031"),  # Westmorland and Furness: Barrow, Eden, South Lakeland
    "E06000065": (  # North Yorkshire: Craven, Hambleton, Harrogate, Richmondshire, Ryedale, Scarborough, Selby
        "E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169",
    ),
    "E06000066": ("E07000187", "E07000188", "E07000189", "E07000246"),  # Somerset: Mendip, Sedgemoor, South Somerset, Somerset West and Taunton
}

SUCCESSOR = {old: new for new, olds in _MERGERS.items() for old in olds}
PREDECESSORS = dict(_MERGERS)
