"""The /inclusion pages: the exclusion-risk map with its priority list, the weight controls (a GET
form recomputed on the server, so the page works without JavaScript), the methodology, and one
area's profile. The index model is built once per store snapshot (about 2 s) and kept with it."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..errors import ConfigError, NotFoundError, ObservatoryError
from ..inclusion import crosswalk
from ..inclusion.explain import explain
from ..inclusion.model import ILLUSTRATIVE_GAPS, Model
from ..inclusion.priority import SORTS, district_options, positions, rows, tiers, view
from ..indicators.classes import class_of, classify
from ..store import Store
from ..workspace import CONFIG_NAME
from ..workspace import inclusion as config_mod
from ..workspace import load as load_workspace
from . import params
from .mapview import NO_DATA
from .params import BadParameter
from .render import render, snapshot_of

router = APIRouter(include_in_schema=False)

Level = Literal["lsoa", "ward"]
ApiLevel = Literal["lsoa", "ward", "lad"]
Comparison = Literal["lad", "ca", "england"]
Mode = Literal["relative", "absolute"]
Sort = Literal["priority", "index", "district", "distance", "aged_75", "name"]
MISSING = ("This dashboard has no index of digital exclusion risk yet: an officer sets one up in the workspace's "
           "settings, naming the deprivation and population files it reads.")

_models: weakref.WeakKeyDictionary[Store, Model | ObservatoryError] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


class WeightParameter(BadParameter):
    """A weight the form or query gave that cannot be used (HTTP 422, naming the parameter)."""

    def __init__(self, name: str, value: object, message: str) -> None:
        self.name, self.value, self.allowed = name, value, ["a number >= 0 (e.g. 0 to 10)"]
        ObservatoryError.__init__(self, message)


def workspace_dir(request: Request) -> Path | None:
    return workspace_root(request.app.state.workspace_dir, snapshot_of(request).store)


def workspace_root(given: Path | None, store: Store) -> Path | None:
    """The workspace the dashboard was started over, or the one the store was built in (a store
    lives in WORKSPACE/build/observatory.duckdb); None for a bare store."""
    if given:
        return Path(given)
    guess = store.path.parent.parent
    return guess if (guess / CONFIG_NAME).is_file() else None


def model_of(request: Request) -> Model:
    found = model_for(workspace_dir(request), snapshot_of(request).store)
    if isinstance(found, ObservatoryError):
        raise found
    return found


def model_for(root: Path | None, store: Store) -> Model | ObservatoryError:
    """The index model of a store, loaded once and kept with it; or why there is none. A rebuilt
    store's is loaded before the store is swapped in (web app's _prepare): loading takes seconds, and
    requests waiting for it held every thread of the pool (issue 21: 30 s stalls after a swap)."""
    found = _models.get(store)
    if found is None:
        with _lock:
            found = _models.get(store)
            if found is None:
                found = _load(root, store)
                _models[store] = found
    return found


def _load(root: Path | None, store: Store) -> Model | ObservatoryError:
    try:
        if root is None:
            raise NotFoundError(MISSING)
        ws = load_workspace(root)
        if not ws.has_inclusion:
            raise NotFoundError(MISSING)
        return Model.load(ws, store)
    except ObservatoryError as exc:
        return exc


def weights_of(request: Request, model: Model, weights: str | None = None) -> config_mod.Weights | None:
    """Weights from the query: `c_<component>=N` and `i_<indicator>=N` (the form's fields), or
    `weights=broadband:5,aged_75_plus:8`. None when none is given (the workspace's defaults)."""
    comps: dict[str, Any] = {}
    inds: dict[str, Any] = {}
    given = [(k, v) for k, v in request.query_params.multi_items() if k.startswith(("c_", "i_"))]
    for part in (weights or "").split(","):
        if part.strip():
            key, _, value = part.partition(":")
            key = key.strip()
            given.append(("c_" + key if key in model.cfg.components else "i_" + key, value))
    for name, text in given:
        key = name[2:]
        try:
            value = float(text)
        except ValueError:
            raise WeightParameter(name, text, f"Weight '{name}': '{text}' is not a number. Weights are numbers >= 0 "
                                  "(0 leaves it out).") from None
        (comps if name.startswith("c_") else inds)[key] = value
    if not given:
        return None
    defaults = model.cfg.default_weights()
    if comps == {k: defaults.components[k] for k in comps} and inds == {k: defaults.indicators[k] for k in inds}:
        return None
    try:
        return config_mod.apply(model.cfg, comps, inds, "the weights asked for")
    except ConfigError as exc:
        raise WeightParameter("weights", weights or "", str(exc)) from None


def classes(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    """Quantile classes of the index for the map (as the coverage map classes its figures), and
    code -> [index, class, tier] for the map script (names come with the map's shapes)."""
    # a higher index is more risk: darker (classes.py draws the worse end darkest)
    legend = classify([r["index"] for r in rows if r["index"] is not None], "lower-is-better")
    areas = {r["code"]: [r["index"], class_of(r["index"], legend), r["tier"]] for r in rows}
    return legend, areas


def map_rows(result: Any, scope: Any) -> list[dict[str, Any]]:
    """Code, index and tier of the areas at `scope` (every area the map draws), from the arrays:
    building full list rows for 1,404 LSOAs would cost more than the page."""
    index = result.combined.index[scope]
    tier = tiers(result)[scope]
    codes = result.data.codes[scope]
    return [{"code": str(c), "index": None if v != v else round(float(v), 2), "tier": int(t)}
            for c, v, t in zip(codes, index, tier, strict=True)]


PER_PAGE = 125  # a list longer than this is paged (a region's wards fit on one page; its LSOAs do not)
SETTINGS = ("level", "compare_within", "mode", "within", "weights")  # carried into every page linked to
WEIGHT_FIELDS = ("c_", "i_")


def carry(request: Request, **override: str | None) -> str:
    """The page's settings (areas, compare within, scores, district, weights) as a query string,
    for every link to another inclusion page, so the page linked to ranks the same way."""
    return params.carried(request.query_params.multi_items(), SETTINGS, WEIGHT_FIELDS, **override)


def district_of(result: Any, within: str) -> str | None:
    if not within:
        return None
    return params.choice("within", within, [d["code"] for d in district_options(result)])


@router.get("/inclusion")
def inclusion_page(request: Request, level: Level = "ward", compare_within: Comparison | None = None,
                   mode: Mode = "relative", sort: Sort = "priority", top: int = 15, within: str = "",
                   q: str = "", page: int = 1) -> Response:
    model = model_of(request)
    weights = weights_of(request, model)
    result = model.compute(level, compare_within, mode, weights, sensitivity=True)
    district = district_of(result, within)
    data = view(result, sort, within=district, q=q, page=page, per_page=PER_PAGE)
    scope = positions(result, "priority", district)
    legend, areas = classes(map_rows(result, scope))
    data["legend"] = legend
    data["priority"] = rows(result, scope[:max(1, min(top, 100))])
    data["crosswalk"] = _crosswalk(model, snapshot_of(request).store)
    data["illustrative_text"] = ILLUSTRATIVE_GAPS if model.illustrative else None
    # every hub, also those over a district's edge: a ward's nearest hub may be in the next district
    hubs = [h.as_dict() for h in model.hubs.hubs] if model.hubs else []
    settings = carry(request)
    map_data = {"palette": [c["colour"] for c in legend], "no_data": NO_DATA, "areas": areas,
                "hubs": [[h["lon"], h["lat"], h["name"], h["kind"]] for h in hubs], "level": level,
                "carry": settings}
    return render(request, "inclusion.html", data, title="Where to act: digital exclusion risk", map_data=map_data,
                  form=_form(model, result.weights), sorts=SORTS, query=_query(request), carry=settings,
                  districts=district_options(result), page_query=carry(request, sort=sort, q=q or None),
                  all_query=carry(request, sort=sort), hidden=parse_qsl(carry(request, sort=sort)))


def _crosswalk(model: Model, store: Store) -> str | None:
    if model.cfg.lsoa_changes is None:
        return None
    try:
        return crosswalk.report(store, model.cfg.lsoa_changes, model.ws.districts)["text"]
    except ObservatoryError as exc:
        return f"The LSOA 2011 to 2021 check could not be made: {exc}"


def _form(model: Model, weights: config_mod.Weights) -> list[dict[str, Any]]:
    return [{"id": c, "weight": weights.components[c],
             "indicators": [{"id": i.id, "label": i.label, "weight": weights.indicators[i.id],
                             "substitute_for": i.substitute_for} for i in model.cfg.indicators if i.component == c],
             "missing": [x.indicator for x in model.cfg.missing if x.component == c]}
            for c in model.component_names]


def _query(request: Request) -> str:
    """The query string without sort, top and page (for the table's sort links and the downloads:
    a download is the whole list of the view shown, every page of it)."""
    return params.carried(request.query_params.multi_items(), (*SETTINGS, "q"), WEIGHT_FIELDS)


@router.get("/inclusion/area/{code}")
def inclusion_area_page(request: Request, code: str, compare_within: Comparison | None = None,
                        mode: Mode = "relative") -> Response:
    model = model_of(request)
    data = explain(model, code, compare_within, mode, weights_of(request, model))
    data["illustrative_text"] = ILLUSTRATIVE_GAPS if model.illustrative else None
    level = data["area"]["level"]
    # back to the list this page was reached from: same settings, this area's level
    back = carry(request, level="lsoa" if level == "lsoa" else "ward")
    return render(request, "inclusion_area.html", data, carry=carry(request), back=back,
                  title=f"{data['area']['name']} ({data['area']['code']}): exclusion risk")


def with_inclusion(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """An area profile (LSOA, ward or district) with its exclusion-risk summary under "inclusion":
    index, rank, how robust its place is to the weights, the hubs near it; nothing for other
    areas or a workspace without an [inclusion] configuration."""
    if data["area"]["level"] not in ("lsoa", "ward", "lad"):
        return data
    q = request.query_params
    comparison = q.get("compare_within") if q.get("compare_within") in config_mod.COMPARISONS else None
    mode = q.get("mode") if q.get("mode") in ("relative", "absolute") else "relative"
    try:
        model = model_of(request)
        # the settings a reader chose on Where to act, when the link carried them
        found = explain(model, data["area"]["code"], comparison, mode, weights_of(request, model))
    except ObservatoryError:
        return data
    data["inclusion"] = {
        "index": found["index"], "rank": found["rank"], "of": found["of"], "rank_text": found["rank_text"],
        "reason": found["reason"], "ranked_within": found["ranked_within"], "carry": carry(request),
        "confidence_text": found.get("confidence_text"), "hubs_within": len(found.get("hubs_within") or []),
        "hub_distance_m": found.get("hub_distance_m"), "comparison": found["comparison"],
        "illustrative": bool(found.get("illustrative")),
        "components": [{"id": c["id"], "score": c["score"]} for c in found["components"]],
    }
    return data
