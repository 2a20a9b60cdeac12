"""What the dashboard says about a written annual update, kept beside it as `about.json`: when it
was written (UTC), from which build of the store, its year and its PDF's pages. The dashboard reads
it to offer "Download the PDF (n pages, size)" and to say when the records or the store have
changed since the paper was written."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ABOUT = "about.json"
PDF_NAME = re.compile(r"^annual-update-(\d{4})\.pdf$")


def now_utc() -> str:
    """The current time, UTC, to the second, as about.json and the audit log write it."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def record(folder: Path, year: int, pages: int | None, written_at: str, store_built: str) -> Path:
    """Write about.json beside the report (beside, then renamed: never half written)."""
    path = folder / ABOUT
    tmp = path.with_name(f".{ABOUT}.tmp")
    tmp.write_text(json.dumps({"year": year, "pages": pages, "written_at": written_at,
                               "store_built": store_built}, indent=1), encoding="utf-8")
    return tmp.replace(path)


def read(folder: Path | None) -> dict[str, Any] | None:
    """about.json of the report in `folder`, or what the files themselves say (a report written
    before about.json existed); None when no report is written there."""
    if folder is None or not (folder / "index.html").exists():
        return None
    try:
        about = json.loads((folder / ABOUT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        written = datetime.fromtimestamp((folder / "index.html").stat().st_mtime, UTC)
        about = {"year": None, "pages": None, "store_built": None,
                 "written_at": written.replace(tzinfo=None).isoformat(timespec="seconds")}
    pdfs = sorted((p for p in folder.iterdir() if PDF_NAME.match(p.name)), key=lambda p: p.name)
    about["pdfs"] = [{"name": p.name, "year": int(PDF_NAME.match(p.name).group(1)), "bytes": p.stat().st_size}
                     for p in pdfs]
    return about


def size_words(n: int) -> str:
    """A file size as a reader says it: '412 KB', '1.3 MB'."""
    if n < 1000 * 1000:
        return f"{max(1, round(n / 1000))} KB"
    return f"{n / 1000 / 1000:.1f} MB"
