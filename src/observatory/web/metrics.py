"""Strategy metrics on the dashboard and the API: /metrics (grouped by priority, with the priority
x life-stage matrix), /metrics/{id} (chart, data table, the rule, and the form for entered values),
and /api/v1/metrics, /api/v1/metrics/{id}, /api/v1/forecasts. Reading is public unless the
workspace requires a sign-in; entering a value needs the editor role (and, from a browser, the
session's CSRF token), and is audited."""

from __future__ import annotations

import datetime
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ..errors import NoRecordsYet, NotFoundError, ObservatoryError, StoreError
from ..records import versions, words
from ..records.audit import entries
from ..records.users import display_names
from ..records.versions import StaleRecord
from ..report.sparkline import sparkline
from ..strategy import models
from ..strategy.board import Board, metrics_config
from ..strategy.coverage_targets import standings
from ..strategy.status import select
from .auth import CurrentUser, records_of, records_read, require_reader, require_role
from .forms import Problems
from .metric_chart import metric_svg
from .params import BadParameter
from .render import render, store_of, targets_of, workspace_of

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["metrics"])
Editor = Depends(require_role("editor"))
Reader = Depends(require_reader)

NOTICE = ("Illustrative values: metrics marked illustrative hold example values made up by a documented script, "
          "or count illustrative example records. Do not use them for decisions.")
STATUS_TAG = {"green": "govuk-tag--green", "amber": "govuk-tag--yellow", "red": "govuk-tag--red",
              "no data": "govuk-tag--grey"}


def _workspace(request: Request) -> Any:
    ws = workspace_of(request)
    if ws is None:
        raise StoreError("This dashboard was started without a workspace, so it has no strategy metrics. "
                         "Serve it with `observatory serve WORKSPACE`.")
    return ws


# The records a metric reads (records/changes.py keys): entered values, board actions, the Shared
# Care Record register. A visitor's answer is kept by the response cache until one of them changes
# (and for at most a few seconds: the programme's records and the date move on too).
READS = (models.ENTITY, "action", "scr_access")


# What a reader is told where the workspace has no metrics (the command line names the setting).
NO_METRICS = ("This dashboard has no strategy metrics yet. An officer adds them to the workspace's settings "
              "(the guide's \"Strategy metrics\" section lists what a metrics file may hold).")


def board_of(request: Request, read_only: bool = True) -> Board:
    ws = _workspace(request)
    if ws.metrics is None:
        raise NotFoundError(NO_METRICS)
    config = metrics_config(ws)
    records, reason = None, None
    try:
        records = records_read(request, *READS) if read_only else records_of(request)
    except NoRecordsYet as exc:
        reason = str(exc)
    except StoreError as exc:
        reason = f"the records database cannot be read: {exc}"
    try:
        store = store_of(request)
    except Exception:  # noqa: BLE001 - no store: store metrics say "no data"
        store = None
    return Board(config, store, records, reason, ws.region_code, tuple(ws.districts), ws.programme)


def _who(user: CurrentUser | None) -> dict[str, Any] | None:
    return None if user is None else {"username": user.username, "role": user.role, "may_edit": user.may("editor"),
                                      "is_admin": user.may("admin")}


def _marked(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("illustrative"):
        data["notice"] = NOTICE
    return data


def _page(request: Request, template: str, data: dict[str, Any], title: str) -> Response:
    data = _marked(data)
    context: dict[str, Any] = {"title": title, "status_tag": STATUS_TAG}
    if data.get("illustrative"):
        context["ILLUSTRATIVE"] = NOTICE
    return render(request, template, data, **context)


def _filters(board: Board, priority: str | None, life_stage: str | None, status: str | None) -> None:
    fw = board.config.framework
    if priority and priority not in fw.all_priorities:
        raise BadParameter("priority", priority, fw.all_priorities)
    if life_stage and life_stage not in fw.life_stages:
        raise BadParameter("life_stage", life_stage, fw.life_stages)
    if status and status not in STATUS_TAG:
        raise BadParameter("status", status, STATUS_TAG)


def overview_data(board: Board, priority: str | None = None, life_stage: str | None = None,
                  status: str | None = None, sparklines: bool = False) -> dict[str, Any]:
    _filters(board, priority, life_stage, status)
    rows = board.rows()
    data = board.summary(rows)
    shown = select(rows, priority or None, life_stage or None, status or None)
    for r in shown:
        r.pop("trend", None)
        r.pop("band", None)
        if sparklines:
            r["sparkline"] = str(sparkline([v["value"] for v in r["values"]], f"{r['display_title']}: values"))
    data["groups"] = [{**g, "metrics": [r for r in shown if r["priority"] == g["priority"]]} for g in data["groups"]]
    data["filters"] = {"priority": priority, "life_stage": life_stage, "status": status}
    data["shown"] = len(shown)
    return data


@router.get("/metrics")
def metrics_page(request: Request, priority: str | None = None, life_stage: str | None = None,
                 status: str | None = None, user: CurrentUser | None = Reader) -> Response:
    data = overview_data(board_of(request), priority, life_stage, status, sparklines=True)
    data["user"] = _who(user)
    return _page(request, "metrics/index.html", data, "Strategy metrics")


def _metric_view(request: Request, metric_id: str, user: CurrentUser | None, form: dict[str, str] | None = None,
                 errors: Problems | None = None) -> Response:
    board = board_of(request)
    data = board.one(metric_id)
    data["chart"] = str(metric_svg(data))
    data["history"] = _history(board, metric_id) if data["entered"] else []
    data["version"] = _version(board, metric_id) if data["entered"] else 0
    data["value_hint"] = _value_hint(data.get("unit", ""))
    data["user"] = _who(user)
    data["today"] = date.today().isoformat()
    data["form"], data["errors"] = form or {}, dict(errors or {})
    response = _page(request, "metrics/metric.html", data,
                     f"Error: {data['display_title']}" if errors else data["display_title"])
    if errors:
        response.status_code = errors.status
    return response


def _value_hint(unit: str) -> str:
    if unit == "%":
        return "A percentage from 0 to 100, without the % sign, e.g. 72.5. Decimals with a point."
    if models.is_count(unit):
        return f"A whole number of {unit}, e.g. 1250 or 1,250."
    return f"A number of {unit}, e.g. 12.5. Decimals with a point."


def _version(board: Board, metric_id: str) -> int:
    """The newest value entered for the metric: the version its value form is made from."""
    if board.records is None:
        return 0
    with board.records.session() as s:
        return models.latest_id(s, metric_id)


@router.get("/metrics/{metric_id}")
def metric_page(request: Request, metric_id: str, user: CurrentUser | None = Reader) -> Response:
    return _metric_view(request, metric_id, user)


def _history(board: Board, metric_id: str) -> list[dict[str, Any]]:
    """The audit log's rows for this metric's values, oldest first, each in a sentence."""
    if board.records is None:
        return []

    with board.records.session() as s:
        rows = [e for e in entries(s, limit=None, entity=models.ENTITY) if (e["after"] or {}).get("metric_id") == metric_id]
        names = display_names(s)
    return words.sentences(list(reversed(rows)), names)


def _record(request: Request, user: CurrentUser, metric_id: str, value: float, on: date, note: str,
            seen: int | None = None) -> dict[str, Any]:
    board = board_of(request, read_only=False)
    metric = board.config.get(metric_id)
    if metric.source.kind != "entered":
        raise ObservatoryError(f"{metric.title} takes its values from the {metric.source.describe()}; only "
                               "metrics whose values people enter take values here.")
    problem = models.value_problem(metric.unit, value)
    if problem:
        raise ObservatoryError(f"Value: {problem}")
    if board.records is None:
        raise StoreError(board.records_reason or "No records database.")
    with board.records.session() as s:
        if seen is not None:
            other = models.entered_since(s, metric_id, on, seen)
            if other is not None:
                names = display_names(s)
                raise StaleRecord(f"the value for {words.moment_words(on)} (now {words.value_words(other.value)})",
                                  seen, other.id, words.who(other.author, names), other.recorded_at)
        return models.value_dict(models.add_value(s, user.username, metric_id, value, on, note))


@router.post("/metrics/{metric_id}/values")
def metric_value_form(request: Request, metric_id: str, user: CurrentUser = Editor, value: str = Form(""),
                      on: str = Form("", alias="date"), note: str = Form(""), version: str = Form("")) -> Response:
    form = {"value": value, "date": on, "note": note, "version": version}
    board = board_of(request, read_only=False)
    metric = board.config.get(metric_id)
    problems = Problems()
    number, problem = models.parse_value(metric.unit, value)
    if problem:
        problems.add("value", problem)
    day = problems.day("date", on, "the date measured", required=True, not_after=date.today())
    problems.texts({"note": note})
    if not problems:
        try:
            _record(request, user, metric_id, number, day, note, seen=versions.parse(version))
            return RedirectResponse(f"/metrics/{metric_id}#values", status_code=303)
        except ObservatoryError as exc:
            problems.error(exc, "value")
    return _metric_view(request, metric_id, user, form, problems)


FORECAST_LEVELS = ("lad", "ca", "rgn", "group", "nation")


def profile_forecasts(request: Request, area: dict[str, Any]) -> list[dict[str, Any]]:
    """An area profile's coverage forecasts: for districts and the areas above them, when the
    workspace's metrics file sets coverage targets; otherwise none (never an error)."""
    if area.get("level") not in FORECAST_LEVELS:
        return []
    return standings(store_of(request), targets_of(request), [area["code"]])


def with_forecasts(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """An area profile with its coverage forecasts added under "forecasts", when there are any."""
    found = profile_forecasts(request, data["area"])
    if found:
        data["forecasts"] = found
    return data


# --- API -------------------------------------------------------------------------------------

class ValueIn(BaseModel):
    value: float = Field(description="The value, in the metric's unit.")
    date: datetime.date = Field(description="The date it was measured (not in the future).")
    note: str = Field("", description="Where the figure comes from.")


@api.get("/metrics", summary="Every strategy metric: status, the rule used, trajectory, by priority")
def api_metrics(request: Request, priority: str | None = None, life_stage: str | None = None,
                status: str | None = None, user: CurrentUser | None = Reader) -> dict[str, Any]:
    data = overview_data(board_of(request), priority, life_stage, status)
    return _marked(data)


@api.get("/metrics/{metric_id}", summary="One metric: values, trend, band, status and the rule")
def api_metric(request: Request, metric_id: str, user: CurrentUser | None = Reader) -> dict[str, Any]:
    return _marked(board_of(request).one(metric_id))


@api.get("/forecasts", summary="When the region and each district reach the coverage targets on the current trend")
def api_forecasts(request: Request) -> dict[str, Any]:
    board = board_of(request)
    return {"method": "logistic trend through the latest 6 figures; 80% band from a seeded residual bootstrap",
            "targets": [{"indicator": t.indicator, "value": t.value, "date": t.date.isoformat(),
                         "tolerance": t.tolerance, "label": t.label, "areas": dict(t.areas)}
                        for t in board.config.targets],
            "forecasts": board.forecasts()}


@api.post("/metrics/{metric_id}/values", status_code=201, summary="Enter a value of an entered metric (editor)")
def api_post_value(request: Request, metric_id: str, body: ValueIn, user: CurrentUser = Editor) -> JSONResponse:
    return JSONResponse(_record(request, user, metric_id, body.value, body.date, body.note), status_code=201)
