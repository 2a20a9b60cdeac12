"""A workspace's metrics with everything they read: the definitions, the store (when built) and the
records database (when migrated). What cannot be opened becomes the reason its metrics have no
data, never an error; only a wrong metrics file is an error (ConfigError, exit 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import NotFoundError
from ..records.db import open_or_reason
from ..store import Store
from ..workspace.metrics import MetricsConfig
from ..workspace.programme import ProgrammeConfig
from .coverage_targets import standings
from .sources import values_of
from .status import by_priority, counts, evaluate, evaluate_all, matrix


@dataclass
class Board:
    config: MetricsConfig
    store: Any | None
    records: Any | None
    records_reason: str | None = None
    region: str | None = None
    districts: tuple[str, ...] = ()
    programme: ProgrammeConfig | None = None  # for the programme's records figure (its target's rules)

    def rows(self, today: date | None = None) -> list[dict[str, Any]]:
        return evaluate_all(self.config, self.store, self.records, today, records_reason=self.records_reason,
                            programme=self.programme)

    def one(self, metric_id: str, today: date | None = None) -> dict[str, Any]:
        m = self.config.get(metric_id)
        row = evaluate(m, values_of(m, self.store, self.records, self.records_reason, self.programme), today,
                       band=True)
        row["entered"] = m.source.kind == "entered"
        return row

    def summary(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"framework": {"label": self.config.framework.label,
                              "priorities": list(self.config.framework.priorities),
                              "cross_cutting": list(self.config.framework.cross_cutting),
                              "life_stages": list(self.config.framework.life_stages)},
                "counts": counts(rows), "groups": by_priority(self.config, rows),
                "matrix": matrix(self.config, rows), "illustrative": any(r["illustrative"] for r in rows)}

    def forecasts(self, today: date | None = None) -> list[dict[str, Any]]:
        """Every coverage target's standing for the region and each district (coverage_targets)."""
        codes = [c for c in (self.region, *self.districts) if c]
        return standings(self.store, self.config, codes, today)


def metrics_config(ws: Any) -> MetricsConfig:
    config = ws.metrics
    if config is None:
        raise NotFoundError(f"{ws.root / 'observatory.toml'}: this workspace defines no strategy metrics. Add "
                          '[metrics] file = "metrics.toml" and write the file (the README\'s "Strategy metrics" section shows '
                          "every table it may hold).")
    return config


def open_board(ws: Any, store: Any | None = None, records: Any | None = None) -> Board:
    """The metrics of workspace `ws`. A store or records database given is used as it is."""
    config = metrics_config(ws)
    if store is None and Path(ws.store_path).exists():
        store = Store(ws.store_path)
    reason = None
    if records is None:
        records, reason = open_or_reason(ws)
    return Board(config, store, records, reason, ws.region_code, tuple(ws.districts), ws.programme)
