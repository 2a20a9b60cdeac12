"""The Full Fibre programme pages: progress against the plan (chart and its table), the site map
(status by colour and symbol) with its tables, backbone reach by ward, the scenario form (GET,
works without JavaScript), the site list, and a site's page with its status history and the
editor's form to record a new status (POST, editor role, CSRF token)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import InputError, NotFoundError, ObservatoryError
from ..programme import backbone, models, service, trajectory
from ..programme.premises import APPROXIMATION, from_store
from ..programme.status import STATUSES, Change, next_statuses
from ..records import audit, versions, words
from ..records import users as users_mod
from ..workspace import ProgrammeConfig
from .auth import CurrentUser, records_of, require_reader, require_role
from .forms import Problems
from .programme_svg import (
    CHANGE_CLASSES,
    CHANGE_LEGEND,
    STATUS_STYLE,
    change_class,
    change_map_svg,
    legend_symbol,
    progress_svg,
    site_map_svg,
)
from .render import render as render_page
from .render import snapshot_of, workspace_of

PROGRAMME_NOTICE = ("Illustrative register: the sites are real public buildings from OpenStreetMap "
                    "((c) OpenStreetMap contributors, ODbL), but which are in the programme and every status and "
                    "date were made up by a documented seed script for the demonstration, and premises "
                    "counts below district level are synthetic. Do not use them for decisions.")

router = APIRouter(include_in_schema=False)
Editor = Depends(require_role("editor"))
Reader = Depends(require_reader)


def render(request: Request, template: str, data: dict[str, Any], **context: Any) -> Response:
    if data.get("illustrative"):
        data["notice"] = PROGRAMME_NOTICE
        context["ILLUSTRATIVE"] = PROGRAMME_NOTICE
    return render_page(request, template, data, **context)


def settings(request: Request) -> ProgrammeConfig:
    ws = workspace_of(request)
    return ws.programme if ws is not None else ProgrammeConfig()


def distance_of(request: Request, distance: float | None) -> float:
    if distance is None:
        return settings(request).reach_distance_m
    if not 0 < distance <= 5000:
        raise ObservatoryError(f"distance {distance:g}: give metres above 0 and at most 5000 (e.g. 200).")
    return float(distance)


def premises_of(request: Request):  # noqa: ANN201 - programme.premises.Premises
    return from_store(snapshot_of(request).store)


def _who(user: CurrentUser | None) -> dict[str, Any] | None:
    return None if user is None else {"username": user.username, "role": user.role,
                                      "may_edit": user.may("editor"), "is_admin": user.may("admin")}


def _day(value: str | None, field: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ObservatoryError(f"{field}: '{value}' is not a date. Write it as YYYY-MM-DD, e.g. 2025-03-31.") from None


def progress_data(request: Request) -> dict[str, Any]:
    _, sites = service.sites(records_of(request))
    return trajectory.progress(sites, settings(request), names=premises_of(request).names)


def reach_data(request: Request, distance: float | None = None, scenario: str | None = None,
               on: str | None = None) -> dict[str, Any]:
    records = records_of(request)
    premises = premises_of(request)
    d = distance_of(request, distance)
    cov = service.coverage(records, premises, d)
    day = _day(on, "date")
    data: dict[str, Any] = {"distance_m": d, "date": day.isoformat() if day else None, "method": APPROXIMATION,
                            "premises_release": premises.release, "unplaced_premises": premises.unplaced,
                            "illustrative": cov.register.illustrative or premises.synthetic}
    if scenario and scenario.strip():
        chosen = backbone.parse_scenario(scenario, cov.register)
        result = backbone.scenario(cov, chosen["sites"], day)
        data.update(scenario=chosen["description"], sites_added=result["sites_added"], rows=result["rows"])
    else:
        data.update(scenario=None, rows=backbone.reach_on(cov, day))
    return data


def _split(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"wards": sorted((r for r in rows if r["level"] == "ward"), key=lambda r: r["name"]),
            "districts": [r for r in rows if r["level"] == "lad"],
            "region": next((r for r in rows if r["level"] == "region"), None)}


@router.get("/programme")
def programme_page(request: Request, distance: float | None = None, user: CurrentUser | None = Reader) -> Response:
    _, sites = service.sites(records_of(request))
    progress = progress_data(request)
    reach = reach_data(request, distance)
    counts = {s: sum(1 for x in sites if x["status"] == s) for s in STATUSES}
    data = {"progress": progress, "reach": {**reach, **_split(reach["rows"])}, "status_counts": counts,
            "registered": len(sites), "illustrative": progress["illustrative"] or reach["illustrative"],
            "user": _who(user)}
    data["reach"].pop("rows")
    districts = set(premises_of(request).lad_codes)
    shapes = [(c, g) for c, g in snapshot_of(request).store.shapes("lad") if c in districts]
    return render(request, "programme/index.html", data, title="Full Fibre programme",
                  chart=progress_svg(progress["series"], progress["target"]),
                  site_map=site_map_svg(shapes, sites, "Map of programme sites by status, over the district boundaries"),
                  styles=STATUS_STYLE, symbol=legend_symbol, statuses=STATUSES)


def _scenario_text(what: str, kind: str, ids: str, scenario: str) -> str:
    if scenario.strip():
        return scenario
    if what == "planned":
        return "all planned"
    if what == "kind":
        return f"kind: {kind}" if kind else ""
    if what == "ids":
        return ids
    return ""


@router.get("/programme/scenario")
def scenario_page(request: Request, what: str = "", kind: str = "", ids: str = "", scenario: str = "",
                  distance: float | None = None, user: CurrentUser | None = Reader) -> Response:
    text = _scenario_text(what, kind, ids, scenario)
    reach = reach_data(request, distance, text or None)
    _, sites = service.sites(records_of(request))
    data = {"form": {"what": what or "planned", "kind": kind, "ids": ids, "distance": reach["distance_m"]},
            "kinds": list(models.KINDS), **reach, **_split(reach["rows"]), "illustrative": reach["illustrative"],
            # the hint's example: ids from this register, never another workspace's
            "example_ids": [s["id"] for s in sites[:2]]}
    data.pop("rows")
    context: dict[str, Any] = {}
    if reach.get("scenario") is not None:
        change = {r["code"]: r["change"] for r in data["wards"]}
        context["change_map"] = change_map_svg(snapshot_of(request).store.shapes("ward"), change,
                                               "Map of the change in reach by ward")
        context["classes"] = [(CHANGE_LEGEND[i], c[1], c[2]) for i, c in enumerate(CHANGE_CLASSES)]
        for r in data["wards"]:
            r["class"] = change_class(r["change"])
    return render(request, "programme/scenario.html", data, title="Full Fibre programme: what if", **context)


PAGE_SIZE = 100  # sites per page of the list: the whole register (~1,400) would be ~780 KB


@router.get("/programme/sites")
def sites_page(request: Request, status: str | None = None, kind: str | None = None, district: str | None = None,
               q: str = "", page: int = 1, user: CurrentUser | None = Reader) -> Response:
    """The register, a page at a time, narrowed by status, kind, district and a search of names,
    ids and postcodes (the JSON twin pages the same way)."""
    status = status or None
    kind = kind or None
    district = district or None
    with records_of(request).session() as s:
        every = models.list_sites(s, status=status, kind=kind)
    names = premises_of(request).names
    districts = sorted({r["district_code"] for r in every if r["district_code"]}, key=lambda c: names.get(c, c))
    if district is not None and district not in districts:
        raise ObservatoryError(f"There is no programme site in the district \u201c{district}\u201d here. "
                               "Choose a district from the list.")
    words = q.strip().casefold()
    rows = [r for r in every if (district is None or r["district_code"] == district)
            and (not words or words in r["name"].casefold() or words in r["id"].casefold()
                 or words in (r["postcode"] or "").casefold())]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    if not 1 <= page <= pages:
        raise ObservatoryError(f"Page {page} does not exist: there {'is' if pages == 1 else 'are'} {pages} "
                               f"page{'s' if pages != 1 else ''} of sites.")
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    for r in shown:
        r.pop("history")
    query = {k: v for k, v in (("status", status), ("kind", kind), ("district", district), ("q", q.strip())) if v}
    data = {"sites": shown, "count": len(rows), "total": len(every), "status": status, "kind": kind,
            "district": district, "q": q.strip(), "page": page, "pages": pages, "page_size": PAGE_SIZE,
            "first": (page - 1) * PAGE_SIZE + 1 if shown else 0, "last": (page - 1) * PAGE_SIZE + len(shown),
            "query": query, "statuses": list(STATUSES), "kinds": list(models.KINDS),
            "districts": [{"code": c, "name": names.get(c, c)} for c in districts],
            "names": {c: names.get(c, c) for c in {r["district_code"] for r in shown}},
            "illustrative": any(r["illustrative"] for r in every)}
    return render(request, "programme/sites.html", data, title="Programme sites", symbol=legend_symbol)


def _site_view(request: Request, site_id: str, user: CurrentUser | None, form: dict[str, str] | None = None,
               errors: Problems | None = None) -> Response:
    with records_of(request).session() as s:
        data = models.get_site(s, site_id)
        data["audit"] = words.sentences(audit.history(s, "programme_site", site_id), users_mod.display_names(s),
                                        data["name"])
    names = premises_of(request).names
    history = [Change(c["status"], date.fromisoformat(c["date"]), c["reason"]) for c in data["history"]]
    data.update(district_name=names.get(data["district_code"], data["district_code"]),
                ward_name=names.get(data["ward_code"], data["ward_code"]), statuses=list(STATUSES),
                next_statuses=next_statuses(history), user=_who(user), today=date.today().isoformat(),
                form=form or {}, errors=dict(errors or {}))
    response = render(request, "programme/site.html", data, title=f"Error: {data['name']}" if errors else data["name"],
                      symbol=legend_symbol)
    if errors:
        response.status_code = errors.status
    else:
        response.headers["etag"] = f'"{data["version"]}"'
    return response


@router.get("/programme/sites/{site_id}")
def site_page(request: Request, site_id: str, user: CurrentUser | None = Reader) -> Response:
    return _site_view(request, site_id, user)


# Which form field a refused status change is about (InputError.column of programme.status).
_STATUS_FIELDS = {"status": "new-status", "reason": "reason", "date": "date"}


@router.post("/programme/sites/{site_id}/status")
def site_status(request: Request, site_id: str, user: CurrentUser = Editor, status: str = Form(""),
                on: str = Form("", alias="date"), reason: str = Form(""), version: str = Form("")) -> Response:
    form = {"status": status, "date": on, "reason": reason, "version": version}
    problems = Problems()
    if not status:
        problems.add("new-status", "Choose the site's new status.")
    day = problems.day("date", on, "the date it happened", not_after=date.today()) if on.strip() else date.today()
    problems.texts({"reason": reason})
    if not problems:
        try:
            with records_of(request).session() as s:
                models.set_status(s, user.username, site_id, status, day, reason, where=f"site {site_id}",
                                  seen=versions.parse(version))
            return RedirectResponse(f"/programme/sites/{site_id}#history", status_code=303)
        except NotFoundError:
            raise
        except InputError as exc:
            problems.error(exc, _STATUS_FIELDS.get(exc.column or "", "new-status"))
        except ObservatoryError as exc:
            problems.error(exc, "new-status")
    return _site_view(request, site_id, user, form, problems)
