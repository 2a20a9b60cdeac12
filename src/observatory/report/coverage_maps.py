"""The coverage maps: one indicator by district and by ward in the focus region, each with its
legend and the data table that carries the same figures."""

from __future__ import annotations

import base64
from typing import Any

from ..errors import ObservatoryError
from ..overview import region_of
from ..store import Store
from ..strategy.coverage_targets import target_value
from ..workspace.metrics import MetricsConfig
from .maps import choropleth, swatch
from .period import month_words

MAP_INDICATOR = "gigabit"
MAP_LEVELS = (("lad", "district"), ("ward", "ward"))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def coverage_maps(store: Store, year: int, indicator: str = MAP_INDICATOR,
                  targets: MetricsConfig | None = None) -> list[dict[str, Any]]:
    """One map per level that has figures for the indicator in the region by the end of `year`,
    classed as the dashboard classes the same figures (the target a break where there is one)."""
    region = region_of(store)
    target = target_value(targets, indicator, region)
    ind = store.indicator(indicator)
    lower = ind["direction"] == "lower-is-better"
    maps = []
    for level, noun in MAP_LEVELS:
        months = [m for m in store.releases_of(indicator, level) if int(m[:4]) <= year]
        if not months:
            continue
        try:
            rows = store.figures(level, indicator, months[-1], within=region)
        except ObservatoryError:
            continue
        rows = [r for r in rows if r["value"] is not None]
        if not rows:
            continue
        values = {r["area_code"]: r["value"] for r in rows}
        names = {r["area_code"]: r["area_name"] or r["area_code"] for r in rows}
        # wards: their districts outlined and named on the map, and named in the data table
        outlines, districts = None, None
        if level != "lad":
            inside = {d["code"]: d["name"] for d in store.children(region, "lad")}
            outlines = [(inside[c], blob) for c, blob in store.shapes("lad") if c in inside]
            districts = {c: p["name"] for c, p in store.parents_of(list(values), "lad").items()}
        few = len(rows) <= 12  # drawn small, beside its table, with each area named at its printed size
        png, legend = choropleth(store.shapes(level), values, names, lower, label_areas=few,
                                 target=target, outlines=outlines, width_in=3.4 if few else 6.3)
        for cls in legend:
            cls["swatch"] = data_uri(swatch(cls["grey"], cls["hatch"]))
        ordered = sorted(rows, key=lambda r: r["value"], reverse=not lower)
        maps.append({
            "level": level,
            "noun": noun,
            "indicator": ind,
            "release": months[-1],
            "month": month_words(months[-1]),
            "image": data_uri(png),
            "legend": legend,
            "rows": ordered,
            "vintage": rows[0].get("vintage"),
            "has_counts": any(r["denominator"] is not None for r in rows),
            "districts": districts,
            "illustrative": any(r["synthetic"] for r in rows),
            "alt": _alt(ind["label"], noun, months[-1], ordered, lower),
        })
    return maps


def _alt(label: str, noun: str, month: str, rows: list[dict[str, Any]], lower: bool) -> str:
    best, worst = rows[0], rows[-1]
    return (f"Map of {label.lower()} by {noun}, {month_words(month)}: {len(rows)} areas, from "
            f"{worst['value']:.1f}% ({worst['area_name']}) to {best['value']:.1f}% ({best['area_name']}). "
            "The figures are in the table that follows.")
