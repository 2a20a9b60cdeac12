"""The map's tiles cut at build time: one PMTiles archive per level and boundary vintage, beside
the store (WORKSPACE/build/observatory-tiles/oa-oa-2021.pmtiles), so no visitor waits for a tile
to be cut.

PMTiles (github.com/protomaps/PMTiles, specification version 3) is a single-file tile format: a
header, a directory from tile number to bytes, and the tiles, here gzipped Mapbox Vector Tiles.
Each archive holds every tile of its level with an area in it from the zoom the map opens out to
(map_tiles.MIN_ZOOM) to the zoom past which the level's simplified shapes gain no detail
(map_tiles.max_zoom); the dashboard's tile route reads tiles out of it (web/tiles.py).

An archive is written after the store (run() in __init__.py), from the store just written, by the
same cutter the dashboard uses, so a tile read from it is the tile the dashboard would cut. It
records the fingerprint of the workspace files the store was built from (kept by a refresh of
derived figures, which changes no shape: derived.py) and the region: the dashboard serves an
archive only with a store built from the same files, and cuts on request otherwise (a store built
before archives, or swapped in before its archives were written). Each is written to a temporary file and renamed into place, as the
store is: a dashboard that has read the old archive keeps it; one opening it sees a whole file.
Cut tiles are kept in the build cache (cache.py) under a key of the level's shapes, names and
region, so a build whose boundaries are unchanged writes its archives without cutting them again.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from concurrent.futures import Future
from pathlib import Path

import pyarrow as pa
import shapely
from pmtiles.reader import MemorySource, Reader, all_tiles
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from ..errors import StoreError
from ..store import Store
from . import cache as build_cache
from .ahead import Ahead, take
from .map_tiles import MIN_ZOOM, Cutter, layer_shapes, map_shapes, max_zoom
from .state import Build

FORMAT = 1  # bump when what an archive holds changes
MAP_LEVELS = ("lad", "ward", "msoa", "lsoa", "oa")
SUFFIX = ".pmtiles"


def folder_of(store_path: Path) -> Path:
    return store_path.with_name(f"{store_path.stem}-tiles")


def write_archives(store_path: Path, cache: build_cache.Cache | None = None,
                   cutting: dict[str, Future[list[tuple[int, bytes]]]] | None = None) -> Path:
    """Cut the map's tiles of the store at `store_path` into one archive per level; returns the
    store's path. Tiles the build's worker is cutting already (`cutting`, by key: cut_ahead) are
    taken from it. An archive that cannot be written costs only time: the dashboard cuts tiles on
    request where it finds none."""
    folder = folder_of(store_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        store = _open_exactly(store_path)
    except (OSError, StoreError):
        return store_path
    try:
        inputs = inputs_of(store.meta())
        region = store.region()
        for level in MAP_LEVELS:
            codes, names, geoms = map_shapes(store, level, region)
            if not codes:
                continue
            try:
                tiles = _cut(level, codes, names, geoms, region, cache, cutting or {})
            except shapely.errors.GEOSException:
                continue  # shapes the geometry library cannot cut: the dashboard tries on request
            _write(folder, level, _vintage(store, level), tiles, {"inputs": inputs, "region": region})
    finally:
        store.close()
    return store_path


def cut_ahead(b: Build, ahead: Ahead) -> dict[str, Future[list[tuple[int, bytes]]]]:
    """Start cutting, in the build's worker, the tiles of each level the build cache does not hold,
    from the build's shapes as the store will hold them once written (map_shapes); by key, for
    write_archives. Shapes that turn out otherwise in the store only miss: their tiles are cut then."""
    region = b.ws.region_code
    links = b.links
    in_region = set(links.loc[links["parent"] == region, "child"]) if links is not None else set()
    jobs = {}
    for frame in b.shapes:
        level = str(frame["level"].iloc[0]) if len(frame) else ""
        if level not in MAP_LEVELS or level not in b.layers.layers:
            continue
        layer = b.layers.layers[level]
        shapes = sorted(zip(frame["code"], frame["geometry"], strict=True))
        codes, names, geoms = layer_shapes(shapes, in_region & set(layer.codes),
                                           dict(zip(layer.codes, layer.names, strict=True)))
        wkb = shapely.to_wkb(geoms)
        key = _key(level, codes, names, wkb, region)
        if codes and not (b.cache.folder and b.cache.has(_slot(level), key)):
            job = ahead.submit(cut_tiles, level, codes, names, wkb)
            if job is not None:
                jobs[key] = job
    return jobs


def inputs_of(meta: dict[str, str]) -> str:
    """What a store was built from: the fingerprint of its workspace's files, which a refresh of
    derived figures keeps as `inputs` when it gives the store a new fingerprint (derived.py)."""
    return meta.get("inputs") or meta.get("fingerprint") or ""


def _open_exactly(store_path: Path) -> Store:
    """The store now at the path. DuckDB hands a second connection to a path this process already
    has open the database it opened first (a test holding the previous store, say), so the new
    file is opened through a hard link of its own, removed at once (as web/live.py does)."""
    link = store_path.with_name(f".{store_path.name}.tiles-{os.getpid()}")
    try:
        link.unlink(missing_ok=True)
        os.link(store_path, link)
    except OSError:
        return Store(store_path)
    try:
        return Store(link)
    finally:
        link.unlink(missing_ok=True)


def _vintage(store: Store, level: str) -> str:
    rows = store.rows("SELECT vintage, count(*) AS n FROM areas WHERE level = ? GROUP BY vintage "
                      "ORDER BY n DESC LIMIT 1", [level])
    return str(rows[0]["vintage"] or level) if rows else level


def _key(level: str, codes, names, wkb, region: str | None) -> str:
    """The tiles' cache key: the level's areas, names and shapes (WKB), the region and the zooms."""
    zooms = _zooms(level)
    h = hashlib.sha256()
    for part in (codes, [n or "" for n in names]):
        h.update("\x1f".join(part).encode())
    for shape in wkb:
        h.update(shape)
    return build_cache.key("map-tiles", FORMAT, level, region, zooms.start, zooms.stop, h.hexdigest())


def _slot(level: str) -> str:
    return f"map-tiles-{level}"


def _zooms(level: str) -> range:
    return range(MIN_ZOOM, max_zoom(level) + 1)


def _cut(level: str, codes, names, geoms, region: str | None, cache: build_cache.Cache | None,
         cutting: dict[str, Future[list[tuple[int, bytes]]]]) -> list[tuple[int, bytes]]:
    """(tile number, gzipped tile) of every tile of the level with an area, in tile-number order:
    from the build cache, from the build's worker, or cut here."""
    wkb = shapely.to_wkb(geoms)
    key = _key(level, codes, names, wkb, region)
    hit = cache.load(_slot(level), key) if cache is not None else None
    if hit is not None:
        frame = hit[1]["tiles"]
        return list(zip(frame["tile"].tolist(), frame["data"].tolist(), strict=True))
    tiles = take(cutting.get(key), lambda: cut_tiles(level, codes, names, wkb))
    if cache is not None:
        table = pa.table({"tile": pa.array([t for t, _ in tiles], pa.uint64()),
                          "data": pa.array([d for _, d in tiles], pa.binary())})
        cache.save(_slot(level), key, {}, {"tiles": table})
    return tiles


def cut_tiles(level: str, codes, names, wkb) -> list[tuple[int, bytes]]:
    """Every tile of the level with an area in it, gzipped, in tile-number order, from the areas'
    shapes as WKB (what the build's worker is sent: quicker to pickle than shapes)."""
    return sorted((zxy_to_tileid(z, x, y), gzip.compress(body, compresslevel=6, mtime=0))
                  for z, x, y, body in Cutter(codes, names, shapely.from_wkb(wkb)).tiles(_zooms(level)))


def _write(folder: Path, level: str, vintage: str, tiles: list[tuple[int, bytes]], stamp: dict) -> None:
    """The level's archive, written to a temporary file and renamed over the old one; archives of
    the level's other vintages go."""
    name = f"{level}-{_slug(vintage)}{SUFFIX}"
    metadata = {"name": f"{level} ({vintage})", "level": level, "vintage": vintage, "format": FORMAT,
                "minzoom": MIN_ZOOM, "maxzoom": max_zoom(level), **stamp,
                "vector_layers": [{"id": "areas", "fields": {"code": "String", "name": "String"}}]}
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            writer = Writer(f)
            for tile_id, data in tiles:
                writer.write_tile(tile_id, data)
            writer.finalize({"tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
                             "min_zoom": MIN_ZOOM, "max_zoom": max_zoom(level), "center_zoom": MIN_ZOOM},
                            metadata)
        os.chmod(tmp, 0o644)  # readable as the store is (a temporary file is its owner's alone)
        os.replace(tmp, folder / name)  # atomic: a reader sees the old archive or the new
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return
    for old in folder.glob(f"{level}-*{SUFFIX}"):
        if old.name != name:
            old.unlink(missing_ok=True)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "areas"


class Archive:
    """One level's archive, read whole into memory (a few megabytes at most): (z, x, y) -> the
    gzipped tile. Read once, it no longer depends on the file, which a rebuild may replace."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        reader = Reader(MemorySource(data))
        self.metadata = reader.metadata()
        self.min_zoom = int(self.metadata["minzoom"])
        self.max_zoom = int(self.metadata["maxzoom"])
        self.tiles = {zxy: bytes(tile) for zxy, tile in all_tiles(MemorySource(data))}

    def covers(self, z: int) -> bool:
        return self.min_zoom <= z <= self.max_zoom

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The gzipped tile, or None where the level has no area (at a zoom it covers)."""
        return self.tiles.get((z, x, y))


def find_archive(store_path: Path, level: str, inputs: str | None, region: str | None) -> Archive | None:
    """The level's archive cut from a store built from these inputs (inputs_of), for this region,
    if there is one."""
    if not inputs:
        return None
    for path in folder_of(Path(store_path)).glob(f"{level}-*{SUFFIX}"):
        try:
            archive = Archive(path)
        except Exception:  # truncated, another version (pmtiles raises its own errors): cut on request
            continue
        m = archive.metadata
        if (m.get("format") == FORMAT and m.get("level") == level and m.get("inputs") == inputs
                and m.get("region") == region):
            return archive
    return None
