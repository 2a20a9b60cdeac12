"""Load on the web API: N concurrent clients for T seconds against `observatory serve` (one
Granian worker) that this script starts on 127.0.0.1, over the bundled West Yorkshire store.

Endpoints (each client cycles through them, picking codes and levels at random with a fixed seed):
  profile   GET /api/v1/areas/{code}                     districts, wards, MSOAs, LSOAs
  figures   GET /api/v1/figures?indicator=..&level=..    gigabit/sfbb/ufbb at lad..lsoa
  tile      GET /api/v1/tiles/{level}/{z}/{x}/{y}.pbf    the map's vector tiles over the region,
                                                         lad..oa, zooms 8 to 11 (gzip)

The clients are closed-loop (each sends its next request when the previous answer is read) over
keep-alive HTTP/1.1 connections, written as an asyncio protocol on uvloop (and asyncio.timeout
rather than wait_for, which costs a task per request) so the load generator takes as little of
the machine's CPU from the server as it can; they run in their own processes beside the server.
Loopback only; the loop is bounded by the deadline and by --max-requests per client.

    .venv/bin/python benchmarks/bench_api.py                  # 200 clients, 30 s
    .venv/bin/python benchmarks/bench_api.py --clients 50 --seconds 10

Goal: no errors, p95 < 50 ms per endpoint.

With --workers N (4 in RESULTS.md) the server is `observatory serve --workers N` over the same
store and a records database on a throwaway PostgreSQL cluster (started and stopped here, as the
tests do), the clients also read the board's actions (`GET /api/v1/actions/{id}`), and one more
client writes updates to the actions through the API with an editor's token for the whole run.
Afterwards every update that was acknowledged (201) must be in the database.

    .venv/bin/python benchmarks/bench_api.py --workers 4      # 200 readers + 1 writer, 30 s
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "examples" / "west-yorkshire"
INDICATORS = ("gigabit", "sfbb", "ufbb")
LEVELS = ("lad", "ward", "msoa", "lsoa")
TILE_LEVELS = ("lad", "ward", "msoa", "lsoa", "oa")
TILE_ZOOMS = range(8, 12)
# The region's extent (west, south, east, north), a little wider than West Yorkshire.
REGION_BOX = (-2.2, 53.5, -1.2, 54.0)


def _tiles() -> list[str]:
    """The tiles a map over the region asks for, at the zooms it opens and is zoomed to."""
    import math

    def tile(lon: float, lat: float, z: int) -> tuple[int, int]:
        n = 2**z
        return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    west, south, east, north = REGION_BOX
    out = []
    for z in TILE_ZOOMS:
        (x0, y0), (x1, y1) = tile(west, north, z), tile(east, south, z)
        out += [f"{z}/{x}/{y}" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return out


TILES = _tiles()


def _run(main):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def _store() -> Path:
    from observatory.pipeline import ensure_built

    return Path(ensure_built(WORKSPACE))


def _codes(store_path: Path) -> list[str]:
    from observatory.store import Store

    with Store(store_path) as store:
        region = store.meta().get("region_code", "E47000003")
        codes = [region]
        for level in LEVELS:
            codes += [c["code"] for c in store.children(region, level)]
    return codes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, seconds: float = 20) -> None:
    """Stop a server this script started, with its worker processes (its own session): asked
    first, then by force. A worker once hung at exit, waiting on a thread, and the benchmark died
    before it stopped its PostgreSQL cluster."""
    proc.terminate()
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        print(f"the server did not stop within {seconds:g} s: killed", file=sys.stderr)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # any worker left behind
    proc.wait(5)


def _start_server(store_path: Path, port: int) -> subprocess.Popen:
    """uvicorn over the app of any store file (bench_hostile serves a copy it swaps)."""
    code = (
        "import uvicorn; from pathlib import Path; from observatory.web.app import create_app; "
        f"uvicorn.run(create_app(Path({str(store_path)!r})), host='127.0.0.1', port={port}, "
        "log_level='warning', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


BYTES = {"read": 0}  # response bodies read by this process (each load generator has its own)


async def _get(reader, writer, path: str) -> int:
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
        "Accept: application/json\r\n\r\n".encode()
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
        BYTES["read"] += length
    return status


class _Connection(asyncio.BufferedProtocol):
    """One keep-alive HTTP/1.1 connection that sends a GET and waits for the whole answer.

    A protocol rather than StreamReader: the header block is parsed once it is all in (found by
    its blank line) and the body is counted, not kept, instead of a coroutine step per header
    line. The load generator shares the server's 2 cores, so every microsecond it spends is one
    the server does not get: on one kept profile with 100 clients it used 40-48 us of CPU a
    request, the StreamReader client (still used by bench_hostile) 48-57 us."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.head = bytearray()
        self.chunk = memoryview(bytearray(1 << 18))  # uvloop reads into it: no bytes object per read
        self.waiting: asyncio.Future | None = None
        self.remaining = -1  # body bytes still to come; -1 while the header block is still coming
        self.status = self.size = 0

    @classmethod
    async def open(cls, port: int) -> _Connection:
        _, conn = await asyncio.get_running_loop().create_connection(cls, "127.0.0.1", port)
        return conn

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.transport = None
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(ConnectionError("the server closed the connection"))

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.chunk

    def buffer_updated(self, nbytes: int) -> None:
        # One request at a time on the connection, so what follows the header block is that
        # answer's body only: counted, not kept (a 270 KB tile would otherwise be copied around).
        if self.remaining < 0:
            self.head += self.chunk[:nbytes]
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.head[:end]).lower()
            length, at = 0, head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17:stop if stop >= 0 else len(head)])
            self.status, self.size = int(head[9:12]), length
            self.remaining = end + 4 + length - len(self.head)
            self.head.clear()
        else:
            self.remaining -= nbytes
        if self.remaining <= 0:
            self.remaining = -1
            if self.waiting is not None and not self.waiting.done():
                self.waiting.set_result((self.status, self.size))

    async def get(self, path: str) -> int:
        if self.transport is None:
            raise ConnectionError("the connection is closed")
        self.waiting = asyncio.get_running_loop().create_future()
        self.transport.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
            "Accept: application/json\r\n\r\n".encode()
        )
        status, length = await self.waiting
        BYTES["read"] += length
        return status

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _client(port, deadline, rng, codes, max_requests, out) -> None:
    conn = None
    kinds = [k for k in out if k != "writes"]
    for i in range(max_requests):
        if time.perf_counter() >= deadline:
            break
        kind = kinds[(i + rng.randrange(len(kinds))) % len(kinds)]
        if kind == "records":
            path = f"/api/v1/actions/{rng.randrange(1, ACTIONS + 1)}"
        elif kind == "profile":
            path = f"/api/v1/areas/{rng.choice(codes)}"
        elif kind == "figures":
            path = f"/api/v1/figures?indicator={rng.choice(INDICATORS)}&level={rng.choice(LEVELS)}"
        else:
            path = f"/api/v1/tiles/{rng.choice(TILE_LEVELS)}/{rng.choice(TILES)}.pbf"
        start = time.perf_counter()
        try:
            if conn is None:
                conn = await _Connection.open(port)
            async with asyncio.timeout(30):
                status = await conn.get(path)
            ok = status in (200, 204) if kind == "tile" else status == 200
        except Exception:
            ok = False
            if conn is not None:
                conn.close()
            conn = None
        out[kind].append((time.perf_counter() - start, ok))
    if conn is not None:
        conn.close()


def _worker(port, clients, seconds, seed, codes, max_requests, queue, kinds=("profile", "figures", "tile")) -> None:
    async def main():
        out = {k: [] for k in kinds}
        BYTES["read"] = 0
        deadline = time.perf_counter() + seconds
        rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
        await asyncio.gather(*(_client(port, deadline, r, codes, max_requests, out) for r in rngs))
        out["bytes"] = BYTES["read"]
        return out

    queue.put(_run(main()))


def _urls(codes: list[str]) -> list[str]:
    return (
        [f"/api/v1/areas/{c}" for c in codes]
        + [f"/api/v1/figures?indicator={i}&level={lv}" for i in INDICATORS for lv in LEVELS]
        + [f"/api/v1/tiles/{lv}/{t}.pbf" for lv in TILE_LEVELS for t in TILES]
    )


async def _warm(port: int, urls: list[str], took: list[tuple[float, str]] | None = None) -> tuple[int, float, int]:
    """Request every URL the clients can ask for once (8 at a time): the server's response
    cache and map layers start warm, as they are on a server that has been up a while. Returns
    (requests, seconds, errors): the cold cost, reported beside the run; `took` gets each URL's
    (seconds, url)."""
    queue = list(urls)
    errors = 0

    async def one():
        nonlocal errors
        conn = await _Connection.open(port)
        while queue:
            url = queue.pop()
            start = time.perf_counter()
            if await conn.get(url) not in (200, 204):
                errors += 1
            if took is not None:
                took.append((time.perf_counter() - start, url))
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(8)))
    return len(urls), time.perf_counter() - start, errors


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if len(values) > 1 else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--processes", type=int, default=2, help="load-generator processes")
    ap.add_argument("--max-requests", type=int, default=100_000, help="per client")
    ap.add_argument("--workers", type=int, default=1,
                    help="server worker processes; above 1, also a PostgreSQL records database and a writer")
    ap.add_argument("--cold", action="store_true",
                    help="only the cold pass from a fresh start, with the slowest URLs and their times")
    args = ap.parse_args()
    if args.cold:
        return _main_cold()
    if args.workers > 1:
        return _main_workers(args)

    store_path = _store()
    codes = _codes(store_path)
    port = _free_port()
    server = _start_workers(port, 1)  # `observatory serve`, as users run it
    try:
        cold = asyncio.run(_warm(port, _urls(codes)))
        queue: mp.Queue = mp.Queue()
        share = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
        procs = [
            mp.Process(target=_worker, args=(port, n, args.seconds, i + 1, codes, args.max_requests, queue))
            for i, n in enumerate(share)
        ]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    finally:
        _stop(server)

    print(f"bench_api: {args.clients} clients x {args.seconds:g} s, {len(codes)} area codes, "
          f"{os.cpu_count()} CPUs, server: `observatory serve` (1 Granian worker)")
    print("| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    failed = 0
    for kind in ("profile", "figures", "tile"):
        rows = [r for res in results for r in res[kind]]
        times = [t for t, _ in rows]
        errors = sum(1 for _, ok in rows if not ok)
        failed += errors
        p95 = _pct(times, 95)
        worst = max(worst, p95)
        print(f"| {kind} | {len(rows):,} | {errors} | {len(rows) / args.seconds:,.0f} | "
              f"{_pct(times, 50):.1f} | {p95:.1f} | {_pct(times, 99):.1f} |")
    n, secs, errs = cold
    print(f"cold pass before the run (every URL once, 8 at a time): {n:,} requests in {secs:.1f} s "
          f"({1000 * secs * 8 / n:.1f} ms each on average), {errs} errors")
    print(f"response bodies read (as sent, gzip where offered): "
          f"{sum(r.get('bytes', 0) for r in results) / args.seconds / 1e6:,.0f} MB/s")
    print(f"goal (no errors, p95 < 50 ms): {'met' if failed == 0 and worst < 50 else 'NOT met'}")
    return 0



def _main_cold(slowest: int = 15) -> int:
    """The cold pass alone: `observatory serve` (one worker) started afresh, every URL once (8 at
    a time), with the total, the time per kind of URL and the slowest URLs."""
    store_path = _store()
    codes = _codes(store_path)
    port = _free_port()
    print(f"load at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    took: list[tuple[float, str]] = []
    server = _start_workers(port, 1)
    try:
        n, secs, errs = asyncio.run(_warm(port, _urls(codes), took))
    finally:
        _stop(server)
    print(f"cold pass (every URL once, 8 at a time, one worker, fresh start): {n:,} requests in "
          f"{secs:.1f} s, {errs} errors")
    for prefix in ("/api/v1/areas/", "/api/v1/figures", "/api/v1/tiles/"):
        kind = sorted(((t, u) for t, u in took if u.startswith(prefix)), reverse=True)
        print(f"  {prefix}: {len(kind):,} requests, {sum(t for t, _ in kind):.1f} s summed; slowest: "
              + ", ".join(f"{u} {t * 1000:.0f} ms" for t, u in kind[:3]))
    print(f"the {slowest} slowest URLs:")
    for t, url in sorted(took, reverse=True)[:slowest]:
        print(f"  {t * 1000:7.0f} ms  {url}")
    print(f"load at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    return 0


# --- several workers over a shared PostgreSQL records database, with a writer ---------------------

ACTIONS = 6  # the demo's board actions
READ_KINDS = ("profile", "figures", "tile", "records")


def _records_database(folder: Path):
    """A throwaway PostgreSQL cluster with the records schema, the demo records and an editor's token."""
    sys.path.insert(0, str(REPO))
    from observatory.demo.records_demo import seed
    from observatory.records.db import open_records
    from observatory.records.migrate import upgrade
    from observatory.records.users import add_user, issue_token
    from tests.records.postgres import Cluster

    cluster = Cluster(folder).start()
    url = cluster.create_database("bench")
    upgrade(url)
    records = open_records(url)
    with records.session() as s:
        seed(s)
        add_user(s, "bench", "bench-writer", "a long enough password", "editor")
        token = issue_token(s, "bench", "bench-writer", "bench_api")
    records.dispose()
    return cluster, url, token


def _start_workers(port: int, workers: int, url: str | None = None) -> subprocess.Popen:
    """`observatory serve --workers N` over the bundled workspace (and the records database at `url`)."""
    env = dict(os.environ, OBSERVATORY_SECRET_KEY="bench-only-secret")
    if url:
        env["OBSERVATORY_DATABASE_URL"] = url
    code = ("from pathlib import Path; from observatory.web.server import serve; "
            f"serve(Path({str(WORKSPACE)!r}), port={port}, workers={workers})")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(3)  # every worker up, not only the first
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


async def _post(reader, writer, path: str, body: bytes, token: str) -> int:
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


def _writer(port, seconds, token, queue) -> None:
    """One client adding updates to the actions, one after another, for the whole run."""
    import json

    async def main():
        done, times = [], []
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        deadline = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            text = f"bench update {i}"
            body = json.dumps({"text": text}).encode()
            start = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status = await _post(reader, writer, f"/api/v1/actions/{1 + i % ACTIONS}/updates", body, token)
            except Exception:
                status = 0
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            times.append((time.perf_counter() - start, status == 201))
            if status == 201:
                done.append(text)
            await asyncio.sleep(0.02)  # an officer is quick, not a flood
        writer.close()
        return {"writes": times, "written": done}

    queue.put(_run(main()))


def _main_workers(args) -> int:
    import tempfile

    store_path = _store()
    codes = _codes(store_path)
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    cluster, url, token = _records_database(folder / "cluster")
    server = None
    try:
        server = _start_workers(port, args.workers, url)
        # Each worker has its own response cache: warm them all (connections land on workers
        # as the kernel hands them out, so pass over the URLs once per worker).
        cold = asyncio.run(_warm(port, _urls(codes) * args.workers))
        queue: mp.Queue = mp.Queue()
        share = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
        procs = [
            mp.Process(target=_worker, args=(port, n, args.seconds, i + 1, codes, args.max_requests, queue, READ_KINDS))
            for i, n in enumerate(share)
        ]
        procs.append(mp.Process(target=_writer, args=(port, args.seconds, token, queue)))
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        written = [t for r in results for t in r.get("written", [])]
        present = _present(url, written)
    finally:
        try:
            if server is not None:
                _stop(server)
        finally:
            cluster.stop()

    print(f"bench_api: {args.clients} reading clients + 1 writer x {args.seconds:g} s, {len(codes)} area codes, "
          f"{os.cpu_count()} CPUs, server: `observatory serve --workers {args.workers}`, records on PostgreSQL")
    print("| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    worst, failed = 0.0, 0
    for kind in (*READ_KINDS, "writes"):
        rows = [r for res in results for r in res.get(kind, [])]
        times = [t for t, _ in rows]
        errors = sum(1 for _, ok in rows if not ok)
        failed += errors
        p95 = _pct(times, 95)
        if kind != "writes":
            worst = max(worst, p95)
        print(f"| {kind} | {len(rows):,} | {errors} | {len(rows) / args.seconds:,.0f} | "
              f"{_pct(times, 50):.1f} | {p95:.1f} | {_pct(times, 99):.1f} |")
    n, secs, errs = cold
    print(f"cold pass before the run: {n:,} requests in {secs:.1f} s, {errs} errors")
    print(f"response bodies read (as sent, gzip where offered): "
          f"{sum(r.get('bytes', 0) for r in results) / args.seconds / 1e6:,.0f} MB/s")
    print(f"writes acknowledged: {len(written):,}; present in the database afterwards: {present:,}")
    met = failed == 0 and worst < 50 and present == len(written)
    print(f"goal (no errors, p95 reads < 50 ms, every write present): {'met' if met else 'NOT met'}")
    return 0


def _present(url: str, texts: list[str]) -> int:
    from sqlalchemy import select

    from observatory.records.actions import ActionUpdate
    from observatory.records.db import open_records

    records = open_records(url)
    with records.session() as s:
        stored = set(s.scalars(select(ActionUpdate.text).where(ActionUpdate.author == "bench-writer")))
    records.dispose()
    return sum(1 for t in texts if t in stored)


if __name__ == "__main__":
    raise SystemExit(main())
