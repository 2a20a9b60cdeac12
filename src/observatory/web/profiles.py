"""Area profiles and postcode look-ups."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..errors import NotFoundError, ObservatoryError
from ..geography.code_history import ABOLISHED
from ..geography.local_names import NOTES, display
from ..indicators.trends import any_synthetic, trend
from ..levels import rank
from ..months import month_words
from ..overview import region_of
from ..store import Store
from ..strategy.coverage_targets import meets, standing, target_of
from ..strategy.freshness import gap_words
from ..workspace.additions import what_to_add
from ..workspace.metrics import MetricsConfig
from .params import LEVEL_NAMES, normalise_postcode
from .ranking import CHILD_INDICATORS, ENGLISH_DISTRICT, children_table, england_rank, ordinal

# The comparators the board reads an area against, finest first.
COMPARATOR_LEVELS = ("lad", "group", "ca", "rgn", "nation", "uk")
# What a postcode page shows for each of the postcode's areas.
KEY_INDICATORS = ("sfbb", "gigabit", "ufbb", "below_uso")
POSTCODE_NOTICE = (
    "These figures are for the postcode and the areas it lies in, not for any individual "
    "address: coverage at one address can differ from its postcode's. Check an address with "
    "the providers or Ofcom's broadband checker."
)


def _series_by(store: Store, codes: list[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in store.series_many(codes):
        out[(row["area_code"], row["indicator"])].append(row)
    return out


# Levels whose standing against a target is forecast (the region and its districts, as the metrics
# board shows them); smaller areas say only whether they meet the target now.
STANDING_LEVELS = ("lad", "ca", "rgn", "group", "nation")


def profile(store: Store, code: str, child_indicator: str | None = None, sort: str = "rank",
            targets: MetricsConfig | None = None) -> dict[str, Any]:
    """An area's figures, its comparators, and its children ranked on one indicator
    (`child_indicator`, default the first of CHILD_INDICATORS the children have)."""
    area = store.area(code)
    indicators = {i["id"]: i for i in store.indicators()}
    parents = store.parents(code)
    comparators = _comparators(area, parents)
    series = _series_by(store, [code] + [p["code"] for p in comparators])

    publishers = {r["release_id"]: r["publisher"] for r in store.releases()}
    among = _districts_ranked_among(store) if area["level"] == "lad" else None
    figures = []
    for ind_id, ind in indicators.items():
        own = series.get((code, ind_id))
        if not own:
            continue
        latest = trend(own)
        t = target_of(targets, ind_id)
        target = t.value_for(code) if t else None
        figures.append(
            dict(
                latest,
                indicator=ind_id,
                label=ind["label"],
                unit=ind["unit"],
                direction=ind["direction"],
                target=target,
                # the one change every view shows (trend's year_before), and how far back it is
                # where more than twelve months, with the releases missing between
                gap=gap_words(latest["year_before"], latest, publishers) if latest.get("year_before") else None,
                meets_target=meets(latest["value"], target, ind["direction"]),
                standing=standing(store, targets, ind_id, code) if t and area["level"] in STANDING_LEVELS else None,
                england_rank=_district_rank(store, code, ind_id, latest["release"], among) if area["level"] == "lad" else None,
                series=[_point(r) for r in own],
                comparisons=[
                    _comparison(p, series.get((p["code"], ind_id), []), latest["release"])
                    for p in comparators
                ],
            )
        )
    children = store.children(code)
    ranked_children = None
    if children:
        own = {f["indicator"]: f["value"] for f in figures}
        choices = [i for i in CHILD_INDICATORS if i in own]
        if child_indicator in own:
            choices = [child_indicator] + choices
        for ind_id in choices:
            ranked_children = children_table(store, code, children[0]["level"], ind_id, None)
            if ranked_children:
                _gaps_at_same_release(ranked_children, series.get((code, ind_id), []))
                if sort == "name":
                    ranked_children["rows"].sort(key=lambda r: ((r["name"] or "").lower(), r["code"]))
                ranked_children["sort"] = sort
                ranked_children["choices"] = [{"id": i, "label": indicators[i]["label"]}
                                              for i in CHILD_INDICATORS if i in own]
                break
    return {
        "area": dict(area, level_label=LEVEL_NAMES.get(area["level"], area["level"]), **local_name_fields(area)),
        "parents": [_brief_area(p) for p in parents],
        "comparators": [_brief_area(p) for p in comparators],
        "figures": figures,
        "children": [_brief_area(c) for c in children],
        "children_level": LEVEL_NAMES.get(children[0]["level"]) if children else None,
        "ranked_children": ranked_children,
        "illustrative": any_synthetic(figures),
    }


def postcode(store: Store, text: str) -> dict[str, Any]:
    code = normalise_postcode(text)
    if code is None:
        raise NotFoundError(
            f"'{text}' is not a full UK postcode (for example SW1A 1AA). Search by area name "
            "instead, or check the postcode."
        )
    try:
        area = store.area(code)
    except NotFoundError:
        if not store.rows("SELECT 1 FROM areas WHERE level = 'postcode' LIMIT 1"):
            # no postcodes at all: the postcode may be right, the workspace lacks the level
            raise NotFoundError(f"No figures by postcode here. {what_to_add('postcode')}") from None
        raise NotFoundError(
            f"No postcode '{code}' in this observatory: it covers the postcodes of "
            f"{store.meta().get('workspace', 'its region')} in its postcode directory. Check the "
            "postcode, or search by area name."
        ) from None
    parents = [p for p in store.parents(code) if p["level"] != area["level"]]
    series = _series_by(store, [code] + [p["code"] for p in parents])
    indicators = {i["id"]: i for i in store.indicators()}

    def key_figures(area_code: str) -> list[dict[str, Any]]:
        out = []
        for ind_id in KEY_INDICATORS:
            s = series.get((area_code, ind_id))
            if s and ind_id in indicators:
                out.append(dict(trend(s), indicator=ind_id, label=indicators[ind_id]["label"]))
        return out

    areas = [dict(_brief_area(area), figures=key_figures(code))]
    areas += [dict(_brief_area(p), figures=key_figures(p["code"])) for p in parents]
    return {
        "postcode": code,
        "query": text,
        "address_notice": POSTCODE_NOTICE,
        "areas": areas,
        "illustrative": any_synthetic([f for a in areas for f in a["figures"]]),
    }


def _gaps_at_same_release(table: dict[str, Any], own: list[dict[str, Any]]) -> None:
    """Each child's gap to the parent's figure at the children's release (like with like): a
    parent whose newest figure is a later release is compared at the children's release, and where
    it has no figure for that release no gap is shown."""
    same = [r for r in own if r["release"] == table["release"] and r["value"] is not None]
    parent = same[0]["value"] if same else None
    table["parent_value"] = parent
    table["parent_release"] = table["release"] if same else None
    for r in table["rows"]:
        r["gap_pp"] = None if r["value"] is None or parent is None else round(r["value"] - parent, 1)


def _districts_ranked_among(store: Store) -> tuple[set[str], str, int] | None:
    """What a district's rank is read against: the region's districts, the region's name, and
    the English districts the store knows today (districts abolished before the current
    boundaries are kept for old releases, and are no part of the set); None without a region."""
    try:
        region = region_of(store)
        inside = {d["code"] for d in store.children(region, "lad")}
        region_name = store.area(region)["name"]
    except ObservatoryError:
        return None
    english = store.rows("SELECT count(*) AS n FROM areas WHERE level = 'lad' AND ("
                         + " OR ".join("code LIKE ?" for _ in ENGLISH_DISTRICT) + ") AND "
                         "vintage IS DISTINCT FROM ?",
                         [*(f"{p}%" for p in ENGLISH_DISTRICT), ABOLISHED])[0]["n"]
    return inside, region_name, english


def _district_rank(store: Store, code: str, indicator: str, release: str,
                   among: tuple[set[str], str, int] | None) -> dict[str, Any] | None:
    """A district's rank among the English districts with the figure at the release, with words
    that name the set it is ranked in: "3rd of the 5 districts in West Yorkshire with a figure for
    January 2026" where only the region's districts have it, "of the 296 English districts with a
    figure for ..." where some English districts have none, "of 296 English districts" where all do.
    `among`: _districts_ranked_among(store), read once per profile."""
    r = england_rank(store, code, indicator, release)
    if r is None or among is None:
        return r
    inside, region_name, english = among
    rows = store.figures("lad", indicator, release)
    ranked_codes = {x["area_code"] for x in rows
                    if x["area_code"].startswith(ENGLISH_DISTRICT) and x["value"] is not None}
    place = f"{'=' if r['tied'] else ''}{ordinal(r['rank'])} of"
    month = month_words(release)
    if ranked_codes and ranked_codes <= inside:
        r["set"] = "region"
        r["text"] = f"{place} the {r['of']} districts in {region_name} with a figure for {month}"
    elif r["of"] < english:
        r["set"] = "english-with-figure"
        r["text"] = f"{place} the {r['of']} English districts with a figure for {month}"
    else:
        r["set"] = "english"
        r["text"] = f"{place} {r['of']} English districts ({month})"
    return r


def _comparators(area: dict[str, Any], parents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One parent per comparator level above the area (district, combined authority, nation)."""
    seen, out = set(), []
    for p in parents:
        if p["level"] in COMPARATOR_LEVELS and p["level"] not in seen:
            if rank(p["level"]) > rank(area["level"]):
                seen.add(p["level"])
                out.append(p)
    return out


def _comparison(parent: dict[str, Any], series: list[dict[str, Any]], month: str) -> dict[str, Any]:
    """The parent's figure for the same month where it has one (like with like), else its latest."""
    same = [r for r in series if r["release"] == month]
    row = same[0] if same else (series[-1] if series else None)
    return {
        "area_code": parent["code"],
        "area_name": parent["name"],
        "level": parent["level"],
        "release": row["release"] if row else None,
        "value": row["value"] if row else None,
        "method": row["method"] if row else None,
        "synthetic": row["synthetic"] if row else None,
        "suppressed": bool(row["suppressed"]) if row else False,
        "same_release": bool(same),
    }


def _point(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("release", "value", "numerator", "denominator", "method", "suppressed", "synthetic", "release_id")
    return {k: row[k] for k in keys}


def _brief_area(a: dict[str, Any]) -> dict[str, Any]:
    brief = {
        "code": a["code"],
        "name": a["name"],
        "level": a["level"],
        "level_label": LEVEL_NAMES.get(a["level"], a["level"]),
    }
    if a.get("local_name"):
        brief.update(local_name_fields(a))
    return brief


def local_name_fields(a: dict[str, Any]) -> dict[str, Any]:
    """An area's local name for pages and the API: the name as one line of text
    ('Ilkley North (Bradford 001)', 'Bradford 001, in Wharfedale ward'), and what kind of name it is
    (geography/local_names.py). Areas without one: the publisher's name, and None."""
    kind = a.get("local_name_kind") if a.get("local_name") else None
    return {
        "local_name": a.get("local_name") if kind else None,
        "local_name_kind": kind,
        "local_name_note": NOTES.get(kind) if kind else None,
        "display_name": display(a["name"], a.get("local_name"), kind),
    }
