"""Challenges tests run on both engines with the records fixtures (SQLite and a throwaway
PostgreSQL cluster), over the web fixture store, whose one postcode is LS1 1AA (in output area
E00000001, Headingley ward, Leeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.records.conftest import (  # noqa: F401 - fixtures, used by name
    PASSWORD,
    people,
    pg_cluster,
    records,
    records_url,
    store_path,
    web,  # over this folder's `app`, which keeps evidence in a workspace folder
)

POSTCODE = "LS1 1AA"


@pytest.fixture
def evidence_root(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    return root


@pytest.fixture
def app(records, store_path: Path, evidence_root: Path):  # noqa: F811
    from observatory.web.app import create_app

    application = create_app(store_path)
    application.state.records_url = records.url
    application.state.evidence_root = evidence_root  # a workspace folder for the evidence files
    return application


GOOD = {"postcode": "ls1 1aa", "claimed": "full fibre", "type": "technology-not-available",
        "found": "The operator's checker says full fibre is not available here.",
        "evidence_text": "Checked on 3 March; screenshot kept.", "contact_name": "Ann Example",
        "contact_email": "ann@example.com", "contact_phone": "0113 496 0000", "consent": "yes"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def form_token(client) -> str:
    from tests.records.helpers import csrf_from

    return csrf_from(client.get("/challenges/report").text)


def send(client, fields: dict | None = None, file: tuple[str, bytes] | None = None, token: str | None = None,
         **changes):
    """Post the public form as a browser does (multipart, with the session's CSRF token)."""
    data = {**GOOD, **(fields or {}), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    data["csrf_token"] = token or form_token(client)
    files = {"evidence_file": (file[0], file[1], "application/octet-stream")} if file else \
        {"evidence_file": ("", b"", "application/octet-stream")}
    return client.post("/challenges/report", data=data, files=files)


def stored(db) -> int:
    """How many challenges the records database holds."""
    from observatory.challenges import models

    with db.session() as s:
        return models.count(s)
EMAIL_OF = GOOD["contact_email"]
