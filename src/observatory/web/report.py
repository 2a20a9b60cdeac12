"""The annual update as a page of the site: /report says when the latest update was written,
offers its PDF ("Download the PDF (n pages, size)") and the document to read in the browser
(/report/read), and says when the records or the store have changed since it was written. An
administrator can then write it again from here: the report is written in the background into a
folder of its own and its files renamed into place only when all are complete, so the old paper
stays readable (and downloadable) until the new one is ready. Progress is kept in a small file
beside the report, so every worker of `observatory serve --workers N` shows the same progress."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from ..errors import NotFoundError, ObservatoryError
from ..records import audit
from ..report import STEPS, write_report
from ..report import about as report_about
from ..report.about import PDF_NAME, size_words
from .auth import CurrentUser, current_user_or_none, records_of, require_role
from .render import observatory_of, render, store_of

log = logging.getLogger("observatory.web")
router = APIRouter(include_in_schema=False)
Admin = Depends(require_role("admin"))

# The report is one self-contained document: its styles and images are inline by design.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
PROGRESS = ".progress.json"
# A job whose progress file is older than this is taken to have died with its worker.
STALE_JOB = timedelta(minutes=15)
LONDON = ZoneInfo("Europe/London")


def report_dir(request: Request) -> Path | None:
    root = request.app.state.workspace_dir
    return Path(root) / "build" / "report" if root else None


def _pdfs(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if PDF_NAME.match(p.name)), key=lambda p: p.name)


def local_words(utc_stamp: str | None) -> str:
    """A UTC time as the council's readers tell it: '7 December 2026 at 10:42' (UK time)."""
    if not utc_stamp:
        return ""
    moment = datetime.fromisoformat(utc_stamp).replace(tzinfo=UTC).astimezone(LONDON)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"


def summary(request: Request) -> dict[str, Any]:
    """What a page linking to the annual update needs: whether it is written, when, and its PDF
    with pages and size (the oversight page uses this too)."""
    folder = report_dir(request)
    about = report_about.read(folder)
    if about is None:
        return {"written": False, "html": None, "pdfs": [], "pdf": None, "updated": None, "written_at": None,
                "command": "observatory report"}
    pdfs = [{"year": p["year"], "url": f"/report/{p['name']}", "bytes": p["bytes"], "size": size_words(p["bytes"])}
            for p in about["pdfs"]]
    newest = next((p for p in pdfs if p["year"] == about.get("year")), pdfs[-1] if pdfs else None)
    if newest is not None:
        newest = {**newest, "pages": about.get("pages") if newest["year"] == about.get("year") else None}
    return {"written": True, "html": "/report/read", "pdfs": pdfs, "pdf": newest, "year": about.get("year"),
            "written_at": about["written_at"], "updated": local_words(about["written_at"]),
            "store_built": about.get("store_built"), "command": "observatory report"}


def _changes_since(request: Request, data: dict[str, Any]) -> list[str]:
    """What has changed since the report was written, in words; empty when nothing has."""
    out = []
    try:
        built = store_of(request).meta().get("built", "")
    except ObservatoryError:
        built = ""
    if data.get("store_built") and built and built != data["store_built"]:
        out.append(f"the published figures were rebuilt on {local_words(built[:19])}")
    try:
        with records_of(request).session() as s:
            latest = audit.entries(s, limit=1)
    except ObservatoryError:
        latest = []
    if latest and latest[0]["at"] > data["written_at"]:
        out.append(f"the records were last changed on {local_words(latest[0]['at'])}")
    return out


def _progress(folder: Path | None) -> dict[str, Any] | None:
    """The background job's progress, if one is running (or has just failed)."""
    if folder is None:
        return None
    try:
        state = json.loads((folder / PROGRESS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("state") == "running":
        started = datetime.fromisoformat(state["started"])
        if datetime.now(UTC).replace(tzinfo=None) - started > STALE_JOB:
            return None
    return state


def _write_progress(folder: Path, **state: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{PROGRESS}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(folder / PROGRESS)


@router.get("/report")
def latest(request: Request) -> Response:
    folder = report_dir(request)
    data = summary(request)
    data["changed_since"] = _changes_since(request, data) if data["written"] else []
    data["job"] = _progress(folder)
    user = current_user_or_none(request)
    data["can_write"] = bool(user and user.may("admin") and observatory_of(request) is not None)
    data["steps"] = len(STEPS)
    return render(request, "report_page.html", data, title="Annual update")


@router.get("/report/read")
def read(request: Request) -> Response:
    """The annual update as its self-contained HTML document."""
    folder = report_dir(request)
    html = folder / "index.html" if folder else None
    if html is None or not html.exists():
        raise NotFoundError("No annual update has been written yet. See /report for how to write one.")
    response = FileResponse(html, media_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@router.post("/report/write")
def write(request: Request, user: CurrentUser = Admin) -> Response:
    """Start writing the annual update in the background (one job at a time)."""
    obs = observatory_of(request)
    folder = report_dir(request)
    if obs is None or folder is None:
        raise NotFoundError("This dashboard has no workspace to write an annual update from.")
    job = _progress(folder)
    if job is None or job.get("state") != "running":
        _write_progress(folder, state="running", step=STEPS[0], index=1, of=len(STEPS),
                        started=report_about.now_utc(), by=user.display_name or user.username)
        threading.Thread(target=_job, args=(obs.workspace, folder), daemon=True,
                         name="observatory-report").start()
    return RedirectResponse("/report#progress", status_code=303)


def _job(ws: Any, folder: Path) -> None:
    """Write the report into a folder beside the live one, then rename its files into place:
    the PDF first, the document and about.json last, so a reader never finds half a report."""
    started = report_about.now_utc()
    by = (_progress(folder) or {}).get("by", "")

    def step(name: str | None) -> None:
        if name is not None:
            _write_progress(folder, state="running", step=name, index=STEPS.index(name) + 1, of=len(STEPS),
                            started=started, by=by)

    work = Path(tempfile.mkdtemp(prefix=".report-", dir=folder.parent))
    try:
        write_report(ws, out=work, progress=step)
        names = sorted(p.name for p in work.iterdir())
        order = [n for n in names if n.endswith(".pdf")] + [n for n in names if not n.endswith(".pdf")]
        order.sort(key=lambda n: n == "index.html")  # the document last of all
        for name in order:
            os.replace(work / name, folder / name)
        (folder / PROGRESS).unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - the page says what went wrong; the old paper stays
        log.exception("writing the annual update failed")
        _write_progress(folder, state="failed", error=str(exc), started=started, by=by)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@router.get("/report/{name}")
def pdf(request: Request, name: str) -> Response:
    folder = report_dir(request)
    if not PDF_NAME.match(name) or folder is None or not (folder / name).is_file():
        raise NotFoundError(f"No report file '{name}'. The latest annual update is at /report.")
    return FileResponse(folder / name, media_type="application/pdf", filename=name)
