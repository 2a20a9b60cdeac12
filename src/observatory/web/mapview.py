"""The map view: one indicator at one level and release, classed for a choropleth, with the same
figures as a table and a one-paragraph summary (the map's text alternative)."""

from __future__ import annotations

from typing import Any

from ..indicators.trends import any_synthetic, meets, target_for
from ..store import Store
from .figures import suppressed_text
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
# Decimal places shown on the map, its legend and table; classes are ranges of shown values.
PRECISION = 1


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


def shown(value: float) -> float:
    """A value at the precision the map, legend and table show it (one decimal place)."""
    return round(value, PRECISION)


def _classes(values: list[float]) -> list[dict[str, Any]]:
    """Quantile classes (up to five), so each colour holds about the same number of areas.

    Classes are ranges of the values as shown (one decimal place) and never share an edge: each
    runs from its lower break to one step below the next class's ("60.0 to 69.9", "70.0 to 79.9",
    ..., the last to the highest value), so every value shown falls in exactly one of them.
    `from` and `to` are those inclusive bounds; `_class_of` assigns by the same rule.
    """
    if not values:
        return []
    ordered = sorted(shown(v) for v in values)
    n = len(PALETTE)
    cuts = [ordered[(len(ordered) * k) // n] for k in range(1, n)]
    breaks = sorted({ordered[0], *cuts})
    top = ordered[-1]
    count = len(breaks)
    # Spread the palette over however many classes survive de-duplication.
    colours = [PALETTE[round(i * (n - 1) / max(count - 1, 1))] for i in range(count)]
    step = 10.0**-PRECISION
    out = []
    for i, low in enumerate(breaks):
        high = round(breaks[i + 1] - step, PRECISION) if i + 1 < count else top
        out.append(
            {
                "class": i,
                "colour": colours[i],
                "from": low,
                "to": high,
                "label": f"{low:.{PRECISION}f}" if high == low else f"{low:.{PRECISION}f} to {high:.{PRECISION}f}",
            }
        )
    return out


def _class_of(value: float | None, legend: list[dict[str, Any]]) -> int | None:
    """The class whose range holds the value as shown: the last whose lower bound it reaches."""
    if value is None or not legend:
        return None
    v = shown(value)
    found = legend[0]["class"]
    for entry in legend:
        if v >= entry["from"]:
            found = entry["class"]
    return found


def _summary(
    rows: list[dict[str, Any]], ind: dict[str, Any], target: float | None, level: str, month: str
) -> dict[str, Any]:
    known = [r for r in rows if r["value"] is not None]
    plural = PLURALS.get(level, level)
    if not known:
        return {"text": f"No {ind['label'].lower()} figures for {plural} at {month}.", "count": 0}
    high = _extreme(known, max)
    low = _extreme(known, min)
    below = [r for r in known if r["meets_target"] is False]
    text = (
        f"{ind['label']} at {month} across {len(rows):,} {plural}: highest {_named(high, plural)}, "
        f"lowest {_named(low, plural)}."
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
        "highest": high,
        "lowest": low,
        "below_target": len(below) if target is not None else None,
        "no_figure": missing,
    }


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
    value = f"{extreme['value']:.{PRECISION}f}%"
    if extreme["areas"] == 1:
        return f"in {extreme['area_name']} ({value})"
    return f"{value} ({extreme['areas']:,} {plural}, including {extreme['area_name']})"


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


def client_data(view: dict[str, Any], suppress_below: int | None = None) -> dict[str, Any]:
    """What the map script needs, embedded in the page so map and table show the same figures:
    code -> [value, class, meets target, name, suppressed]."""
    return {
        "unit": view["indicator"]["unit"],
        "label": view["indicator"]["label"],
        "palette": [c["colour"] for c in view["legend"]],
        "no_data": view["no_data_colour"],
        "suppressed_text": suppressed_text(suppress_below),
        "areas": {
            r["area_code"]: [r["value"], r["class"], r["meets_target"], r["area_name"], bool(r.get("suppressed"))]
            for r in view["figures"]
        },
    }
