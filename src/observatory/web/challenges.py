"""Coverage challenges on the dashboard and in the API.

Public (no sign-in): /challenges (counts per area against the published figures, suppressed
below [challenges] public_min_count, and the challenge types), /challenges/report (the form: a
postcode checked against the postcode list, what the map shows and what was found, the type,
evidence with an optional file, contact details and consent; rate-limited per client, with a
honeypot field, a CSRF token, and every error shown beside the values typed), and
/challenges/privacy.

Editors: /challenges/manage (every challenge, overdue ones flagged), a challenge's page with its
contact details, evidence and the workflow form, its evidence file, and the export (CSV or
GeoJSON; personal data only for an admin who asks for it). The same through /api/v1/challenges
(challenges_api.py).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from shapely import wkb

from ..challenges import evidence, intake, models, public, service, transfer, workflow
from ..challenges.codes import CLAIMS, RECIPIENT_WORDS, RECIPIENTS, TYPES
from ..errors import NotFoundError, ObservatoryError, StoreError
from ..records import audit
from ..workspace.challenges import ChallengesConfig
from .auth import CurrentUser, current_user, records_of, records_read, require_role, verify_csrf
from .programme_svg import Frame, _path
from .render import observatory_of, render, snapshot_of, workspace_of

router = APIRouter(include_in_schema=False)
Editor = Depends(require_role("editor"))
Admin = Depends(require_role("admin"))

CHALLENGES_NOTICE = ("Illustrative challenges: the reports, dates and outcomes shown were made up by a documented "
                     "script for the demonstration. Do not use them for decisions.")
# The form where this dashboard keeps no records (a council that has not set them up yet): a
# resident is told before typing anything, never after their report is lost.
CLOSED = ("This dashboard cannot take reports yet: it has nowhere to keep them. Please contact the council "
          "instead.")
HONEYPOT = "website"  # a field people never see or fill in; bots that fill every field do
MAX_BODY_SLACK = 64 * 1024  # form fields around the file


# --- settings and places ------------------------------------------------------------------

def settings(request: Request) -> ChallengesConfig:
    ws = workspace_of(request)
    return ws.challenges if ws is not None else ChallengesConfig()


def evidence_folder(request: Request) -> Path | None:
    """Where evidence files are kept: [challenges] evidence_folder under the workspace (never
    under the web root); None for a dashboard served over a bare store (no uploads then)."""
    root = getattr(request.app.state, "evidence_root", None)
    if root is None:
        obs = observatory_of(request)
        root = obs.workspace.root if obs is not None else None
    return settings(request).evidence_dir(Path(root)) if root is not None else None


def _store(request: Request):  # noqa: ANN202 - Store or None
    try:
        return snapshot_of(request).store
    except (StoreError, AttributeError):
        return None


def marked(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("illustrative"):
        data["notice"] = CHALLENGES_NOTICE
    return data


def page(request: Request, template: str, data: dict[str, Any], **context: Any) -> Response:
    if marked(data).get("illustrative"):
        context["ILLUSTRATIVE"] = CHALLENGES_NOTICE
    return render(request, template, data, **context)


def challenge_rows(request: Request, personal: bool = False, **filters: Any) -> list[dict[str, Any]]:
    with records_of(request).session() as s:
        return models.list_challenges(s, settings(request), personal=personal, **filters)


def public_summary(request: Request) -> dict[str, Any]:
    """The public answer (counts only), read as a visitor's cacheable records read."""
    cfg = settings(request)
    with records_read(request, models.ENTITY).session() as s:
        rows = models.list_challenges(s, cfg)
    return public.summary(rows, cfg.public_min_count, _store(request))


def _has_records(request: Request) -> bool:
    """Whether this dashboard has a records database to read, asked without opening (or creating)
    one, so that a page over a bare store keeps its caching."""
    state = request.app.state
    if getattr(state, "records", None) is not None or getattr(state, "records_url", None):
        return True
    obs = observatory_of(request)
    return obs is not None and obs.records_reason() is None


def area_challenges(request: Request, level: str, code: str) -> dict[str, Any] | None:
    """An area profile's block: the area's challenge counts, each shown from the threshold up;
    None where challenges are not counted at that level or there are no records."""
    if level not in public.LEVEL_FIELD or not _has_records(request):
        return None
    cfg = settings(request)
    try:
        records = records_read(request, models.ENTITY)

        def listed() -> list[dict[str, Any]]:
            with records.session() as s:
                return models.list_challenges(s, cfg)

        obs = observatory_of(request)
        # every area profile shows its counts: the list is read once per change to the challenges
        # (and per day, since "overdue" moves with the date), not once per profile
        rows = (obs.cached(("challenges", date.today(), cfg), listed, (models.ENTITY,)) if obs is not None
                else listed())
    except ObservatoryError:
        return None
    return public.for_area(rows, level, code, cfg.public_min_count)


def with_challenges(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """An area profile (web/pages.py area_page) with its challenge counts under "challenges",
    shown by templates/challenges/_area_block.html; unchanged where there are none to show."""
    found = area_challenges(request, data["area"]["level"], data["area"]["code"])
    if found is not None:
        data["challenges"] = found
    return data


def map_svg(request: Request, areas: list[dict[str, Any]], caption: str) -> Markup:
    """District outlines with a circle per postcode shown (area by the number of reports): every
    circle is also a row of the table below it."""
    store = _store(request)
    ws = workspace_of(request)
    if store is None or not areas:
        return Markup("")
    districts = set(ws.districts) if ws is not None else None
    shapes = [(c, g) for c, g in store.shapes("lad") if districts is None or c in districts]
    points = {a["code"]: store.area(a["code"]) for a in areas}
    if districts is None:
        near = {r["code"] for r in areas}
        lads = {p["code"] for c in near for p in store.parents(c) if p["level"] == "lad"}
        shapes = [(c, g) for c, g in shapes if c in lads]
    geoms = [wkb.loads(bytes(g)) for _, g in shapes]
    if not geoms:
        return Markup("")
    frame = Frame(geoms)
    parts = [f'<svg class="obs-map-svg" viewBox="0 0 {frame.width} {frame.height}" role="img" '
             f'aria-labelledby="challenge-map-t" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="challenge-map-t">{escape(caption)}</title>']
    for g in geoms:
        parts.append(f'<path d="{_path(frame, g)}" fill="#f3f2f1" stroke="#505a5f" stroke-width="0.8"/>')
    for a in areas:
        p = points[a["code"]]
        if p.get("lon") is None:
            continue
        x, y = frame.xy(p["lon"], p["lat"])
        r = 2.5 + 2 * math.sqrt(a["count"])
        full = a["published_gigabit"] is not None and a["published_gigabit"] >= 99.95
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{"#d4351c" if full else "#1d70b8"}" '
                     f'fill-opacity="0.7" stroke="#0b0c0c" stroke-width="0.6"><title>{escape(a["code"])}: '
                     f'{a["count"]} reports</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- public pages -------------------------------------------------------------------------

@router.get("/challenges")
def challenges_page(request: Request) -> Response:
    data = public_summary(request)
    data.update(types=[{"code": t.code, "label": t.label, "evidence": t.evidence, "fcc": t.fcc} for t in TYPES],
                recipients=[RECIPIENT_WORDS[r] for r in RECIPIENTS], user=_who(current_user(request)))
    caption = ("Postcodes with reports: a red circle where the published figures show 100% gigabit-capable "
               "coverage, blue elsewhere; larger circles, more reports")
    return page(request, "challenges/index.html", data, title="Where the map is wrong: coverage challenges",
                challenge_map=map_svg(request, data["areas"]["postcode"], caption))


def _form_context(request: Request, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                  limited: str | None = None) -> dict[str, Any]:
    cfg = settings(request)
    return {"values": values or {}, "errors": errors or {}, "limited": limited,
            "closed": None if _has_records(request) else CLOSED,
            "types": [{"code": t.code, "label": t.label, "evidence": t.evidence} for t in TYPES],
            "claims": list(CLAIMS), "max_upload_mb": round(cfg.max_upload_kb / 1024, 1),
            "accepted": evidence.ACCEPTED, "uploads": evidence_folder(request) is not None,
            "retention_days": cfg.retention_days}


@router.get("/challenges/report")
def report_form(request: Request, postcode: str = "") -> Response:
    """The form; `?postcode=LS1 1BA` fills the postcode in (a postcode page can link here)."""
    given = intake.normal_postcode(postcode) if postcode else None
    return page(request, "challenges/report.html", _form_context(request, {"postcode": given or ""}),
                title="Report that the map is wrong")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/challenges/report")
async def report_submit(request: Request) -> Response:
    cfg = settings(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cfg.max_upload_kb * 1024 + MAX_BODY_SLACK:
        # refused before the body is read: nothing of it is kept
        return _refused(request, {}, {"evidence_file": evidence.problem(
            evidence.Upload("evidence", b"x" * (cfg.max_upload_kb * 1024 + 1)), cfg.max_upload_kb) or ""},
            status=413)
    if not _has_records(request):
        # no records database to keep a report in: say so before reading what was typed
        return _refused(request, {}, {}, status=503)
    form = await request.form()
    await verify_csrf(request)
    values = {k: form.get(k) for k in intake.FIELDS}
    if str(form.get(HONEYPOT) or "").strip():
        # a bot filled the field people never see: thank it, keep nothing
        return RedirectResponse("/challenges/report/done", status_code=303)
    upload = None
    file = form.get("evidence_file")
    if file is not None and not isinstance(file, str) and file.filename:
        upload = evidence.Upload(file.filename, await file.read(cfg.max_upload_kb * 1024 + 1))
    folder = evidence_folder(request)
    if upload is not None and folder is None:
        checked = intake.check(values, None, _store(request), cfg.max_upload_kb)
        checked.errors["evidence_file"] = ("Files cannot be sent to this dashboard (it keeps no evidence folder). "
                                           "Describe your evidence in words instead.")
        return _refused(request, checked.values, checked.errors)
    outcome = service.submit(records_of(request), _store(request), cfg, folder or Path("."), values, upload,
                             _client(request))
    if outcome.limited:
        return _refused(request, outcome.checked.values, {}, outcome.limited, status=429)
    if not outcome.checked.ok:
        return _refused(request, outcome.checked.values, outcome.checked.errors)
    return RedirectResponse(f"/challenges/report/done?ref={outcome.reference}", status_code=303)


def _refused(request: Request, values: dict[str, Any], errors: dict[str, str], limited: str | None = None,
             status: int = 400) -> Response:
    response = page(request, "challenges/report.html", _form_context(request, values, errors, limited),
                    title="Error: report that the map is wrong")
    response.status_code = status
    return response


@router.get("/challenges/report/done")
def report_done(request: Request, ref: str = "") -> Response:
    ref = ref if ref.startswith("CH-") and ref[3:].isdigit() and len(ref) <= 12 else ""
    cfg = settings(request)
    return page(request, "challenges/done.html", {"reference": ref, "check_days": cfg.check_days},
                title="Report received")


@router.get("/challenges/privacy")
def privacy_page(request: Request) -> Response:
    cfg = settings(request)
    return page(request, "challenges/privacy.html", {"retention_days": cfg.retention_days,
                                                     "min_count": cfg.public_min_count},
                title="Privacy notice: coverage challenges")


# --- editors ------------------------------------------------------------------------------

def _who(user: CurrentUser | None) -> dict[str, Any] | None:
    return None if user is None else {"username": user.username, "role": user.role,
                                      "may_edit": user.may("editor"), "is_admin": user.may("admin")}


def _names(request: Request) -> dict[str, str]:
    store = _store(request)
    if store is None:
        return {}
    out: dict[str, str] = {}
    for level in ("lad", "ward"):
        try:
            out.update(store.names(level))
        except ObservatoryError:
            pass
    return out


@router.get("/challenges/manage")
def manage_page(request: Request, status: str = "", overdue: str = "", user: CurrentUser = Editor) -> Response:
    rows = challenge_rows(request, status=status or None, overdue=True if overdue == "yes" else None)
    names = _names(request)
    for r in rows:
        r["district_name"] = names.get(r["district_code"], r["district_code"])
        r["ward_name"] = names.get(r["ward_code"], r["ward_code"])
    data = {"challenges": rows, "count": len(rows), "status": status, "overdue_only": overdue == "yes",
            "overdue": sum(1 for r in rows if r["overdue"]), "statuses": list(workflow.STATUSES),
            "user": _who(user), "illustrative": any(r["illustrative"] for r in rows)}
    return page(request, "challenges/manage.html", data, title="Coverage challenges: the editors' list")


@router.get("/challenges/manage/{challenge_id}")
def challenge_page(request: Request, challenge_id: int, user: CurrentUser = Editor) -> Response:
    cfg = settings(request)
    with records_of(request).session() as s:
        data = models.get_challenge(s, challenge_id, cfg, personal=True)
        data["audit"] = audit.history(s, models.ENTITY, challenge_id)
    names = _names(request)
    data.update(district_name=names.get(data["district_code"], data["district_code"]),
                ward_name=names.get(data["ward_code"], data["ward_code"]), user=_who(user),
                next_steps=_next_steps(data["status"]), recipients=list(RECIPIENTS), today=date.today().isoformat(),
                retention_days=cfg.retention_days)
    return page(request, "challenges/challenge.html", data, title=f"Challenge {data['reference']}")


def _next_steps(status: str) -> list[str]:
    if status == workflow.RECEIVED:
        return [workflow.CHECKED]
    if status == workflow.CHECKED:
        return [workflow.SENT]
    if status == workflow.SENT:
        return list(workflow.OUTCOMES)
    return []


def _day(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ObservatoryError(f"Date: '{value}' is not a date. Write it as YYYY-MM-DD, e.g. 2026-03-31.") from None


@router.post("/challenges/manage/{challenge_id}/status")
def challenge_status(request: Request, challenge_id: int, user: CurrentUser = Editor, status: str = Form(...),
                     on: str = Form("", alias="date"), sent_to: str = Form(""), note: str = Form("")) -> Response:
    with records_of(request).session() as s:
        models.set_status(s, user.username, challenge_id, status, _day(on), sent_to, note)
    return RedirectResponse(f"/challenges/manage/{challenge_id}#steps", status_code=303)


@router.get("/challenges/manage/{challenge_id}/evidence")
def challenge_evidence(request: Request, challenge_id: int, user: CurrentUser = Editor) -> Response:
    folder = evidence_folder(request)
    with records_of(request).session() as s:
        c = models.row_of(s, challenge_id)
        token, name, kind = c.evidence_file, c.evidence_name, c.evidence_type
    if folder is None:
        raise NotFoundError("This dashboard keeps no evidence folder.")
    path = evidence.path_of(folder, token)
    # always a download, never shown in the page: a file is never run or rendered by the dashboard
    return FileResponse(path, media_type=kind or "application/octet-stream", filename=name or path.name,
                        content_disposition_type="attachment", headers={"cache-control": "no-store"})


def _export(rows: list[dict[str, Any]], format: str, personal: bool) -> Response:
    if format == "geojson":
        return Response(transfer.export_geojson(rows, personal), media_type="application/geo+json",
                        headers={"content-disposition": 'attachment; filename="coverage-challenges.geojson"'})
    return Response(transfer.export_csv(rows, personal), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="coverage-challenges.csv"'})


def export_checked(request: Request, user: CurrentUser, format: str, personal: str) -> Response:
    wants = personal in ("yes", "true", "1")
    if wants and not user.may("admin"):
        raise ObservatoryError("Personal data (contact details and evidence) is exported for an admin only. Export "
                               "without it, or ask an admin.")
    return _export(challenge_rows(request, personal=wants), format, wants)


@router.get("/challenges/export")
def export_page(request: Request, format: Literal["csv", "geojson"] = "csv", personal: str = "",
                user: CurrentUser = Editor) -> Response:
    return export_checked(request, user, format, personal)


__all__ = ["area_challenges", "challenge_rows", "export_checked", "marked", "public_summary", "router", "settings",
           "with_challenges"]
