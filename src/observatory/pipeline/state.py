"""What a build gathers before it writes the store, and the small helpers every step shares."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..geography.hierarchy import Hierarchy
from ..geography.membership import Layers
from ..sources.tabular import text_repeated
from ..store.schema import FACT_COLUMNS
from ..workspace import Workspace
from .cache import Cache


@dataclass
class Build:
    """Everything the build gathers before it writes the store."""

    ws: Workspace
    areas: list[pd.DataFrame] = field(default_factory=list)
    shapes: list[pd.DataFrame] = field(default_factory=list)
    links: pd.DataFrame | None = None
    facts: list[pd.DataFrame] = field(default_factory=list)
    releases: list[dict] = field(default_factory=list)
    findings: list[tuple[str, str, str, int]] = field(default_factory=list)
    layers: Layers | None = None
    hierarchy: Hierarchy | None = None
    completeness: pd.DataFrame | None = None
    parents: pd.DataFrame | None = None  # the area rows above districts, among `areas` (areas.py)
    local_names: pd.DataFrame | None = None  # code, local_name, local_name_kind (MSOAs)
    cache: Cache = field(default_factory=lambda: Cache(None))  # pipeline/cache.py; none by default
    keys: dict[str, str | None] = field(default_factory=dict)  # cache keys of the steps (areas.geography_keys)
    points: dict[str, tuple] = field(default_factory=dict)  # level -> representative points (lon, lat)
    jobs: dict[str, Future] = field(default_factory=dict)  # work running in the build's worker (ahead.py)

    def finding(self, kind: str, subject: str, detail: str, count: int) -> None:
        self.findings.append((kind, subject, detail, int(count)))

    def codes(self, level: str) -> pd.Series:
        """The codes of the areas of `level` gathered so far (e.g. the postcodes placed)."""
        found = [a.loc[a["level"] == level, "code"] for a in self.areas]
        return pd.concat(found, ignore_index=True) if found else pd.Series([], dtype=str)


def isin(values: pd.Series, allowed) -> np.ndarray:
    """Series.isin, via Arrow: pandas' own isin on Arrow-backed strings is ~10x slower here."""
    allowed = pa.array(list(allowed) if isinstance(allowed, set) else pd.Series(allowed).astype(str),
                       type=pa.string())
    return pc.is_in(pa.array(values.astype(str), type=pa.string()),
                    value_set=allowed).to_numpy(zero_copy_only=False)


def add_facts(b: Build, tidy: pd.DataFrame, release_id: str, release: str, level: str,
               synthetic: bool, method: str = "published") -> None:
    n, index = len(tidy), tidy.index
    b.facts.append(tidy.assign(
        release_id=text_repeated(release_id, n, index), release=text_repeated(release, n, index),
        level=text_repeated(level, n, index), method=text_repeated(method, n, index),
        suppressed=False, synthetic=synthetic)[FACT_COLUMNS])


