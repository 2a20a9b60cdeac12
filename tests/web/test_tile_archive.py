"""Map tiles cut at build time (pipeline/tile_archive.py): the tiles a visitor gets from the
archive are the tiles the dashboard would cut for them, a rebuilt store brings archives of its
own, and a store without archives still has its tiles cut on request."""

from __future__ import annotations

import gzip
import math
import os
import shutil
import time
import warnings
from pathlib import Path

import mapbox_vector_tile
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory import pipeline, workspace
from observatory.pipeline.tile_archive import MAP_LEVELS, find_archive, folder_of, inputs_of
from observatory.store import Store
from observatory.web.app import create_app
from tests.conftest import copy_workspace

LEEDS = (-1.55, 53.8)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ tile numbers, from the Web Mercator definition (not the server's code)."""
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})


def plain(response) -> bytes:
    return response.content  # httpx undoes the gzip


def snapshot(client: TestClient):
    return client.app.state.watch.current


@pytest.fixture(scope="module")
def without_archives(built_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same store file in a folder of its own, with no archives beside it."""
    path = tmp_path_factory.mktemp("bare") / "observatory.duckdb"
    shutil.copyfile(built_store_path, path)
    return path


def test_the_build_writes_one_archive_per_level_named_by_its_vintage(built_store_path: Path):
    files = sorted(p.name for p in folder_of(built_store_path).glob("*.pmtiles"))
    with Store(built_store_path) as store:
        vintages = {r["level"]: r["vintage"] for r in store.rows(
            "SELECT level, any_value(vintage) AS vintage FROM areas GROUP BY level")}
    assert len(files) == len(MAP_LEVELS)
    for level in MAP_LEVELS:
        (name,) = [f for f in files if f.startswith(f"{level}-")]
        assert vintages[level].split()[-1] in name  # the boundaries' year


def test_a_tile_from_the_archive_equals_the_tile_cut_on_request(real_client, without_archives):
    with TestClient(create_app(without_archives), raise_server_exceptions=False) as cutting:
        served = snapshot(real_client).tiles
        cut = snapshot(cutting).tiles
        compared = 0
        for level in MAP_LEVELS:
            archive = served._archive(level)
            assert archive is not None and cut._archive(level) is None
            for z in range(archive.min_zoom, archive.max_zoom + 1):
                x, y = tile_of(*LEEDS, z)
                url = f"/api/v1/tiles/{level}/{z}/{x}/{y}.pbf"
                assert served.cached(level, z, x, y)[0], "in the archive: nothing to cut"
                assert not cut.cached(level, z, x, y)[0], "no archive: cut on request"
                a, b = real_client.get(url), cutting.get(url)
                assert a.status_code == b.status_code == 200, url
                assert decode(plain(a)) == decode(plain(b)), url
                assert a.headers["etag"] == b.headers["etag"]
                compared += 1
        assert compared >= 3 * len(MAP_LEVELS)


def test_every_tile_in_an_archive_is_the_cut_tile(store: Store, built_store_path: Path):
    from observatory.pipeline.map_tiles import Cutter, map_shapes

    region = store.region()
    archive = find_archive(built_store_path, "ward", inputs_of(store.meta()), region)
    cutter = Cutter(*map_shapes(store, "ward", region))
    assert archive.tiles
    for (z, x, y), gzipped in archive.tiles.items():
        assert gzip.decompress(gzipped) == cutter.cut(z, x, y)


def test_a_store_without_archives_still_serves_its_tiles(without_archives):
    x, y = tile_of(*LEEDS, 9)
    with TestClient(create_app(without_archives), raise_server_exceptions=False) as c:
        r = c.get(f"/api/v1/tiles/ward/9/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
        assert "Headingley & Hyde Park" in {f["properties"]["name"] for f in decode(r.content)["areas"]["features"]}
        assert c.get(f"/api/v1/tiles/ward/9/{x}/{y}.pbf", headers={"If-None-Match": r.headers["etag"],
                                                                   "Accept-Encoding": "gzip"}).status_code == 304


@pytest.mark.slow
def test_a_rebuilt_store_brings_its_own_archives(tmp_path: Path):
    root = copy_workspace(tmp_path / "ws")
    ws = workspace.load(root)
    store_path = pipeline.run(ws)
    x, y = tile_of(*LEEDS, 9)
    url = f"/api/v1/tiles/lsoa/9/{x}/{y}.pbf"
    with TestClient(create_app(store_path, check_every=0), raise_server_exceptions=False) as c:
        before = snapshot(c)
        old_inputs = inputs_of(before.store.meta())
        first = c.get(url)
        assert first.status_code == 200
        # the workspace's settings touched: a new fingerprint, so a new store and new archives
        settings = root / "observatory.toml"
        stat = settings.stat()
        os.utime(settings, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        pipeline.run(workspace.load(root))
        # a rebuilt store is opened and prepared in the background; an idle server's request waits
        # for it a moment (web/live.py IDLE_WAIT), and it is served as soon as it is ready
        deadline = time.monotonic() + 60
        while (after := snapshot(c)) is before and time.monotonic() < deadline:
            c.get("/api/v1/levels")
            time.sleep(0.2)
        again = c.get(url)
        assert after is not before
        new_inputs = inputs_of(after.store.meta())
        assert new_inputs != old_inputs
        for level in MAP_LEVELS:
            archive = after.tiles._archive(level)
            assert archive is not None and archive.metadata["inputs"] == new_inputs
            # the old store no longer finds an archive: its tiles would be cut
            assert find_archive(store_path, level, old_inputs, after.region) is None
        assert again.status_code == 200 and decode(plain(again)) == decode(plain(first))


@pytest.mark.browser
def test_the_map_draws_from_the_archive_without_cutting_a_tile(built_store_path: Path):
    from tests.browser import chromium, served

    app = create_app(built_store_path)
    with served(app) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/map?indicator=gigabit&level=oa")
        page.wait_for_selector("#map[data-checked=true]", state="attached", timeout=60_000)
        state = page.eval_on_selector("#map", "el => Object.assign({}, el.dataset)")
        with Store(built_store_path) as store:
            region = store.meta()["region_code"]
            expected = len(store.children(region, "oa"))
        assert "error" not in state
        assert int(state["features"]) == int(state["renderedFeatures"]) == expected
        tiles = app.state.watch.current.tiles
        assert tiles._cutters == {}, "every tile the map asked for came from the archive"
