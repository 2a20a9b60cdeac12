"""Benchmark: exact point-in-polygon of N uniform random points over West Yorkshire output areas.

PolygonIndex (grid lookup + ray tests over the edges near a point) against
geopandas.sjoin(predicate="within") in the same run, on the same points. Both are timed from raw
lon/lat arrays to one int64 polygon index per point (-1 = none, lowest index where polygons
overlap); PolygonIndex's time includes building the index; each run gets fresh geometry objects
and both get a 10k-point warm-up. All PolygonIndex runs go first so the peak RSS printed after
them is its own (plus the point arrays), not geopandas'. Wall-clock ratios are the headline; the
process CPU-time ratio is printed beside them because it is far less disturbed by other load on a
shared machine (the 1-minute load average is printed at the start and the end).

``--points areas`` draws each point in the bounding box of a randomly chosen output area instead
of uniformly over the whole bbox: as many points per area, so dense urban areas (small polygons,
most edges per cell) get most points, as postcode or address points would. ``--points postcodes``
draws each point around a randomly chosen West Yorkshire postcode centroid (the bundled NSPL
extract), jittered uniformly by up to about 50 m each way: points where people live, as address
lists are.

``--baseline-src DIR`` also times the PolygonIndex of another source tree (``DIR/observatory``,
e.g. the last commit's, from ``git archive HEAD src | tar -x -C DIR/..``) in the same process, on
the same points, against the same geopandas run, and checks its assignments too.

    .venv/bin/python benchmarks/bench_assign.py --n 1000000 10000000
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from baselines import geopandas_assign

from observatory.geography.point_in_polygon import PolygonIndex

ROOT = Path(__file__).resolve().parents[1]
WY_OA = ROOT / "examples/west-yorkshire/data/boundaries/wy_oa2011.geojson.gz"
WY_POSTCODES = (
    ROOT / "examples/west-yorkshire/data/postcodes/wy_postcode_areas_latlon_nspl_may2025.csv.gz"
)
POSTCODE_JITTER_M = 50.0


def baseline_index(src: Path) -> type:
    """PolygonIndex from another source tree, imported under a name of its own."""
    pkg = src / "observatory" / "geography"
    spec = importlib.util.spec_from_file_location(
        "baseline_geography", pkg / "__init__.py", submodule_search_locations=[str(pkg)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_geography"] = module
    spec.loader.exec_module(module)
    return importlib.import_module("baseline_geography.point_in_polygon").PolygonIndex


def postcode_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n points around randomly chosen West Yorkshire postcode centroids, jittered by up to
    POSTCODE_JITTER_M metres east-west and north-south."""
    import pandas as pd

    pc = pd.read_csv(WY_POSTCODES, usecols=["lat", "lon", "in_west_yorkshire"])
    pc = pc[pc["in_west_yorkshire"].astype(str) == "True"]
    lat, lon = pc["lat"].to_numpy(), pc["lon"].to_numpy()
    k = rng.integers(0, len(lat), n)
    dlat = POSTCODE_JITTER_M / 111_320
    dlon = dlat / np.cos(np.radians(53.8))
    return lon[k] + rng.uniform(-dlon, dlon, n), lat[k] + rng.uniform(-dlat, dlat, n)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def load_polygons() -> np.ndarray:
    """Repair invalid output areas with make_valid and keep their polygonal parts."""
    raw = gpd.read_file(f"/vsigzip/{WY_OA}").geometry.values
    parts, idx = shapely.get_parts(shapely.make_valid(raw), return_index=True)
    sub, sub_idx = shapely.get_parts(parts, return_index=True)
    keep = shapely.get_type_id(sub) == 3
    return shapely.multipolygons(sub[keep], indices=idx[sub_idx][keep])


def fresh(geoms: np.ndarray) -> np.ndarray:
    """Bit-identical new geometry objects, so no run reuses another's prepared geometries."""
    return shapely.from_wkb(shapely.to_wkb(geoms))


def machine() -> str:
    with open("/proc/meminfo") as f:
        mem_gb = int(f.readline().split()[1]) / 1024**2
    return (
        f"{os.cpu_count()} cores, {mem_gb:.0f} GB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), geopandas {gpd.__version__}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--points", choices=["uniform", "areas", "postcodes"], default="uniform")
    ap.add_argument("--baseline-src", type=Path, default=None, help="src/ of a baseline tree")
    ap.add_argument(
        "--gpd-max-n",
        type=int,
        default=None,
        help="run geopandas on at most this many points and extrapolate linearly (default: all)",
    )
    args = ap.parse_args()

    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average (1, 5, 15 min) at start: {load()}")
    geoms = load_polygons()
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    rng = np.random.default_rng(args.seed)
    if args.points == "uniform":
        print(f"polygons: {len(geoms)} WY output areas (2011), points uniform over their bbox")
        pts = {n: (rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)) for n in args.n}
    elif args.points == "postcodes":
        print(f"polygons: {len(geoms)} WY output areas (2011), points around random postcodes")
        pts = {n: postcode_points(rng, n) for n in args.n}
    else:
        print(f"polygons: {len(geoms)} WY output areas (2011), points in random areas' bboxes")
        bb = shapely.bounds(geoms)
        pts = {}
        for n in args.n:
            k = rng.integers(0, len(geoms), n)
            pts[n] = (rng.uniform(bb[k, 0], bb[k, 2]), rng.uniform(bb[k, 1], bb[k, 3]))
    print(f"peak RSS after loading polygons and generating points: {peak_rss_mb():,.0f} MB")

    indexes = {"PolygonIndex": PolygonIndex}
    if args.baseline_src is not None:
        indexes["baseline"] = baseline_index(args.baseline_src.resolve())
    # Warm-up (imports, allocator, GEOS) on 10k points for all, on throwaway geometry copies.
    for cls in indexes.values():
        cls(fresh(geoms)).assign(*(a[:10_000] for a in pts[args.n[0]]))
    geopandas_assign(fresh(geoms), *(a[:10_000] for a in pts[args.n[0]]))

    runs = {
        (name, n): time_index(name, cls, geoms, *xy)
        for n, xy in pts.items()
        for name, cls in indexes.items()
    }

    print()
    for n, (x, y) in pts.items():
        m = n if args.gpd_max_n is None else min(n, args.gpd_max_n)
        g = fresh(geoms)
        c0 = time.process_time()
        t0 = time.perf_counter()
        ref = geopandas_assign(g, x[:m], y[:m])
        gpd_s = (time.perf_counter() - t0) * n / m
        gpd_cpu = (time.process_time() - c0) * n / m
        note = "" if m == n else f" (EXTRAPOLATED linearly from the first {m:,} points)"
        print(
            f"geopandas    N={n:>11,}: {gpd_s:.3f} s, {n / gpd_s:>12,.0f} points/s{note}; "
            f"peak RSS so far {peak_rss_mb():,.0f} MB"
        )
        for name in indexes:
            got, build_s, assign_s, cpu = runs[name, n]
            same = np.array_equal(got[:m], ref)
            print(
                f"  ratio {name}/geopandas throughput: {gpd_s / (build_s + assign_s):.1f}x incl. "
                f"build, {gpd_s / assign_s:.1f}x assign only; identical assignments on {m:,} "
                f"points: {'yes' if same else f'NO ({int((got[:m] != ref).sum())} differ)'}; "
                f"{(ref >= 0).mean():.1%} of points inside an area"
            )
            print(
                f"  process CPU time: {name} {cpu:.3f} s, geopandas {gpd_cpu:.3f} s, "
                f"ratio {gpd_cpu / cpu:.1f}x incl. build"
            )
            print(
                f"  RESULT {name} n={n} build={build_s:.4f} assign={assign_s:.4f} cpu={cpu:.4f} "
                f"gpd={gpd_s:.4f} gpd_cpu={gpd_cpu:.4f} identical={same}"
            )
    print(f"load average (1, 5, 15 min) at end: {load()}")


def time_index(name: str, cls: type, geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple:
    """(assignments, build s, assign s, process CPU s) of one index on fresh geometry objects."""
    g = fresh(geoms)
    c0 = time.process_time()
    t0 = time.perf_counter()
    index = cls(g)
    t1 = time.perf_counter()
    got = index.assign(x, y)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    n = len(x)
    print(
        f"{name:<12} N={n:>11,}: build {t1 - t0:.3f} s + assign {t2 - t1:.3f} s "
        f"= {t2 - t0:.3f} s, {n / (t2 - t0):>12,.0f} points/s "
        f"(assign only {n / (t2 - t1):,.0f}/s); grid {index.n_cells:,} cells, "
        f"{index.n_boundary_cells:,} boundary; peak RSS so far {peak_rss_mb():,.0f} MB"
    )
    return got, t1 - t0, t2 - t1, cpu


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
