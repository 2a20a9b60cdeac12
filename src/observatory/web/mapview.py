"""The map view: one indicator at one level and release, classed for a choropleth, with the same
figures as a table and a one-paragraph summary (the map's text alternative)."""

from __future__ import annotations

from typing import Any

from ..errors import ObservatoryError
from ..geography.local_names import NOTES, WARDS, display
from ..indicators.classes import PRECISION, class_of, classify
from ..indicators.trends import any_synthetic
from ..months import month_words
from ..pipeline.map_tiles import MIN_ZOOM, max_zoom
from ..pipeline.tile_archive import MAP_LEVELS
from ..store import Store
from ..strategy.coverage_targets import meets
from .figures import percent_text, suppressed_text
from .params import LEVEL_NAMES

# Classes and colours: classes.py (darker is worse). No figure: mid grey, with a hatch on the map.
NO_DATA = "#bdbdbd"
SORTS = ("name", "code", "value")
PLURALS = {
    "postcode": "postcodes", "oa": "output areas", "lsoa": "LSOAs", "msoa": "MSOAs",
    "ward": "wards", "lad": "districts", "ca": "combined authorities", "nation": "nations",
    "uk": "UK",
}
ORDERS = ("asc", "desc")


# Tables longer than this are paged (the full list is in the download): an output-area page
# holding all 7,131 rows was 5 MB of HTML.
PAGE_ROWS = 100
SHOW_ALL_UP_TO = 150
# At most this many areas: a bar chart beside the map, which compares close figures honestly.
BARS_UP_TO = 10
ENGLAND = "E92000001"
# Small areas are named by the ward they lie in (best fit for LSOAs), in the pop-up and table.
WARD_NAMED = ("oa", "lsoa", "postcode")


def map_view(
    store: Store,
    indicator: str,
    level: str,
    release: str = "latest",
    sort: str = "name",
    order: str = "asc",
    region: str | None = None,
    within: str | None = None,
    page: int | None = 1,
    target: float | None = None,
) -> dict[str, Any]:
    """The figures of the region's areas at a level (all the store's areas if no region); with
    `within`, those inside one district or ward. The table is one page of them (all of them
    when `page` is None: what the map script colours the map from). `target`: the strategy's
    target for the indicator (a class break, and each area's "meets target")."""
    ind = store.indicator(indicator)
    rows = store.figures(level, indicator, release)
    if region:
        inside = {c["code"] for c in store.children(region, level)}
        rows = [r for r in rows if r["area_code"] in inside] if inside else rows
    districts = store.parents_at(level, "lad") if level not in ("lad",) else {}
    wards = store.parents_at(level, "ward") if level in WARD_NAMED else {}
    for r in rows:
        d = districts.get(r["area_code"])
        r["district_code"], r["district_name"] = (d["code"], d["name"]) if d else (None, None)
        w = wards.get(r["area_code"])
        r["ward_name"] = w["name"] if w else None
        # an MSOA's readable name or the wards that describe it (geography/local_names.py), shown
        # where smaller areas show their ward
        r["locality"] = r.get("area_local_name")
    scope_area = None
    if within:
        scope_area = store.area(within)
        inside = {c["code"] for c in store.children(within, level)}
        rows = [r for r in rows if r["area_code"] in inside]
    legend = classify([r["value"] for r in rows if r["value"] is not None], ind["direction"], target)
    for r in rows:
        r["class"] = class_of(r["value"], legend)
        r["meets_target"] = meets(r["value"], target, ind["direction"])
    month = rows[0]["release"] if rows else release
    england = _england(store, indicator, month)
    summary = _summary(rows, ind, target, level, month, england)
    ordered = _sorted(rows, sort, order)
    pages = 1 if page is None or len(ordered) <= SHOW_ALL_UP_TO else -(-len(ordered) // PAGE_ROWS)
    page = min(max(page or 1, 1), pages)
    shown_rows = ordered if pages == 1 else ordered[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
    return {
        "indicator": {k: ind[k] for k in ("id", "label", "unit", "direction", "definition")},
        "level": level,
        "level_label": LEVEL_NAMES.get(level, level),
        "region": region,
        "within": {"code": scope_area["code"], "name": scope_area["name"]} if scope_area else None,
        "release": month,
        "release_words": month_words(month),
        "releases": store.releases_of(indicator, level),
        "target": target,
        "england": england,
        "legend": legend,
        "no_data_colour": NO_DATA,
        "summary": summary,
        "sort": sort,
        "order": order,
        "total": len(ordered),
        "page": page,
        "pages": pages,
        "first_row": (page - 1) * PAGE_ROWS + 1 if pages > 1 else 1,
        "figures": shown_rows,
        "bars": len(rows) <= BARS_UP_TO,
        "notices": [],  # the page adds one where it fell back to the nearest view that exists
        "illustrative": any_synthetic(rows),
        "place_heading": _place_heading(level, rows),
        "local_name_notes": [NOTES[k] for k in sorted({r.get("area_local_name_kind") for r in rows} - {None})],
    }


def _place_heading(level: str, rows: list[dict[str, Any]]) -> str | None:
    """The table's column of where each area is: its ward and district (small areas), an MSOA's
    readable name or the wards that describe it and its district, or the district alone."""
    if level == "lad":
        return None
    if level in WARD_NAMED:
        return "Ward, district"
    kinds = {r.get("area_local_name_kind") for r in rows} - {None}
    if not kinds:
        return "District"
    if kinds == {WARDS}:
        return "Wards (a description), district"
    return "Local name, district" if WARDS not in kinds else "Local name or wards, district"


def _england(store: Store, indicator: str, month: str) -> float | None:
    """England's figure for the same month, the comparison a councillor asks for first."""
    try:
        rows = store.figures("nation", indicator, month, area=ENGLAND)
    except ObservatoryError:
        return None
    return rows[0]["value"] if rows else None


def shown(value: float) -> float:
    """A value at the precision the map, legend and table show it (one decimal place)."""
    return round(value, PRECISION)


def _summary(
    rows: list[dict[str, Any]], ind: dict[str, Any], target: float | None, level: str, month: str,
    england: float | None = None,
) -> dict[str, Any]:
    known = [r for r in rows if r["value"] is not None]
    plural = PLURALS.get(level, level)
    when = month_words(month)
    if not known:
        return {"text": f"No {ind['label'].lower()} figures for {plural} in {when}.", "count": 0}
    high = _extreme(known, max)
    low = _extreme(known, min)
    below = [r for r in known if r["meets_target"] is False]
    if high["value"] is not None and shown(high["value"]) == shown(low["value"]) and _counts_differ(known):
        # Every share rounds to the same figure (below the USO: 0.0% in every district), but the
        # premises behind them do not: say it in premises.
        most = max(known, key=lambda r: (r["numerator"] or 0))
        least = min(known, key=lambda r: (r["numerator"] or 0))
        text = (
            f"{ind['label']} in {when} across {len(rows):,} {plural}: every share rounds to "
            f"{percent_text(high['value'])}, but the premises range from {count_text(least['numerator'])} in "
            f"{_label(least)} to {count_text(most['numerator'])} in {_label(most)}."
        )
    else:
        text = (
            f"{ind['label']} in {when} across {len(rows):,} {plural}: highest {_named(high, plural)}, "
            f"lowest {_named(low, plural)}."
        )
    if england is not None:
        text += f" England: {percent_text(england)}."
    if target is not None:
        side = "above" if ind["direction"] == "lower-is-better" else "below"
        text += f" {len(below):,} of {len(known):,} are {side} the {target:g}% target."
    missing = len(rows) - len(known)
    if missing:
        text += f" {missing:,} have no figure (suppressed: too few premises to publish)."
    return {
        "text": text,
        "count": len(rows),
        "highest": high,
        "lowest": low,
        "below_target": len(below) if target is not None else None,
        "no_figure": missing,
    }


def _counts_differ(known: list[dict[str, Any]]) -> bool:
    counts = {r["numerator"] for r in known if r.get("numerator") is not None}
    return len(counts) > 1


def count_text(value: float | None) -> str:
    if value is None:
        return "no count"
    n = round(value)
    return f"{n:,} premises" if n != 1 else "1 premises"


def _extreme(known: list[dict[str, Any]], pick: Any) -> dict[str, Any]:
    """The highest or lowest figure as shown, how many areas share it, and the first of them by
    name: when hundreds of areas are at 100.0%, naming one alone would mislead."""
    value = pick(shown(r["value"]) for r in known)
    tied = sorted(
        (r for r in known if shown(r["value"]) == value),
        key=lambda r: ((r["area_name"] or "").lower(), r["area_code"]),
    )
    return dict(_brief(tied[0]), areas=len(tied))


def _named(extreme: dict[str, Any], plural: str) -> str:
    value = percent_text(extreme["value"])
    if extreme["areas"] == 1:
        label = extreme["area_label"]
        # 'in Hyde Park (Leeds 001), 60.0%' rather than a second pair of brackets
        return f"in {label}, {value}" if label.endswith(")") else f"in {label} ({value})"
    return f"{value} ({extreme['areas']:,} {plural}, including {extreme['area_label']})"


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    return {"area_code": row["area_code"], "area_name": row["area_name"], "area_label": _label(row),
            "value": row["value"]}


def _label(row: dict[str, Any]) -> str:
    """An area as the summary names it: an MSOA with its local name ('Bradford 003, in Wharfedale
    ward'; 'Ilkley North (Bradford 001)'), any other area by its name."""
    return display(row["area_name"], row.get("area_local_name"), row.get("area_local_name_kind"))


def _sorted(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    key = {
        "name": lambda r: ((r["area_name"] or "").lower(), r["area_code"]),
        "code": lambda r: r["area_code"],
        # Areas without a figure go last whichever way the values are sorted.
        "value": lambda r: (r["value"] is None, r["value"] if r["value"] is not None else 0),
    }[sort]
    out = sorted(rows, key=key, reverse=(order == "desc"))
    if sort == "value" and order == "desc":
        out = [r for r in out if r["value"] is not None] + [r for r in out if r["value"] is None]
    return out


def client_data(view: dict[str, Any], suppress_below: int | None = None) -> dict[str, Any]:
    """What the map script colours the map from (the view with every figure, `page=None`), so map
    and table show the same figures: code -> [value, class, meets target, name, suppressed,
    "ward, district" it lies in (an MSOA: "its local name or wards, district"), illustrative]."""
    return {
        "unit": view["indicator"]["unit"],
        "label": view["indicator"]["label"],
        "palette": [c["colour"] for c in view["legend"]],
        "illustrative": view["illustrative"],
        "no_data": view["no_data_colour"],
        "suppressed_text": suppressed_text(suppress_below),
        # the zooms each level's map tiles were cut at (map.js draws deeper ones from the last)
        "tile_zooms": {level: [MIN_ZOOM, max_zoom(level)] for level in MAP_LEVELS},
        "areas": {
            r["area_code"]: [r["value"], r["class"], r["meets_target"], r["area_name"], bool(r.get("suppressed")),
                             ", ".join(n for n in (r.get("locality") or r.get("ward_name"), r.get("district_name"))
                                       if n),
                             bool(r.get("synthetic"))]
            for r in view["figures"]
        },
    }
