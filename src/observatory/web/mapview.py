"""The map view: one indicator at one level and release, classed for a choropleth, with the same
figures as a table and a one-paragraph summary (the map's text alternative)."""

from __future__ import annotations

from typing import Any

from ..indicators.trends import any_synthetic, meets, target_for
from ..store import Store
from .params import LEVEL_NAMES

# ColorBrewer YlGnBu, 5 classes: sequential, colour-blind safe and distinct in greyscale print.
# Darker always means a higher value; the legend says which way is better.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#bdbdbd"
SORTS = ("name", "code", "value")
PLURALS = {
    "postcode": "postcodes", "oa": "output areas", "lsoa": "LSOAs", "msoa": "MSOAs",
    "ward": "wards", "lad": "districts", "ca": "combined authorities", "nation": "nations",
    "uk": "UK",
}
ORDERS = ("asc", "desc")


def map_view(
    store: Store,
    indicator: str,
    level: str,
    release: str = "latest",
    sort: str = "name",
    order: str = "asc",
    region: str | None = None,
) -> dict[str, Any]:
    """The figures of the region's areas at a level (all the store's areas if no region)."""
    indicators = {i["id"]: i for i in store.indicators()}
    ind = store.indicator(indicator)
    rows = store.figures(level, indicator, release)
    if region:
        inside = {c["code"] for c in store.children(region, level)}
        rows = [r for r in rows if r["area_code"] in inside] if inside else rows
    target = target_for(ind, indicators)
    legend = _classes([r["value"] for r in rows if r["value"] is not None])
    for r in rows:
        r["class"] = _class_of(r["value"], legend)
        r["meets_target"] = meets(r["value"], target, ind["direction"])
    month = rows[0]["release"] if rows else release
    summary = _summary(rows, ind, target, level, month)
    return {
        "indicator": {k: ind[k] for k in ("id", "label", "unit", "direction", "definition")},
        "level": level,
        "level_label": LEVEL_NAMES.get(level, level),
        "region": region,
        "release": month,
        "releases": store.releases_of(indicator, level),
        "target": target,
        "legend": legend,
        "no_data_colour": NO_DATA,
        "summary": summary,
        "sort": sort,
        "order": order,
        "figures": _sorted(rows, sort, order),
        "illustrative": any_synthetic(rows),
    }


def _classes(values: list[float]) -> list[dict[str, Any]]:
    """Quantile classes (up to five), so each colour holds about the same number of areas."""
    if not values:
        return []
    ordered = sorted(values)
    n = len(PALETTE)
    cuts = [ordered[min(len(ordered) - 1, (len(ordered) * k) // n)] for k in range(1, n)]
    bounds = sorted({round(ordered[0], 1), *(round(c, 1) for c in cuts), round(ordered[-1], 1)})
    if len(bounds) == 1:
        bounds = bounds * 2
    # Spread the palette over however many classes survive de-duplication.
    count = len(bounds) - 1
    colours = [PALETTE[round(i * (n - 1) / max(count - 1, 1))] for i in range(count)]
    return [
        {
            "class": i,
            "colour": colours[i],
            "from": bounds[i],
            "to": bounds[i + 1],
            "label": f"{bounds[i]:.1f} to {bounds[i + 1]:.1f}",
        }
        for i in range(count)
    ]


def _class_of(value: float | None, legend: list[dict[str, Any]]) -> int | None:
    if value is None or not legend:
        return None
    for entry in legend:
        if round(value, 1) <= entry["to"]:
            return entry["class"]
    return legend[-1]["class"]


def _summary(
    rows: list[dict[str, Any]], ind: dict[str, Any], target: float | None, level: str, month: str
) -> dict[str, Any]:
    known = [r for r in rows if r["value"] is not None]
    plural = PLURALS.get(level, level)
    if not known:
        return {"text": f"No {ind['label'].lower()} figures for {plural} at {month}.", "count": 0}
    high = max(known, key=lambda r: r["value"])
    low = min(known, key=lambda r: r["value"])
    below = [r for r in known if r["meets_target"] is False]
    text = (
        f"{ind['label']} at {month} across {len(rows):,} {plural}: highest in "
        f"{high['area_name']} ({high['value']:.1f}%), lowest in {low['area_name']} "
        f"({low['value']:.1f}%)."
    )
    if target is not None:
        side = "above" if ind["direction"] == "lower-is-better" else "below"
        text += f" {len(below):,} of {len(known):,} are {side} the {target:g}% target."
    missing = len(rows) - len(known)
    if missing:
        text += f" {missing:,} have no figure (suppressed: too few premises to publish)."
    return {
        "text": text,
        "count": len(rows),
        "highest": _brief(high),
        "lowest": _brief(low),
        "below_target": len(below) if target is not None else None,
        "no_figure": missing,
    }


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    return {"area_code": row["area_code"], "area_name": row["area_name"], "value": row["value"]}


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


def client_data(view: dict[str, Any]) -> dict[str, Any]:
    """What the map script needs, embedded in the page so map and table show the same figures:
    code -> [value, class, meets target, name]."""
    return {
        "unit": view["indicator"]["unit"],
        "label": view["indicator"]["label"],
        "palette": [c["colour"] for c in view["legend"]],
        "no_data": view["no_data_colour"],
        "areas": {
            r["area_code"]: [r["value"], r["class"], r["meets_target"], r["area_name"]]
            for r in view["figures"]
        },
    }
