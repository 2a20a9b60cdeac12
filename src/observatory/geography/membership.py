"""Which areas sit in which: derived from geometry, recorded with the method used.

- Postcodes go to every boundary level by exact point-in-polygon of their centroid ('spatial').
- Small areas go to coarser levels by best fit: the area's representative point (a point
  guaranteed inside it, shapely's point_on_surface) in the coarser polygons ('best-fit'). ONS
  builds its own best-fit lookups the same way, from population-weighted centroids; ours uses the
  geometric point because the boundary files carry no population.
- Districts go to the combined authority and nations by lookup ('lookup').
Every link is stored child -> each ancestor, so a query never has to walk the tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from ..levels import NATIONS, UK, rank
from ..sources.boundaries import Boundaries
from ..sources.tabular import text_column, text_repeated
from .edge_grid import repeat_ranges
from .point_in_polygon import PolygonIndex

LINK_COLUMNS = ["child", "parent", "parent_level", "method", "weight"]


class Layers:
    """The boundary layers of a workspace, each with a point-in-polygon index built once."""

    def __init__(self, layers: dict[str, Boundaries]):
        self.layers = dict(sorted(layers.items(), key=lambda kv: rank(kv[0])))
        self._index: dict[str, PolygonIndex] = {}
        self._near: dict[str, _Near] = {}
        self._codes: dict[str, pa.Array] = {}

    def index(self, level: str) -> PolygonIndex:
        """The index of every area of the level."""
        if level not in self._index:
            self._index[level] = PolygonIndex(list(self.layers[level].geometry))
        return self._index[level]

    def positions(self, level: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The position in the layer of the `level` area containing each point (-1 in none)."""
        lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
        if level in self._index:
            return self._index[level].assign(lon, lat)
        near = self._near_index(level, lon, lat)
        if near is None:  # no point has coordinates
            return np.full(len(lon), -1, dtype=np.int64)
        hit = near.index.assign(lon, lat)
        found = hit >= 0
        hit[found] = near.ids[hit[found]]
        return hit

    def codes(self, level: str) -> pa.Array:
        """The layer's area codes, in its order, as Arrow strings (for links_at)."""
        if level not in self._codes:
            self._codes[level] = pa.array(list(self.layers[level].codes), type=pa.large_string())
        return self._codes[level]

    def _near_index(self, level: str, lon: np.ndarray, lat: np.ndarray) -> _Near | None:
        """An index of the areas that can hold any of the points: those whose bounding box meets
        the points' own. A region's small areas and postcodes are placed among the UK's 361
        districts this way without indexing the whole country (a fifth of a second of the build).
        The answer is the full index's: an area whose box misses every point holds none of them,
        and the areas kept are in their order, so where two overlap the lower still wins."""
        finite = np.isfinite(lon) & np.isfinite(lat)
        if not finite.any():
            return None
        box = (lon[finite].min(), lat[finite].min(), lon[finite].max(), lat[finite].max())
        near = self._near.get(level)
        if near is not None:
            if near.covers(box):
                return near
            box = near.joined(box)  # points elsewhere too: one index for both
        bounds = shapely.bounds(self.layers[level].geometry)
        ids = np.flatnonzero((bounds[:, 0] <= box[2]) & (bounds[:, 2] >= box[0])
                             & (bounds[:, 1] <= box[3]) & (bounds[:, 3] >= box[1]))
        self._near[level] = _Near(box, ids, PolygonIndex(list(self.layers[level].geometry[ids])))
        return self._near[level]

    def best_fit_links(self) -> pd.DataFrame:
        """Every small area to each coarser boundary level, by its representative point."""
        frames = []
        levels = list(self.layers)
        for i, level in enumerate(levels):
            layer = self.layers[level]
            points = shapely.point_on_surface(layer.geometry)
            lon, lat = shapely.get_x(points), shapely.get_y(points)
            children = self.codes(level)
            for parent_level in levels[i + 1:]:
                at = self.positions(parent_level, lon, lat)
                frames.append(links_at(children, self.codes(parent_level), at, parent_level, "best-fit"))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LINK_COLUMNS)

    def point_links(self, codes: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
        """Points (postcode centroids) to every boundary level, exactly."""
        children = pa.array(codes, type=pa.large_string())
        frames = [links_at(children, self.codes(level), self.positions(level, lon, lat), level)
                  for level in self.layers]
        return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class _Near:
    """An index of the areas (``ids``, in the layer's order) whose bounding boxes meet ``box``."""

    box: tuple[float, float, float, float]
    ids: np.ndarray
    index: PolygonIndex

    def covers(self, box: tuple[float, float, float, float]) -> bool:
        return (self.box[0] <= box[0] and self.box[1] <= box[1]
                and box[2] <= self.box[2] and box[3] <= self.box[3])

    def joined(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (min(self.box[0], box[0]), min(self.box[1], box[1]),
                max(self.box[2], box[2]), max(self.box[3], box[3]))


def links_at(children: pa.Array, parents: pa.Array, at: np.ndarray, parent_level: str,
             method: str | pa.Array = "spatial") -> pd.DataFrame:
    """Links from each child to ``parents[at[i]]``, in the children's order; none where at[i] < 0.
    ``method`` is one for all, or one per child. Codes go from Arrow to the frame as they are."""
    found = np.flatnonzero(at >= 0)
    return pd.DataFrame({
        "child": text_column(children.take(found)),
        "parent": text_column(parents.take(at[found])),
        "parent_level": text_repeated(parent_level, len(found)),
        "method": text_repeated(method, len(found)) if isinstance(method, str) else text_column(method.take(found)),
        "weight": 1.0,
    })


def district_links(districts: list[str], region_code: str | None, region_districts: tuple[str, ...]) -> pd.DataFrame:
    """Districts to their combined authority, nation and the UK; and those up to the UK."""
    rows = []
    region_nations = set()
    for code in districts:
        nation = NATIONS.get(code[:1])
        if code in region_districts and region_code:
            rows.append((code, region_code, "ca", "lookup", 1.0))
            if nation:
                region_nations.add(nation[0])
        if nation:
            rows.append((code, nation[0], "nation", "lookup", 1.0))
        rows.append((code, UK[0], "uk", "lookup", 1.0))
    for nation_code, _ in NATIONS.values():
        rows.append((nation_code, UK[0], "uk", "lookup", 1.0))
    if region_code:
        for n in region_nations:
            rows.append((region_code, n, "nation", "lookup", 1.0))
        rows.append((region_code, UK[0], "uk", "lookup", 1.0))
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def extend_upwards(links: pd.DataFrame, district_level_links: pd.DataFrame) -> pd.DataFrame:
    """Give every area linked to a district the district's own parents (ca, nation, uk): after the
    links, for each link to a district in their order, the district's links in theirs (the rows of
    an inner join of the two, in its order), found by position rather than by joining tables of codes."""
    to_lad = links[(links["parent_level"] == "lad").to_numpy()]
    up = district_level_links
    districts = pd.Index(up["child"].unique())
    key = districts.get_indexer(up["child"])
    wanted = districts.get_indexer(to_lad["parent"])
    order = np.argsort(key, kind="stable")  # each district's links together, in their order
    count = np.bincount(key, minlength=len(districts))
    first = np.cumsum(count) - count
    # for each new row, the link to a district it extends and which of the district's links it is
    owner, offset = repeat_ranges(np.where(wanted >= 0, count[wanted], 0))
    rows = order[first[wanted[owner]] + offset]
    added = pd.DataFrame({
        "child": text_column(pa.array(to_lad["child"], type=pa.large_string()).take(owner)),
        "parent": text_column(pa.array(up["parent"], type=pa.large_string()).take(rows)),
        "parent_level": text_column(pa.array(up["parent_level"], type=pa.large_string()).take(rows)),
        "method": text_repeated("lookup", len(rows)),
        "weight": up["weight"].to_numpy()[rows],
    })
    return pd.concat([links, added], ignore_index=True)
