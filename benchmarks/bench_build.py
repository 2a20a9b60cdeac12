"""Benchmark: cold and warm builds of the bundled workspace, and the national-scale postcode path.

1. Cold build, each with an empty build cache (OBSERVATORY_BUILD_CACHE pointed at a new folder);
   then warm builds (the last cold run's cache, a new store: every cached step hits) and unchanged
   builds (the same store again: its fingerprint matches, so nothing is built). `pipeline.run(workspace.load(None), progress=..., out=<temp file>)` in a fresh Python
   subprocess per run, so imports count; the store goes to a temporary directory, never into
   examples/west-yorkshire/build. Wall time is measured by this process around the subprocess;
   per-step times come from a progress callback that timestamps each name in `pipeline.STEPS`
   (and the map tiles, cut after the store is written, apart). Then `observatory build` from the
   shell on a workspace whose store is current (the whole command, start-up included).
   If the workspace's synthetic small-area ZIP is missing, a temporary copy of the workspace
   without that source is built instead, and the output says so.
2. National scale. 1.7M synthetic postcodes inside the real 361 UK district polygons (recipe in
   benchmarks/national_synthetic.py, seed 1700000; generating them is setup, timed separately).
   Then the observatory's own path, timed: the PolygonIndex behind `Layers.point_links` (exact
   assignment of every centroid to a district), `district_links` + `extend_upwards` (the
   membership rows the build stores), and `roll_up` postcodes -> districts -> nations and the UK.
   Checks: every point lands in the district it was drawn in (exceptions counted and explained),
   and the UK's rolled-up numerator and denominator equal the sums over all postcodes.
   Baseline in the same run: geopandas.sjoin(predicate="within") for the assignment step (on a
   subsample when --gpd-n is below N; its time is then extrapolated linearly, and labelled so).

Writes nothing into the repository unless --write-results is given, which replaces the
`## bench_build` section of benchmarks/RESULTS.md (other sections are left as they are).

    .venv/bin/python benchmarks/bench_build.py                  # print figures
    .venv/bin/python benchmarks/bench_build.py --write-results  # and record them
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # importing the helper below must not leave __pycache__ in the repo

import duckdb  # noqa: E402
import geopandas as gpd  # noqa: E402
import national_synthetic as ns  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402
from baselines import geopandas_assign  # noqa: E402

from observatory import pipeline  # noqa: E402
from observatory.geography.membership import Layers, district_links, extend_upwards  # noqa: E402
from observatory.geography.point_in_polygon import PolygonIndex  # noqa: E402
from observatory.indicators.rollup import roll_up  # noqa: E402
from observatory.levels import NATIONS, UK  # noqa: E402
from observatory.workspace import BUNDLED  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks/RESULTS.md"
SECTION = "bench_build"
SMALL_AREA_ZIP = BUNDLED / "data/coverage/202507_fixed_broadband_coverage_r01_SYNTHETIC.zip"
BUILD_GOAL_S = 5.0
UNCHANGED_GOAL_S = 1.0
# pipeline.STEPS, and the map tiles cut after the store is written (timed apart where the code cuts them)
STEPS = (*pipeline.STEPS, "Writing map tiles")
NATIONAL_GOAL_S = 60.0

# Runs in a fresh interpreter: argv = workspace path ('' = the bundled default) and the store path.
CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from observatory import pipeline, workspace
t_import = time.perf_counter() - t0
marks = []
def progress(name):
    marks.append((name, time.perf_counter()))
ws = workspace.load(sys.argv[1] or None)
out = Path(sys.argv[2])
# the map tiles cut after the store is written, timed as a step of their own where the code cuts
# them (not when the store is current: importing the tile cutter here would count against that)
if pipeline._fingerprint_of(out) != pipeline.fingerprint(ws):
    try:
        from observatory.pipeline import tile_archive
        _write_archives = tile_archive.write_archives
        def _timed_archives(*args, **kwargs):
            progress("Writing map tiles")
            return _write_archives(*args, **kwargs)
        tile_archive.write_archives = _timed_archives
    except ImportError:
        pass
t_load = time.perf_counter()
pipeline.run(ws, progress=progress, out=out)
t_end = time.perf_counter()
if not marks:  # the store was already built from these files: nothing to do
    marks = [(name, t_end) for name in pipeline.STEPS]
ends = [m[1] for m in marks[1:]] + [t_end]
print("BENCH " + json.dumps({
    "import_s": t_import, "load_s": marks[0][1] - t_load if marks else None, "in_process_s": t_end - t0,
    "steps": {name: end - start for (name, start), end in zip(marks, ends)},
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def machine() -> dict[str, str]:
    with open("/proc/meminfo") as f:
        mem_gb = int(f.readline().split()[1]) / 1024**2
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": f"{nproc} cores (nproc), {platform.processor() or platform.machine()}",
        "memory": f"{mem_gb:.1f} GB",
        "uname -m": platform.machine(),
        "python": platform.python_version(),
        "libraries": (
            f"numpy {np.__version__}, pandas {pd.__version__}, shapely {shapely.__version__} "
            f"(GEOS {shapely.geos_version_string}), geopandas {gpd.__version__}, pyogrio {pyogrio.__version__} "
            f"(GDAL {pyogrio.__gdal_version_string__}), duckdb {duckdb.__version__}"
        ),
    }


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" (working tree has uncommitted changes)" if dirty else "")


# -- 1. cold build -------------------------------------------------------------------------------
def workspace_without_small_areas(tmp: Path) -> Path:
    """A copy of the bundled workspace whose observatory.toml drops the small-area ZIP source."""
    text = (BUNDLED / "observatory.toml").read_text(encoding="utf-8")
    head, *blocks = re.split(r"(?m)^(?=\[\[sources\]\])", text)
    kept = [b for b in blocks if 'kind = "ofcom-small-area-zip"' not in b]
    ws = tmp / "workspace"
    ws.mkdir()
    (ws / "observatory.toml").write_text(head + "".join(kept), encoding="utf-8")
    (ws / "data").symlink_to(BUNDLED / "data", target_is_directory=True)
    return ws


def bench_build(runs: int, out: list[str], rec: dict, warm_runs: int = 3, workspace: str = "",
                baseline_src: str = "") -> None:
    say = _printer(out)
    say(f"== 1. Cold build of the bundled workspace ({BUNDLED.relative_to(ROOT)}), {runs} runs, "
        "each in a fresh subprocess with an empty build cache; then warm builds ==")
    with tempfile.TemporaryDirectory(prefix="bench_build_") as tmpdir:
        tmp = Path(tmpdir)
        if workspace:
            ws_arg, variant = str(Path(workspace).resolve()), f"workspace {workspace}"
        elif SMALL_AREA_ZIP.exists():
            st = SMALL_AREA_ZIP.stat()
            ws_arg, variant = "", "full workspace"
            say(f"small-area ZIP present: {SMALL_AREA_ZIP.name} ({st.st_size:,} bytes, modified "
                f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(st.st_mtime))})")
        else:
            ws_arg = str(workspace_without_small_areas(tmp))
            variant = "WITHOUT the small-area ZIP source"
            say(f"NOTE: {SMALL_AREA_ZIP.relative_to(ROOT)} is not there yet (another engineer is "
                "generating it): benchmarking a temporary copy of the workspace whose observatory.toml "
                "drops that source. Rerun once the ZIP exists.")
        rec["build_variant"] = variant
        results, baseline = [], []
        for i in range(runs):
            if baseline_src:
                # the baseline's code (e.g. `git archive` of the commit before) on the same workspace,
                # run alternately with ours so that both see the same load
                b = _child(ws_arg, tmp / f"base{i}" / "observatory.duckdb", tmp / f"base-cache{i}", tmp,
                           pythonpath=baseline_src)
                baseline.append(b)
                say(f"baseline run {i + 1} ({baseline_src}): {b['wall_s']:6.2f} s wall, {b['cpu_s']:6.2f} s CPU "
                    f"(imports {b['import_s']:.2f} s)")
            # cold: a build cache of its own, empty (pipeline/cache.py; OBSERVATORY_BUILD_CACHE)
            r = _child(ws_arg, tmp / f"run{i}" / "observatory.duckdb", tmp / f"cache{i}", tmp)
            results.append(r)
            say(f"run {i + 1}: {r['wall_s']:6.2f} s wall, {r['cpu_s']:6.2f} s CPU (imports {r['import_s']:.2f} s), peak RSS "
                f"{r['maxrss_mb']:,.0f} MB; store {r['store_mb']:.1f} MB, {r['facts']:,} facts, "
                f"{r['areas']:,} areas")
        # warm: the last cold run's cache, a new store each time (every step read from the cache,
        # then roll-ups and writing); unchanged: the same store again (its fingerprint matches)
        warm, unchanged = [], []
        for i in range(warm_runs):
            r = _child(ws_arg, tmp / f"warm{i}" / "observatory.duckdb", tmp / f"cache{runs - 1}", tmp)
            warm.append(r)
            say(f"warm run {i + 1} (every cached step hits, store written anew): {r['wall_s']:6.2f} s wall, "
                f"{r['cpu_s']:.2f} s CPU "
                f"(imports {r['import_s']:.2f} s)")
        for i in range(warm_runs):
            r = _child(ws_arg, tmp / f"run{runs - 1}" / "observatory.duckdb", tmp / f"cache{runs - 1}", tmp)
            unchanged.append(r)
            say(f"unchanged run {i + 1} (store already current): {r['wall_s']:6.2f} s wall "
                f"(imports {r['import_s']:.2f} s, in process {r['in_process_s']:.2f} s)")
    if baseline:
        walls = [r["wall_s"] for r in baseline]
        rec["baseline"] = {"src": baseline_src, "min": min(walls), "median": statistics.median(walls),
                           "walls": walls, "steps": {k: statistics.median(r["steps"].get(k, float("nan"))
                                                                          for r in baseline) for k in STEPS}}
    for name, rs in (("warm", warm), ("unchanged", unchanged)):
        if rs:
            walls = [r["wall_s"] for r in rs]
            rec[name] = {"min": min(walls), "median": statistics.median(walls), "walls": walls,
                         "in_process": statistics.median(r["in_process_s"] for r in rs),
                         "import": statistics.median(r["import_s"] for r in rs),
                         "steps": {k: statistics.median(r["steps"].get(k, float("nan")) for r in rs)
                                   for k in STEPS}}
    walls = [r["wall_s"] for r in results]
    steps = {name: [r["steps"].get(name, float("nan")) for r in results] for name in STEPS}
    rec["build"] = {
        "min": min(walls), "median": statistics.median(walls), "walls": walls,
        "import": statistics.median(r["import_s"] for r in results),
        "startup": statistics.median(r["wall_s"] - r["in_process_s"] for r in results),
        "steps": {k: (statistics.median(v), min(v), max(v)) for k, v in steps.items()},
        "rss": max(r["maxrss_mb"] for r in results),
        "facts": results[-1]["facts"], "areas": results[-1]["areas"],
    }
    b = rec["build"]
    verdict = "MET" if b["median"] < BUILD_GOAL_S else "NOT MET"
    say(f"cold build ({variant}): min {b['min']:.2f} s, median {b['median']:.2f} s over {runs} runs "
        f"(goal < {BUILD_GOAL_S:.0f} s: {verdict})")
    say(f"  {'interpreter start + imports':<34} {b['import'] + b['startup']:6.2f} s  "
        f"(imports {b['import']:.2f} s)")
    for name, (med, lo, hi) in b["steps"].items():
        say(f"  {name:<34} {med:6.2f} s  (min {lo:.2f}, max {hi:.2f})")
    say("  (the OS page cache is warm after the first run; 'cold' means a fresh interpreter and an "
        "empty build cache)")
    if "baseline" in rec:
        w = rec["baseline"]
        say(f"baseline cold build ({w['src']}): min {w['min']:.2f} s, median {w['median']:.2f} s wall")
        for step, med in w["steps"].items():
            say(f"  {step:<34} {med:6.2f} s")
    for name, label in (("warm", "warm build (cache full, new store)"), ("unchanged", "nothing changed")):
        if name in rec:
            w = rec[name]
            say(f"{label}: min {w['min']:.2f} s, median {w['median']:.2f} s wall "
                f"(in process {w['in_process']:.2f} s, imports {w['import']:.2f} s)")
            if name == "warm":
                for step, med in w["steps"].items():
                    say(f"  {step:<34} {med:6.2f} s")


def bench_cli_unchanged(runs: int, out: list[str], rec: dict, workspace: str = "") -> None:
    """`observatory build WORKSPACE` from the shell on a workspace whose store is current: a copy
    of the workspace's settings beside links to its data folders, built once through the command
    line (not timed), then timed `runs` times, each a fresh process as a user's shell starts it."""
    say = _printer(out)
    source = Path(workspace).resolve() if workspace else BUNDLED
    command = Path(sys.executable).parent / "observatory"
    with tempfile.TemporaryDirectory(prefix="bench_build_cli_") as tmpdir:
        ws = Path(tmpdir) / "workspace"
        ws.mkdir()
        for item in source.iterdir():
            if item.name == "build" or item.name.startswith("records.sqlite"):
                continue
            if item.is_dir():
                (ws / item.name).symlink_to(item, target_is_directory=True)
            else:
                (ws / item.name).write_bytes(item.read_bytes())
        env = {**os.environ, "OBSERVATORY_BUILD_CACHE": str(Path(tmpdir) / "cache")}
        subprocess.run([str(command), "build", str(ws)], check=True, capture_output=True, env=env)
        walls = []
        for i in range(runs):
            t0 = time.perf_counter()
            proc = subprocess.run([str(command), "build", str(ws)], capture_output=True, text=True, env=env)
            walls.append(time.perf_counter() - t0)
            kept = "Nothing has changed" in proc.stdout
            say(f"`observatory build` unchanged, run {i + 1}: {walls[-1]:5.2f} s wall"
                f"{'' if kept else ' (NOT reported unchanged: ' + proc.stdout.strip()[:200] + ')'}")
    rec["cli_unchanged"] = {"min": min(walls), "median": statistics.median(walls), "walls": walls}
    verdict = "MET" if statistics.median(walls) < UNCHANGED_GOAL_S else "NOT MET"
    say(f"`observatory build` from the shell, nothing changed: min {min(walls):.2f} s, median "
        f"{statistics.median(walls):.2f} s (goal < {UNCHANGED_GOAL_S:.0f} s: {verdict})")


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children: on a shared machine the
    steadier measure beside wall time (which waits for other people's work)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _child(ws_arg: str, store: Path, cache: Path, cwd: Path, pythonpath: str = "") -> dict:
    cmd = [sys.executable, "-c", CHILD, ws_arg, str(store)]
    env = {**os.environ, "OBSERVATORY_BUILD_CACHE": str(cache)}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    t0, cpu0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"build into {store} failed:\n{proc.stderr[-4000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("BENCH "))
    r = json.loads(line[len("BENCH "):]) | {"wall_s": wall, "cpu_s": cpu}
    con = duckdb.connect(str(store), read_only=True)
    r["facts"] = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    r["areas"] = con.execute("SELECT count(*) FROM areas").fetchone()[0]
    con.close()
    r["store_mb"] = store.stat().st_size / 1e6
    return r


# -- 2. national scale ---------------------------------------------------------------------------
def bench_national(n: int, seed: int, gpd_n: int, out: list[str], rec: dict) -> None:
    say = _printer(out)
    say("")
    say(f"== 2. National scale: {n:,} synthetic postcodes in the 361 UK districts (seed {seed}) ==")
    t0 = time.perf_counter()
    districts = ns.read_districts()
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    pcs = ns.generate(n, seed, districts)
    t_gen = time.perf_counter() - t0
    codes = districts.codes
    say(f"setup: read_boundaries (UK LAD 2025, {len(codes)} districts, {districts.repaired} repaired "
        f"with make_valid) {t_read:.2f} s")
    say(f"setup: generate points + counts {t_gen:.2f} s ({pcs.candidates:,} rejection-sampling candidates "
        f"tested in {pcs.rounds} round(s), {n / pcs.candidates:.0%} accepted); "
        f"{pcs.premises.sum():,} premises, {pcs.gigabit.sum():,} gigabit; data fingerprint {ns.fingerprint(pcs)}")
    rss_setup = peak_rss_mb()

    # The observatory's path, timed step by step.
    t = {}
    t0 = time.perf_counter()
    layers = Layers({"lad": districts})
    layers.index("lad")  # the PolygonIndex, built once per layer (point_links would build it lazily)
    t["PolygonIndex build (Layers.index)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    links = layers.point_links(pcs.codes, pcs.lon, pcs.lat)
    t["assign + link rows (Layers.point_links)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    upper = district_links(list(codes), None, ())
    membership = extend_upwards(links, upper)
    t["district_links + extend_upwards"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    facts = pd.DataFrame({
        "area_code": pcs.codes, "release": "2025-07", "indicator": "gigabit",
        "numerator": pcs.gigabit.astype(np.float64), "denominator": pcs.premises.astype(np.float64),
        "synthetic": True,
    })
    lad = roll_up(facts, links)
    t["roll_up postcodes -> districts"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    top = roll_up(lad, upper)
    t["roll_up districts -> nations, UK"] = time.perf_counter() - t0
    total = sum(t.values())
    rss_ours = peak_rss_mb()

    # Checks (not timed).
    child = pd.Index(pcs.codes).get_indexer(links["child"])
    got = np.full(n, -1, dtype=np.int64)
    got[child] = pd.Index(codes).get_indexer(links["parent"])
    unassigned = np.flatnonzero(got < 0)
    wrong = np.flatnonzero((got >= 0) & (got != pcs.district))
    geoms = districts.geometry
    # A point drawn in district d but assigned to a lower-index district e lies in both interiors
    # (an overlap of the generalised, repaired polygons); an unassigned one lies on no interior.
    in_both = shapely.contains_xy(geoms[got[wrong]], pcs.lon[wrong], pcs.lat[wrong]) & \
        shapely.contains_xy(geoms[pcs.district[wrong]], pcs.lon[wrong], pcs.lat[wrong])
    overlap_lower = int((in_both & (got[wrong] < pcs.district[wrong])).sum())
    on_boundary = int(shapely.intersects_xy(shapely.boundary(geoms[pcs.district[unassigned]]),
                                            pcs.lon[unassigned], pcs.lat[unassigned]).sum()) if len(unassigned) else 0
    uk = top[top["area_code"] == UK[0]].iloc[0]
    uk_ok = uk["numerator"] == pcs.gigabit.sum() and uk["denominator"] == pcs.premises.sum()
    nation_of = np.array([NATIONS[c[0]][0] for c in codes])
    nat_expect = pd.DataFrame({"n": nation_of[pcs.district], "num": pcs.gigabit}).groupby("n")["num"].sum()
    nat_got = top[top["level"] == "nation"].set_index("area_code")["numerator"]
    nations_ok = bool((nat_got.reindex(nat_expect.index) == nat_expect).all())
    lad_expect = np.bincount(pcs.district, weights=pcs.gigabit, minlength=len(codes))
    lad_got = lad.set_index("area_code")["numerator"].reindex(codes).fillna(0).to_numpy()
    lad_diff = int((lad_got != lad_expect).sum())
    say(f"observatory path (goal < {NATIONAL_GOAL_S:.0f} s: {'MET' if total < NATIONAL_GOAL_S else 'NOT MET'}):")
    for name, s in t.items():
        say(f"  {name:<42} {s:6.2f} s")
    say(f"  {'total':<42} {total:6.2f} s  ({n / total:,.0f} postcodes/s end to end)")
    say(f"  rows: {len(links):,} postcode->district links, {len(membership):,} membership rows "
        f"(postcode->district/nation/UK), {len(lad):,} district, {len(top):,} nation/UK roll-ups")
    say(f"check: {n - len(unassigned) - len(wrong):,} of {n:,} points assigned to the district they were "
        f"drawn in; {len(wrong):,} to another district ({overlap_lower:,} of them inside both polygons, "
        f"i.e. on an overlap, where the lowest index wins); {len(unassigned):,} unassigned "
        f"({on_boundary:,} exactly on a boundary)")
    say(f"check: UK numerator {uk['numerator']:,.0f} / denominator {uk['denominator']:,.0f} vs postcode sums "
        f"{pcs.gigabit.sum():,} / {pcs.premises.sum():,}: {'EQUAL' if uk_ok else 'DIFFERENT'}; "
        f"nations equal the sums by drawing district: {'yes' if nations_ok else 'NO'}; "
        f"districts whose roll-up differs from the sum by drawing district: {lad_diff}")

    # Baseline: geopandas.sjoin(within) for the assignment, same run, same points.
    m = min(n, gpd_n)
    sub = np.random.default_rng(seed + 1).choice(n, m, replace=False) if m < n else np.arange(n)
    x, y = pcs.lon[sub], pcs.lat[sub]
    fresh = shapely.from_wkb(shapely.to_wkb(geoms))  # unprepared copies, as sjoin would get them
    t0 = time.perf_counter()
    ref = geopandas_assign(fresh, x, y)
    gpd_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_sub = PolygonIndex(list(geoms)).assign(x, y)
    ours_sub_s = time.perf_counter() - t0
    gpd_full = gpd_s * n / m
    ours_full = t["PolygonIndex build (Layers.index)"] + t["assign + link rows (Layers.point_links)"]
    agree = int((ours_sub == ref).sum())
    extrap = "" if m == n else f", EXTRAPOLATED linearly from a random {m:,}-point subsample ({gpd_s:.2f} s)"
    say(f"baseline geopandas.sjoin(predicate='within'), {n:,} points: {gpd_full:.2f} s{extrap}")
    say(f"  ratio sjoin / observatory assignment (index build + point_links): {gpd_full / ours_full:.1f}x; "
        f"on the same {m:,} points (PolygonIndex build + assign {ours_sub_s:.2f} s): {gpd_s / ours_sub_s:.1f}x; "
        f"identical assignments: {agree:,} of {m:,}")
    rss_all = peak_rss_mb()
    say(f"peak RSS: {rss_setup:,.0f} MB after setup, {rss_ours:,.0f} MB after the observatory path, "
        f"{rss_all:,.0f} MB after the geopandas baseline")
    rec["national"] = {
        "n": n, "seed": seed, "fingerprint": ns.fingerprint(pcs), "t_read": t_read, "t_gen": t_gen, "candidates": pcs.candidates,
        "steps": t, "total": total, "links": len(links), "membership": len(membership),
        "correct": n - len(unassigned) - len(wrong), "wrong": len(wrong), "overlap": overlap_lower,
        "unassigned": len(unassigned), "on_boundary": on_boundary, "uk_ok": uk_ok, "nations_ok": nations_ok,
        "lad_diff": lad_diff, "uk_num": uk["numerator"], "uk_den": uk["denominator"],
        "gpd_n": m, "gpd_s": gpd_s, "gpd_full": gpd_full, "ours_full": ours_full, "ours_sub": ours_sub_s,
        "agree": agree, "rss_setup": rss_setup, "rss_ours": rss_ours, "rss_all": rss_all,
    }


# -- output --------------------------------------------------------------------------------------
def _printer(out: list[str]):
    def say(line: str) -> None:
        print(line, flush=True)
        out.append(line)
    return say


def markdown(rec: dict, command: str) -> str:
    mach = rec["machine"]
    lines = [
        f"## {SECTION}",
        "",
        f"Command: `{command}` (from the repository root). Recorded {rec['date']} at commit {rec['git']}.",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in mach.items()) + ". "
        f"1-minute load average {rec['load_start']:.2f} at start, {rec['load_end']:.2f} at end "
        "(the machine is shared with other engineers' jobs; above 2 means times are inflated).",
        "",
    ]
    if "build" in rec:
        b = rec["build"]
        goal = "met" if b["median"] < BUILD_GOAL_S else "**not met**"
        lines += [
            f"### Cold build of examples/west-yorkshire ({rec['build_variant']})",
            "",
            f"`pipeline.run(workspace.load(None), out=<temp>)` in a fresh interpreter per run (imports count), "
            f"{len(b['walls'])} runs: **min {b['min']:.2f} s, median {b['median']:.2f} s** "
            f"(goal < {BUILD_GOAL_S:.0f} s: {goal}). Runs: {', '.join(f'{w:.2f}' for w in b['walls'])} s. "
            f"Peak RSS {b['rss']:,.0f} MB; store holds {b['facts']:,} facts, {b['areas']:,} areas.",
            "",
            "| step | median s | min s | max s |",
            "|---|---:|---:|---:|",
            f"| interpreter start + imports | {b['import'] + b['startup']:.2f} | | |",
        ]
        lines += [f"| {k} | {med:.2f} | {lo:.2f} | {hi:.2f} |" for k, (med, lo, hi) in b["steps"].items()]
        lines.append("")
        if "baseline" in rec:
            w = rec["baseline"]
            lines += [f"Baseline in the same run, alternating with the cold builds above: the code of "
                      f"`{w['src']}`, cold: **min {w['min']:.2f} s, median {w['median']:.2f} s**. Runs: "
                      f"{', '.join(f'{x:.2f}' for x in w['walls'])} s.", ""]
        for name, label in (("warm", "Warm build: every cached step read from the build cache, the store written anew"),
                            ("unchanged", "Nothing changed: the store's fingerprint matches, nothing is built")):
            if name in rec:
                w = rec[name]
                lines += [f"{label}: {len(w['walls'])} runs, **min {w['min']:.2f} s, median {w['median']:.2f} s** "
                          f"wall (a fresh interpreter each; in process {w['in_process']:.2f} s, imports "
                          f"{w['import']:.2f} s). Runs: {', '.join(f'{x:.2f}' for x in w['walls'])} s.", ""]
                if name == "warm":
                    lines += ["| warm step | median s |", "|---|---:|"]
                    lines += [f"| {k} | {v:.2f} |" for k, v in w["steps"].items()]
                    lines.append("")
    if "cli_unchanged" in rec:
        w = rec["cli_unchanged"]
        lines += [f"`observatory build WORKSPACE` from the shell, nothing changed: {len(w['walls'])} runs, "
                  f"**min {w['min']:.2f} s, median {w['median']:.2f} s** (goal < {UNCHANGED_GOAL_S:.0f} s). "
                  f"Runs: {', '.join(f'{x:.2f}' for x in w['walls'])} s.", ""]
    if "national" in rec:
        r = rec["national"]
        goal = "met" if r["total"] < NATIONAL_GOAL_S else "**not met**"
        extrap = "" if r["gpd_n"] == r["n"] else \
            f" (extrapolated linearly from a random {r['gpd_n']:,}-point subsample: {r['gpd_s']:.2f} s)"
        lines += [
            f"### National scale: {r['n']:,} synthetic postcodes in the 361 UK districts",
            "",
            f"Points uniform inside the real LAD 2025 polygons, allocated by Ofcom July 2025 `All Premises`, "
            f"seed {r['seed']}, data fingerprint {r['fingerprint']} (recipe: benchmarks/national_synthetic.py). Setup, not counted: "
            f"read_boundaries {r['t_read']:.2f} s, generating points and counts {r['t_gen']:.2f} s.",
            "",
            "| observatory step | s |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {s:.2f} |" for k, s in r["steps"].items()]
        lines += [
            f"| **total** | **{r['total']:.2f}** |",
            "",
            f"Goal < {NATIONAL_GOAL_S:.0f} s: {goal}. {r['links']:,} postcode->district links, "
            f"{r['membership']:,} membership rows.",
            "",
            f"Checks: {r['correct']:,} of {r['n']:,} points assigned to the district they were drawn in; "
            f"{r['wrong']:,} to another district ({r['overlap']:,} inside both polygons: overlaps, lowest index "
            f"wins); {r['unassigned']:,} unassigned ({r['on_boundary']:,} on a boundary). UK numerator / "
            f"denominator {r['uk_num']:,.0f} / {r['uk_den']:,.0f} "
            f"{'equal' if r['uk_ok'] else '**differ from**'} the sums over all postcodes; nations "
            f"{'equal' if r['nations_ok'] else '**differ from**'} the sums by drawing district; "
            f"{r['lad_diff']} districts differ.",
            "",
            f"Baseline geopandas.sjoin(predicate='within') for the assignment step: {r['gpd_full']:.2f} s for "
            f"{r['n']:,} points{extrap}, i.e. **{r['gpd_full'] / r['ours_full']:.1f}x** the observatory's "
            f"index build + point_links ({r['ours_full']:.2f} s); on the same {r['gpd_n']:,} points, a fresh PolygonIndex build + "
            f"assign {r['ours_sub']:.2f} s ({r['gpd_s'] / r['ours_sub']:.1f}x); identical assignments "
            f"{r['agree']:,} of {r['gpd_n']:,}.",
            "",
            f"Peak RSS: {r['rss_setup']:,.0f} MB after setup, {r['rss_ours']:,.0f} MB after the observatory "
            f"path, {r['rss_all']:,.0f} MB after the geopandas baseline.",
            "",
        ]
    return "\n".join(lines)


NOTES = "<!-- notes below are kept by --write-results -->"


def write_section(text: str) -> None:
    """Replace (or add) the `## bench_build` section of RESULTS.md; other sections are untouched.

    Hand-written notes after the NOTES marker inside the section survive a rewrite.
    """
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    pattern = re.compile(rf"^## {SECTION}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(old)
    notes = found.group(0)[found.group(0).index(NOTES):].rstrip("\n") if found and NOTES in found.group(0) else NOTES
    body = text.rstrip("\n") + "\n\n" + notes + "\n\n"
    new = pattern.sub(lambda _: body, old, count=1) if found else old.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="cold builds (default 3)")
    ap.add_argument("--warm-runs", type=int, default=3,
                    help="warm builds and unchanged builds after the cold ones (default 3 each)")
    ap.add_argument("--n", type=int, default=ns.N_POSTCODES, help="synthetic postcodes (default 1,700,000)")
    ap.add_argument("--seed", type=int, default=ns.SEED)
    ap.add_argument("--gpd-n", type=int, default=None,
                    help="points for the geopandas baseline (default: all); below --n it is extrapolated linearly")
    ap.add_argument("--workspace", default="", help="build this workspace (default: the bundled one)")
    ap.add_argument("--baseline-src", default="",
                    help="a src/ folder of other code (e.g. `git archive` of an earlier commit) built cold "
                    "alternately with ours, as the baseline")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--write-results", action="store_true",
                    help=f"replace the '## {SECTION}' section of benchmarks/RESULTS.md")
    args = ap.parse_args()
    command = " ".join([".venv/bin/python", "benchmarks/bench_build.py", *map(shlex.quote, sys.argv[1:])])
    out: list[str] = []
    say = _printer(out)
    rec = {"machine": machine(), "git": git_state(), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
           "load_start": os.getloadavg()[0]}
    say("machine: " + "; ".join(f"{k}: {v}" for k, v in rec["machine"].items()))
    say(f"command: {command}   (commit {rec['git']})")
    if not args.skip_build:
        bench_build(args.runs, out, rec, args.warm_runs, args.workspace, args.baseline_src)
        bench_cli_unchanged(args.warm_runs, out, rec, args.workspace)
    if not args.skip_national:
        bench_national(args.n, args.seed, args.gpd_n or args.n, out, rec)
    rec["load_end"] = os.getloadavg()[0]
    say("")
    say(f"1-minute load average: {rec['load_start']:.2f} at start, {rec['load_end']:.2f} at end "
        "(above the 2 cores means other work shared the machine and times are inflated)")
    say(f"peak RSS of this process: {peak_rss_mb():,.0f} MB; of the largest build subprocess: "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MB")
    if args.write_results:
        write_section(markdown(rec, command))
        say(f"wrote the '## {SECTION}' section of {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
