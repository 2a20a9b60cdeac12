"""One error handler: a JSON body for API callers, a helpful page for people, never a traceback.

    NotFoundError, unknown route        404  names what was not found, links to search
    BadParameter, request validation    422  names the parameter and its allowed values
    NotPublishedError                   422  says why the figure is not published and what to choose
    StoreError                          503  the store is missing or refused the query
    StaleRecord                         409  someone else changed the record being edited
    the records database refused        503  it is missing, read-only or unreachable: said so
    anything else                       500  a short apology; the traceback goes to the log only
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal, get_args, get_origin
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import NoRecordsYet, NotFoundError, NotPublishedError, ObservatoryError, StoreError
from ..records.versions import StaleRecord
from .negotiate import wants_json
from .params import BadParameter
from .render import snapshot_of

log = logging.getLogger("observatory.web")

_KINDS: list[tuple[type[Exception], int, str]] = [
    (NotFoundError, 404, "not_found"),
    (NoRecordsYet, 404, "no_records_yet"),
    (BadParameter, 422, "bad_parameter"),
    (NotPublishedError, 422, "not_published"),
    (StoreError, 503, "store_unavailable"),
    (StaleRecord, 409, "conflict"),
    (ObservatoryError, 400, "bad_request"),
]
_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    409: "Someone else changed this record",
    422: "Check what you asked for",
    500: "Sorry, something went wrong",
    503: "The data is not available",
}
# Where the status's title would mislead: a council that has not started its records has lost nothing.
_KIND_TITLES = {"no_records_yet": "No records yet"}


def install(app: FastAPI) -> None:
    for exc_type in (ObservatoryError, HTTPException, RequestValidationError, DBAPIError, Exception):
        app.add_exception_handler(exc_type, handle)


def describe(exc: Exception, request: Request | None = None) -> tuple[int, dict[str, Any]]:
    """Status and JSON error body for any exception."""
    for exc_type, status, kind in _KINDS:
        if isinstance(exc, exc_type):
            message = for_the_web(str(exc)) if status == 404 else str(exc)
            body: dict[str, Any] = {"status": status, "type": kind, "message": message}
            if isinstance(exc, BadParameter):
                body.update(parameter=exc.name, value=exc.value, allowed=exc.allowed)
            return status, body
    if isinstance(exc, RequestValidationError):
        return 422, _validation(exc, request)
    if isinstance(exc, DBAPIError):
        return 503, {"status": 503, "type": "records_unavailable", "message": records_problem(exc)}
    if isinstance(exc, HTTPException):
        message = "No page at this address." if exc.status_code == 404 else str(exc.detail)
        return exc.status_code, {"status": exc.status_code, "type": "http", "message": message}
    return 500, {
        "status": 500,
        "type": "internal",
        "message": "The observatory hit an unexpected problem. It has been logged; please try "
        "again, or report the address you were visiting.",
    }


def records_problem(exc: DBAPIError) -> str:
    """What went wrong with the records database, in words for the reader (never the driver's text)."""
    said = str(exc.orig if exc.orig is not None else exc).lower()
    if "readonly" in said or "read-only" in said or "read only" in said:
        return ("The board's records cannot be changed or read here just now: the records database is read-only "
                "(its file or folder does not allow the dashboard to write). Nothing was changed. Ask whoever "
                "runs the dashboard to make it writable again.")
    if "unable to open" in said or "no such table" in said or "does not exist" in said:
        return ("The board's records are not available: the records database is missing or not set up. "
                "Nothing was changed. Ask whoever runs the dashboard to restore it.")
    if "locked" in said or "timeout" in said or "could not connect" in said or "connection" in said:
        return ("The board's records are busy or cannot be reached just now. Nothing was changed. Wait a moment "
                "and try again.")
    return ("The board's records database refused the request. Nothing was changed. Try again; if it goes on, "
            "ask whoever runs the dashboard.")


def _mentions_cli(text: str) -> bool:
    return "`observatory" in text or "observatory figures" in text


def for_the_web(message: str) -> str:
    """A store message as a web user should read it, without suggestions of CLI commands: a
    sentence's ", or ... `observatory ...`" clause is cut, a sentence that is only a command
    dropped. The error page's search form and the JSON `search` link are the web's way on."""
    if not _mentions_cli(message):
        return message
    kept = []
    for sentence in re.split(r"(?<=\.)\s+", message.strip()):
        if _mentions_cli(sentence):
            head, sep, _ = sentence.partition(", or ")
            if not sep or _mentions_cli(head):
                continue
            sentence = head.rstrip(" ,;") + "."
        kept.append(sentence)
    return " ".join(kept) or "Not found."


def _search_link(request: Request | None) -> str:
    """The search page, for the code or postcode that was not found (when the address names one)."""
    text = None
    if request is not None:
        text = request.path_params.get("code") or request.path_params.get("text")
    return f"/search?q={quote(text)}" if text else "/search"


def _validation(exc: RequestValidationError, request: Request | None = None) -> dict[str, Any]:
    first = exc.errors()[0]
    name = str(first["loc"][-1])
    value = first.get("input")
    allowed = _allowed(first, request)
    message = f"Parameter '{name}': {first['msg']}"
    if value is not None:
        message += f" (got '{value}')"
    return {
        "status": 422,
        "type": "bad_parameter",
        "message": message + ".",
        "parameter": name,
        "value": value if isinstance(value, (str, int, float)) else None,
        "allowed": allowed,
    }


def _allowed(error: dict[str, Any], request: Request | None) -> list[str]:
    """The allowed values of a parameter that failed validation, always as a list: from the
    endpoint's Literal annotation, else from pydantic's `expected` text ("'a', 'b' or 'c'")."""
    name = str(error["loc"][-1])
    route = request.scope.get("route") if request is not None else None
    dependant = getattr(route, "dependant", None)
    for param in getattr(dependant, "query_params", []) + getattr(dependant, "path_params", []):
        if param.name == name or getattr(param, "alias", None) == name:
            values = _literal_values(getattr(param.field_info, "annotation", None))
            if values:
                return values
    expected = (error.get("ctx") or {}).get("expected")
    if isinstance(expected, str):
        quoted = re.findall(r"'([^']*)'", expected)
        return quoted or [expected]
    if name == "indicator" and request is not None:
        return sorted({a["indicator"] for a in snapshot_of(request).available})
    return []


def _literal_values(annotation: Any) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    for arg in get_args(annotation):  # Optional[Literal[...]], Annotated[...]
        values = _literal_values(arg)
        if values:
            return values
    return []


async def handle(request: Request, exc: Exception) -> Response:
    status, body = describe(exc, request)
    if status == 404:
        body["search"] = _search_link(request)
    if status >= 500 and not isinstance(exc, DBAPIError):
        log.error("error serving %s", request.url.path, exc_info=exc)
    elif isinstance(exc, DBAPIError):
        log.warning("the records database refused %s: %s", request.url.path, exc.orig or exc)
    if wants_json(request):
        return JSONResponse({"error": body}, status_code=status)
    templates = snapshot_of(request).templates
    code = (request.path_params.get("code") or request.path_params.get("text")) if status == 404 else None
    return templates.TemplateResponse(
        request,
        "error.html",
        {"error": body, "title": _KIND_TITLES.get(body.get("type", "")) or _TITLES.get(status, "Something is not right"),
         "code": code},
        status_code=status,
    )
