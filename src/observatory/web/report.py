"""The latest annual update, as `observatory report` wrote it: the self-contained HTML at /report
and its PDF beside it. The dashboard only serves the files; it never writes a report."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from ..errors import NotFoundError
from .negotiate import wants_json
from .render import render

router = APIRouter(include_in_schema=False)

PDF_NAME = re.compile(r"^annual-update-(\d{4})\.pdf$")
# The report is one self-contained document: its styles and images are inline by design.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def report_dir(request: Request) -> Path | None:
    root = request.app.state.workspace_dir
    return Path(root) / "build" / "report" if root else None


def _pdfs(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if PDF_NAME.match(p.name)), key=lambda p: p.name)


@router.get("/report")
def latest(request: Request) -> Response:
    folder = report_dir(request)
    html = folder / "index.html" if folder else None
    pdfs = _pdfs(folder)
    data = {
        "written": html is not None and html.exists(),
        "html": "/report" if html is not None and html.exists() else None,
        "pdfs": [{"year": int(PDF_NAME.match(p.name).group(1)), "url": f"/report/{p.name}"} for p in pdfs],
        "updated": datetime.fromtimestamp(html.stat().st_mtime).strftime("%-d %B %Y") if html and html.exists() else None,
        "command": "observatory report",
    }
    if wants_json(request) or not data["written"]:
        return render(request, "report_missing.html", data)  # JSON twin, or the page saying how to write one
    response = FileResponse(html, media_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@router.get("/report/{name}")
def pdf(request: Request, name: str) -> Response:
    folder = report_dir(request)
    if not PDF_NAME.match(name) or folder is None or not (folder / name).is_file():
        raise NotFoundError(f"No report file '{name}'. The latest annual update is at /report.")
    return FileResponse(folder / name, media_type="application/pdf", filename=name)
