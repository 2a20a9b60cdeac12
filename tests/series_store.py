"""A stand-in for the store's calls a forecast makes: hand-written series for one area (Leeds),
so a test can work out the expected trend by hand from the figures it wrote."""

from __future__ import annotations

from observatory.errors import NotFoundError


class FakeStore:
    def __init__(self, series: dict[str, dict[str, float]], labels: dict[str, str] | None = None) -> None:
        self._series = series
        self._labels = labels or {}

    def area(self, code: str) -> dict:
        if code != "E08000035":
            raise NotFoundError(f"No area with code '{code}'.")
        return {"code": code, "name": "Leeds", "level": "lad"}

    def indicator(self, indicator: str) -> dict:
        if indicator not in self._series:
            raise NotFoundError(f"Unknown indicator '{indicator}'.")
        label = self._labels.get(indicator, indicator.replace("_", " ").capitalize())
        return {"id": indicator, "label": label, "direction": "higher-is-better", "unit": "%"}

    def series(self, code: str, indicator: str) -> list[dict]:
        return [{"release": m, "value": v, "release_id": f"release-{m}", "synthetic": False}
                for m, v in self._series[indicator].items()]
