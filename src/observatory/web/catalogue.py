"""What the store holds: releases with their provenance, what can be downloaded, and search."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from ..levels import LEVELS
from ..store import Store
from .params import LEVEL_NAMES

RELEASE_FIELDS = (
    "release_id", "publisher", "title", "as_of", "published", "licence", "attribution", "origin",
    "vintage", "synthetic", "rows", "file", "files_used", "checksum",
)


def available(store: Store) -> list[dict[str, Any]]:
    """Every indicator x level with the months that hold it (what the download form offers)."""
    with store.cursor() as cur:
        rows = cur.execute(
            "SELECT indicator, level, list(DISTINCT release ORDER BY release) FROM facts "
            "GROUP BY indicator, level"
        ).fetchall()
    labels = {i["id"]: i["label"] for i in store.indicators()}
    out = [
        {
            "indicator": ind,
            "indicator_label": labels.get(ind, ind),
            "level": level,
            "level_label": LEVEL_NAMES.get(level, level),
            "releases": list(months),
        }
        for ind, level, months in rows
        if level in LEVELS
    ]
    return sorted(out, key=lambda r: (r["indicator"], LEVELS.index(r["level"])))


def sources(store: Store) -> dict[str, Any]:
    releases = [_release(r) for r in store.releases()]
    return {
        "releases": releases,
        "indicators": [
            {k: i[k] for k in ("id", "label", "unit", "definition", "citation", "finest_level")}
            for i in store.indicators()
        ],
        "available": available(store),
        "formats": ["csv", "geojson", "gpkg"],
        "built": store.meta(),
        "illustrative": any(r["synthetic"] for r in releases),
    }


def _release(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row.get(k) for k in RELEASE_FIELDS}
    # The file's name as its publisher named it; where it sat on the server is no one's business.
    if out["file"]:
        out["file"] = PurePath(out["file"]).name
    out["files_used"] = list(out["files_used"] or [])
    return out


def search(store: Store, text: str) -> dict[str, Any]:
    results = store.search(text) if text.strip() else []
    return {
        "query": text,
        "results": [dict(r, level_label=LEVEL_NAMES.get(r["level"], r["level"])) for r in results],
    }
