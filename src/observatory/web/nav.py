"""The service navigation, in order. Each page family adds its entry here (path, label)."""

from __future__ import annotations

NAV: list[tuple[str, str]] = [
    ("/", "Overview"),
    ("/map", "Map"),
    ("/changes", "What changed"),
    ("/search", "Search"),
    ("/inclusion", "Where to act"),
    ("/sources", "Data and sources"),
    ("/actions", "Board actions"),
    ("/shared-care-record", "Shared Care Record"),
    ("/programme", "Full Fibre programme"),
    ("/metrics", "Strategy metrics"),
    ("/report", "Annual update"),
    ("/api/v1/docs", "API"),
]
