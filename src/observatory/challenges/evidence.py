"""Evidence files: checked by their content (not their name or the type the browser claims), kept
under the workspace in [challenges] evidence_folder (never under the web root, so no URL serves
them: an editor downloads one through the records' own route), named by a random token, readable
by the observatory's user only.

Accepted: PDF, PNG, JPEG and plain text, up to [challenges] max_upload_kb. Refused: anything that
runs or can carry something that runs: programs (Windows, Linux, macOS), scripts, web pages and
SVG images (which can hold scripts), archives and office files (which can hold macros), and PDFs
with JavaScript, launch actions or embedded files."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFoundError

KINDS = {  # kind -> (what people call it, extensions, media type)
    "pdf": ("a PDF", (".pdf",), "application/pdf"),
    "png": ("a PNG image", (".png",), "image/png"),
    "jpeg": ("a JPEG image", (".jpg", ".jpeg"), "image/jpeg"),
    "text": ("a text file", (".txt",), "text/plain; charset=utf-8"),
}
ACCEPTED = "a PDF, a PNG or JPEG image, or a plain text file (.txt)"
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe",
                    b"#!", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"Rar!", b"7z\xbc\xaf")
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}\.(pdf|png|jpg|txt)$")


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def kind_of(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def problem(upload: Upload, max_kb: int) -> str | None:
    """Why the file cannot be accepted (a sentence for the form), or None."""
    size = len(upload.data)
    if size > max_kb * 1024:
        return (f"The file is {size / 1024 / 1024:.1f} MB: the largest accepted is {max_kb / 1024:.1f} MB. "
                "Send a smaller file (a screenshot rather than a scan, for example).")
    if size == 0:
        return "The file is empty. Choose the file again, or leave this out."
    head = upload.data[:8]
    if head.startswith(EXECUTABLE_MAGIC):
        return f"The file is a program, script, archive or office file, which could run on an editor's computer. Send {ACCEPTED}."
    ext = Path(upload.name).suffix.lower()
    kind = kind_of(upload.data)
    if kind is None:
        if ext != ".txt":
            return f"The file is not {ACCEPTED}."
        try:
            text = upload.data.decode("utf-8")
        except UnicodeDecodeError:
            return "The text file is not plain UTF-8 text. Save it as plain text, or send a PDF or image."
        start = text.lstrip().lower()[:200]
        if "\0" in text or start.startswith(("<", "#!", "@echo", "powershell")) or "<script" in text.lower():
            return f"The text file holds a web page or a script, which could run on an editor's computer. Send {ACCEPTED}."
        kind = "text"
    if ext not in KINDS[kind][1]:
        return (f"The file's name ends {ext or 'with no extension'} but it is {KINDS[kind][0]}. Rename it to end "
                f"{KINDS[kind][1][0]} and try again.")
    if kind == "pdf" and PDF_ACTIVE.search(upload.data):
        return "The PDF holds scripts, actions or embedded files. Print it to a new PDF (or send a screenshot) and try again."
    return None


def store_file(upload: Upload, folder: Path) -> dict[str, object]:
    """Write a checked upload under `folder` (made private if new); its record fields."""
    kind = kind_of(upload.data) or "text"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_urlsafe(24)}{KINDS[kind][1][0] if kind != 'jpeg' else '.jpg'}"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(upload.data)
    safe_name = re.sub(r"[^\w .()-]", "_", Path(upload.name).name)[:200]
    return {"file": name, "name": safe_name, "type": KINDS[kind][2], "bytes": len(upload.data)}


def path_of(folder: Path, token: str) -> Path:
    """The stored file of a challenge (only names this module made are accepted)."""
    if not TOKEN.match(token or ""):
        raise NotFoundError("This challenge has no evidence file.")
    path = folder / token
    if not path.is_file():
        raise NotFoundError("The evidence file is no longer kept (it was erased, or the folder was moved).")
    return path


def remove(folder: Path, token: str) -> bool:
    if not TOKEN.match(token or ""):
        return False
    try:
        (folder / token).unlink()
        return True
    except FileNotFoundError:
        return False
