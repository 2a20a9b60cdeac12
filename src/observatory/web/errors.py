"""One error handler: a JSON body for API callers, a helpful page for people, never a traceback.

    NotFoundError, unknown route        404  names what was not found, offers search
    BadParameter, request validation    422  names the parameter and its allowed values
    NotPublishedError                   422  says why the figure is not published and what to choose
    StoreError                          503  the store is missing or refused the query
    anything else                       500  a short apology; the traceback goes to the log only
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import NotFoundError, NotPublishedError, ObservatoryError, StoreError
from .negotiate import wants_json
from .params import BadParameter

log = logging.getLogger("observatory.web")

_KINDS: list[tuple[type[Exception], int, str]] = [
    (NotFoundError, 404, "not_found"),
    (BadParameter, 422, "bad_parameter"),
    (NotPublishedError, 422, "not_published"),
    (StoreError, 503, "store_unavailable"),
    (ObservatoryError, 400, "bad_request"),
]
_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    422: "Check what you asked for",
    500: "Sorry, something went wrong",
    503: "The data is not available",
}


def install(app: FastAPI) -> None:
    for exc_type in (ObservatoryError, HTTPException, RequestValidationError, Exception):
        app.add_exception_handler(exc_type, handle)


def describe(exc: Exception) -> tuple[int, dict[str, Any]]:
    """Status and JSON error body for any exception."""
    for exc_type, status, kind in _KINDS:
        if isinstance(exc, exc_type):
            body: dict[str, Any] = {"status": status, "type": kind, "message": str(exc)}
            if isinstance(exc, BadParameter):
                body.update(parameter=exc.name, value=exc.value, allowed=exc.allowed)
            return status, body
    if isinstance(exc, RequestValidationError):
        return 422, _validation(exc)
    if isinstance(exc, HTTPException):
        message = "No page at this address." if exc.status_code == 404 else str(exc.detail)
        return exc.status_code, {"status": exc.status_code, "type": "http", "message": message}
    return 500, {
        "status": 500,
        "type": "internal",
        "message": "The observatory hit an unexpected problem. It has been logged; please try "
        "again, or report the address you were visiting.",
    }


def _validation(exc: RequestValidationError) -> dict[str, Any]:
    first = exc.errors()[0]
    name = str(first["loc"][-1])
    value = first.get("input")
    allowed = (first.get("ctx") or {}).get("expected")
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


async def handle(request: Request, exc: Exception) -> Response:
    status, body = describe(exc)
    if status >= 500:
        log.error("error serving %s", request.url.path, exc_info=exc)
    if wants_json(request):
        return JSONResponse({"error": body}, status_code=status)
    templates = request.app.state.templates
    code = request.path_params.get("code") if status == 404 else None
    return templates.TemplateResponse(
        request,
        "error.html",
        {"error": body, "title": _TITLES.get(status, "Something is not right"), "code": code},
        status_code=status,
    )
