"""The overview: headline coverage for the combined authority and each district."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from .errors import NotFoundError
from .indicators.trends import any_synthetic, trend
from .store import Store
from .strategy.coverage_targets import standing, target_of, target_value
from .strategy.freshness import freshness, gap_words
from .strategy.sources import StoreView
from .strategy.status import target_date_words
from .workspace.metrics import MetricsConfig

# The region of a store is the one its workspace names (the build writes it to the store's meta
# table as `region_code`); there is no default region: a store that names none has none.
DEFAULT_REGION = ""
HEADLINE = ("sfbb", "gigabit", "full_fibre")
# Shown beside every headline: the comparison a councillor asks for first.
NATIONAL = {"E92000001": "England", "K02000001": "UK"}


def region_of(store: Store) -> str:
    code = store.meta().get("region_code") or DEFAULT_REGION
    if not code:
        raise NotFoundError("This store names no region (it was built before stores recorded their "
                            "workspace's region): run `observatory build` again.")
    return code


def overview(store: Store, targets: MetricsConfig | None = None, today: date | None = None) -> dict[str, Any]:
    """The region and its districts on the headline indicators; `targets` (the metrics file's
    coverage targets) adds each figure's standing against its target. Each figure's change is
    indicators.trends.trend's year_before: against the newest release at least twelve months
    earlier, the one definition every view shows. `freshness`: each publisher's newest release in
    this observatory, and whether its cadence implies a newer one is out (judged at `today`)."""
    today = today or date.today()
    releases = store.releases()
    publishers = {r["release_id"]: r["publisher"] for r in releases}
    region_code = region_of(store)
    region = store.area(region_code)
    districts = store.children(region_code, "lad")
    indicators = {i["id"]: i for i in store.indicators()}
    headline = [indicators[i] for i in HEADLINE if i in indicators]

    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in store.series_many([region_code] + [d["code"] for d in districts] + list(NATIONAL)):
        series[(row["area_code"], row["indicator"])].append(row)

    def national(ind_id: str, month: str | None) -> list[dict[str, Any]]:
        """England and the UK at the same month as the region's figure (like with like)."""
        out = []
        for code, name in NATIONAL.items():
            same = [r for r in series.get((code, ind_id), []) if r["release"] == month]
            if same:
                out.append({"code": code, "name": name, "value": same[0]["value"], "release": month})
        return out

    # the standings read the same areas' series: one batched read for all of them (StoreView)
    view = StoreView(store, [region_code, *(d["code"] for d in districts)]) if targets else store

    def figures_of(code: str) -> dict[str, Any]:
        out = {}
        for ind in headline:
            t = trend(series.get((code, ind["id"]), []))
            if t is not None:
                # where the comparison is more than twelve months back, how far, and what is missing
                t["gap"] = gap_words(t["year_before"], t, publishers) if t.get("year_before") else None
                t["standing"] = standing(view, targets, ind["id"], code, today)
                t["target"] = t["standing"]["value"] if t["standing"] else None
                t["meets_target"] = t["standing"]["meets"] if t["standing"] else None
            out[ind["id"]] = t
        return out

    areas = [dict(region, figures=figures_of(region_code))]
    for ind in headline:
        f = areas[0]["figures"].get(ind["id"])
        if f:
            f["national"] = national(ind["id"], f["release"])
    areas += [dict(d, figures=figures_of(d["code"])) for d in districts]
    shown = [f for a in areas for f in a["figures"].values() if f]
    return {
        "region": areas[0],
        "districts": areas[1:],
        "indicators": [
            {
                "id": i["id"],
                "label": i["label"],
                "unit": i["unit"],
                "direction": i["direction"],
                "target": target_value(targets, i["id"], region_code),
                "target_words": _target_words(targets, i["id"]),
            }
            for i in headline
        ],
        "illustrative": any_synthetic(shown),
        "freshness": freshness(releases, today),
    }


def _target_words(targets: MetricsConfig | None, indicator: str) -> str | None:
    t = target_of(targets, indicator)
    return f"{t.value:g}% by {target_date_words(t.date)}" if t else None
