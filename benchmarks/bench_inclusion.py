"""Speed of the exclusion-risk index: recomputing for new weights, and the weight sensitivity.

1. In process: `Model.compute` for new weights over the 1,404 LSOAs (scaling is cached per level,
   comparison area and mode; new weights are two small matrix products), and the 1,000-draw
   sensitivity analysis (goal < 1 s).
2. Through the API: a uvicorn server this script starts on 127.0.0.1 over the bundled West Yorkshire
   store; one keep-alive client sends GET /api/v1/inclusion?level=lsoa&weights=... with new random
   weights every time (so no answer comes from the response cache), sequentially, and times each
   answer as the client reads it. Goal: p95 < 20 ms for a recompute of the 1,404 LSOAs.
   Variants: the top 20 (what the map's list needs) and the full list (1,404 rows of JSON), both
   without the sensitivity (`sensitivity=false`); and, with the sensitivity, which is recomputed
   for each new set of weights.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_inclusion.py             # 200 requests per variant
    PYTHONPATH=src .venv/bin/python benchmarks/bench_inclusion.py --requests 50
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "examples" / "west-yorkshire"
COMPONENTS = ("demography", "broadband", "deprivation")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def in_process(n: int) -> None:
    from observatory import workspace
    from observatory.inclusion.model import Model
    from observatory.pipeline import ensure_built
    from observatory.store import Store
    from observatory.workspace import inclusion as config_mod

    ws = workspace.load(WORKSPACE)
    ensure_built(ws)
    store = Store(ws.store_path)
    started = time.perf_counter()
    model = Model.load(ws, store)
    print(f"model load (raw values, aggregation, hubs): {time.perf_counter() - started:.2f} s")
    model.compute("lsoa", "ca")  # scaling cached
    rng = random.Random(1)
    times = []
    for _ in range(n):
        w = config_mod.apply(model.cfg, {c: rng.randint(0, 10) or 1 for c in COMPONENTS}, {}, "bench")
        t = time.perf_counter()
        model.compute("lsoa", "ca", weights=w)
        times.append(1000 * (time.perf_counter() - t))
    print(f"compute for new weights, 1,404 LSOAs, in process: p50 {statistics.median(times):.3f} ms, "
          f"p95 {pct(times, 0.95):.3f} ms (n={n})")
    sens = []
    for k in range(5):
        w = config_mod.apply(model.cfg, {"broadband": 3 + k + 1}, {}, "bench")
        t = time.perf_counter()
        s = model.sensitivity("lsoa", "ca", "relative", w)
        sens.append(time.perf_counter() - t)
    print(f"sensitivity, {s.draws:,} draws x 1,404 LSOAs: median {statistics.median(sens):.3f} s, "
          f"max {max(sens):.3f} s (5 runs, each for new weights; goal < 1 s)")
    store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def through_api(n: int) -> None:
    store_path = WORKSPACE / "build" / "observatory.duckdb"
    port = _free_port()
    code = ("import uvicorn; from pathlib import Path; from observatory.web.app import create_app; "
            f"uvicorn.run(create_app(Path({str(store_path)!r}), Path({str(WORKSPACE)!r})), host='127.0.0.1', "
            f"port={port}, log_level='warning', access_log=False)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        conn = _connect(port)
        t = time.perf_counter()
        _get(conn, "/api/v1/inclusion?level=lsoa&top=1&sensitivity=false")
        print(f"first request (loads the model): {time.perf_counter() - t:.2f} s")
        rng = random.Random(2)
        for label, extra, count in (("top 20, no sensitivity", "&top=20&sensitivity=false", n),
                                    ("all 1,404 rows, no sensitivity", "&sensitivity=false", n),
                                    ("top 20 with the 1,000-draw sensitivity", "&top=20", max(10, n // 10))):
            times = []
            size = 0
            for _ in range(count):
                w = ",".join(f"{c}:{rng.randint(1, 10)}" for c in COMPONENTS) + f",imd:{rng.randint(0, 10)}"
                t = time.perf_counter()
                body = _get(conn, f"/api/v1/inclusion?level=lsoa&weights={w}{extra}")
                times.append(1000 * (time.perf_counter() - t))
                size = len(body)
            print(f"API recompute, {label}: p50 {statistics.median(times):.1f} ms, p95 {pct(times, 0.95):.1f} ms, "
                  f"max {max(times):.1f} ms (n={count}, {size:,} bytes)")
    finally:
        proc.terminate()
        proc.wait(10)


def _connect(port: int) -> http.client.HTTPConnection:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/v1/levels")
            conn.getresponse().read()
            return conn
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"{path}: HTTP {r.status}: {body[:300]!r}")
    json.loads(body)  # a whole answer, parsed, as a client would
    return body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    in_process(args.requests)
    through_api(args.requests)


if __name__ == "__main__":
    main()
