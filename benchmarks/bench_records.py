"""The editable records under load (issue 21), on `observatory serve --workers 4` (Granian) with the
records in a throwaway PostgreSQL cluster (started and stopped here, as the tests do):

1. Editors and a live swap: C reading clients (default 200: area profiles, figures, tiles and the
   board's actions, as bench_api) and 4 editors, each reading an action's ETag and changing it with
   If-Match (a 412 is an editor told that someone else changed it first: re-read and retry) and
   adding updates, for T seconds (default 60). At T/3 a rebuilt store (a copy of the file: a new
   inode) is moved over the one being served, as `observatory build` does. Printed: requests,
   errors, p50/p95/p99 per kind, p99 in each second around the swap, and whether every write
   acknowledged (200 or 201) is in the database afterwards, and when each worker began serving the
   new store (from the server's log: a run that ends before every worker has is said to be short).
   Goal: 0 errors, every acknowledged write present, p99 under 1 s throughout the swap.
2. --signin: light traffic (20 clients on cached API answers) for T seconds alone, then again
   beside 8 clients flooding /login with wrong passwords (each attempt: the form, then a post).
   Goal: light p95 within 1.5x of without. Also printed: how the attempts were answered.

The server serves a copy of the bundled workspace (its data linked, its store copied), so the
swap never touches the repository's own build.

    .venv/bin/python benchmarks/bench_records.py [--clients 200 --seconds 60]
    .venv/bin/python benchmarks/bench_records.py --signin [--seconds 30 --rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_api import (
    READ_KINDS,
    REPO,
    WORKSPACE,
    _codes,
    _free_port,
    _pct,
    _run,
    _stop,
    _store,
    _urls,
    _warm,
)

EDITORS = 4
ACTIONS = 6  # the demo's board actions


def _workspace(folder: Path) -> Path:
    """A copy of the bundled workspace: its data linked, its observatory.toml and metrics file
    copied, its store copied into its own build folder."""
    root = folder / "west-yorkshire"
    root.mkdir(parents=True)
    (root / "data").symlink_to(WORKSPACE / "data")
    for name in ("observatory.toml", "metrics.toml"):
        shutil.copy(WORKSPACE / name, root / name)
    (root / "build").mkdir()
    built = WORKSPACE / "build" / "observatory.duckdb"  # as built; rebuilt only when there is none
    shutil.copy(built if built.exists() else _store(), root / "build" / "observatory.duckdb")
    return root


def _swaps(log: Path, swapped: float) -> list[float]:
    """Seconds from the swap until each worker served the new store, from the server's log
    ("... worker PID: store at ... changed: now serving generation N", the last per worker)."""
    when: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        found = re.match(r"(\S+ \S+),(\d+) worker (\d+): store at .* now serving generation", line)
        if found:
            t = time.mktime(time.strptime(found[1], "%Y-%m-%d %H:%M:%S")) + int(found[2]) / 1000
            if t >= swapped - 1:
                when[found[3]] = t - swapped
    return list(when.values())


def _follow(root: Path, url: str) -> None:
    """Bring the copied store's figures derived from the records (backbone reach) up to date with
    the new records database before the server starts, as a server that has been up a while has
    them: otherwise the first request refreshes the store and every worker swaps it in during the
    warm-up, or worse while the clients run, and the swap measured would not be the only one."""
    code = "import sys; from observatory.app import Observatory; Observatory.open(sys.argv[1]).follow_records()"
    subprocess.run([sys.executable, "-c", code, str(root)], check=True,
                   env=dict(os.environ, OBSERVATORY_DATABASE_URL=url))


def _records(folder: Path, editors: int):
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
    tokens = []
    with records.session() as s:
        seed(s)
        for i in range(editors):
            add_user(s, "bench", f"editor-{i}", "a long enough password", "editor")
            tokens.append(issue_token(s, "bench", f"editor-{i}", "bench_records"))
    records.dispose()
    return cluster, url, tokens


def _clean_up(server: subprocess.Popen | None, cluster, folder: Path) -> None:  # noqa: ANN001 - a tests.records.postgres cluster
    """The server and its workers stopped, then (whatever happened to them) the PostgreSQL cluster
    and the workspace copy."""
    try:
        if server is not None:
            _stop(server)
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _serve(root: Path, port: int, workers: int, url: str, log: Path | None = None) -> subprocess.Popen:
    """Granian with `workers` processes over the workspace copy, as `observatory serve` runs it
    (without serve's own build check); its standard error into `log`, if given."""
    from observatory.web import server

    env = dict(os.environ, OBSERVATORY_SECRET_KEY="bench-only-secret", OBSERVATORY_DATABASE_URL=url,
               **{server.WORKSPACE_ENV: str(root), server.SHARED_ENV: "1" if workers > 1 else "",
                  server.BUILD_ERROR_ENV: ""})
    code = f"from observatory.web.server import run_granian; run_granian('127.0.0.1', {port}, {workers})"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "w") if log else None, start_new_session=True)  # noqa: SIM115
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(3)
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


async def _request(reader, writer, method: str, path: str, headers: dict[str, str] | None = None,
                   body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": "application/json", **(headers or {})}
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    if body or method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    got: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        got[name.strip().lower()] = value.strip()
    data = await reader.readexactly(int(got.get("content-length", 0))) if got.get("content-length") else b""
    return status, got, data


def _editor(port, seconds, token, index, queue) -> None:
    """One editor: read an action and change its owner with If-Match, then add an update, over and over."""

    async def main():
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        times, acknowledged, conflicts = [], [], 0
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        deadline = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            action = 1 + (i + index) % ACTIONS
            owner = f"editor-{index} change {i}"
            start = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, headers, _ = await _request(reader, writer, "GET", f"/api/v1/actions/{action}")
                    body = json.dumps({"owner": owner}).encode()
                    status, _, _ = await _request(reader, writer, "PATCH", f"/api/v1/actions/{action}",
                                                  {**auth, "If-Match": headers.get("etag", "")}, body)
                    if status == 200:
                        acknowledged.append(("owner", action, owner))
                    elif status == 412:
                        conflicts += 1
                    text = f"editor-{index} update {i}"
                    done, _, _ = await _request(reader, writer, "POST", f"/api/v1/actions/{action}/updates", auth,
                                                json.dumps({"text": text}).encode())
                    if done == 201:
                        acknowledged.append(("update", action, text))
                ok = status in (200, 412) and done == 201
            except Exception:
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            times.append((time.perf_counter() - start, ok, time.time()))
            await asyncio.sleep(0.05)
        writer.close()
        return {"writes": [(t, ok) for t, ok, _ in times], "acknowledged": acknowledged, "conflicts": conflicts}

    queue.put(_run(main()))


def _present(url: str, acknowledged: list[tuple[str, int, str]]) -> int:
    from sqlalchemy import select

    from observatory.records.actions import ActionUpdate
    from observatory.records.audit import AuditEntry
    from observatory.records.db import open_records

    records = open_records(url)
    with records.session() as s:
        updates = set(s.scalars(select(ActionUpdate.text)))
        owners = {json.loads(a).get("owner") for a in s.scalars(
            select(AuditEntry.after).where(AuditEntry.entity == "action", AuditEntry.action == "edit"))}
    records.dispose()
    return sum(1 for kind, _, value in acknowledged if value in (updates if kind == "update" else owners))


class _Stamped(list):
    """A list of bench_api's (seconds, ok) results that also keeps when each request ended."""

    def append(self, item) -> None:  # noqa: ANN001
        super().append((*item, time.time()))


def _timed_worker(port, clients, seconds, seed, codes, queue) -> None:
    """bench_api's readers, with each request's end time kept (for p99 by second around the swap)."""
    import random

    import bench_api

    async def main():
        out = {k: _Stamped() for k in READ_KINDS}
        deadline = time.perf_counter() + seconds
        rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
        await asyncio.gather(*(bench_api._client(port, deadline, r, codes, 10**9, out) for r in rngs))
        return {k: list(v) for k, v in out.items()}

    queue.put(_run(main()))


def main_swap(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-records-"))
    root = _workspace(folder)
    store = root / "build" / "observatory.duckdb"
    codes = _codes(store)
    port = _free_port()
    cluster, url, tokens = _records(folder / "cluster", EDITORS)
    server = None
    try:
        _follow(root, url)
        server = _serve(root, port, args.workers, url, log=folder / "server.log")
        asyncio.run(_warm(port, _urls(codes) * args.workers))
        queue: mp.Queue = mp.Queue()
        share = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
        procs = [mp.Process(target=_timed_worker, args=(port, n, args.seconds, i + 1, codes, queue))
                 for i, n in enumerate(share)]
        procs += [mp.Process(target=_editor, args=(port, args.seconds, t, i, queue)) for i, t in enumerate(tokens)]
        started = time.time()
        for p in procs:
            p.start()
        time.sleep(args.seconds / 3)
        tmp = store.with_name(".rebuilt.tmp")
        shutil.copy(store, tmp)
        swapped = time.time()
        os.replace(tmp, store)  # what a build does: a new file moved into place
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        acknowledged = [a for r in results for a in r.get("acknowledged", [])]
        present = _present(url, acknowledged)
        swaps = _swaps(folder / "server.log", swapped)
        said = [line for line in (folder / "server.log").read_text(errors="replace").splitlines()
                if re.search(r"worker \d+: (prepared|warmed|store at)", line)]
    finally:
        _clean_up(server, cluster, folder)

    print(f"bench_records: {args.clients} reading clients + {EDITORS} editors x {args.seconds:g} s, "
          f"`observatory serve --workers {args.workers}` (Granian), records on PostgreSQL, {os.cpu_count()} CPUs; "
          f"store swapped at {swapped - started:.0f} s")
    print("| requests | count | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    failed = 0
    reads = []
    for kind in (*READ_KINDS, "writes"):
        rows = [r for res in results for r in res.get(kind, [])]
        if kind != "writes":
            reads += rows
        times = [r[0] for r in rows]
        errors = sum(1 for r in rows if not r[1])
        failed += errors
        print(f"| {kind} | {len(rows):,} | {errors} | {_pct(times, 50):.0f} | {_pct(times, 95):.0f} | "
              f"{_pct(times, 99):.0f} | {max(times, default=0) * 1000:.0f} |")
    by_second: dict[int, list[float]] = {}
    for t, _, end in reads:
        by_second.setdefault(int(end - swapped), []).append(t)
    window = [s for s in sorted(by_second) if -3 <= s <= 10]
    print("p99 of reads by second from the swap: " + ", ".join(
        f"{s:+d} s {_pct(by_second[s], 99):.0f} ms" for s in window))
    print("p99 of reads in every second of the run (ms, from the first): " + " ".join(
        f"{_pct(by_second[s], 99):.0f}" for s in sorted(by_second)))
    worst_at, worst = max(((s, _pct(v, 99)) for s, v in by_second.items()), key=lambda sv: sv[1], default=(0, 0))
    conflicts = sum(r.get("conflicts", 0) for r in results)
    print(f"writes acknowledged: {len(acknowledged):,} (and {conflicts:,} changes refused with 412: another editor "
          f"changed the action first); present in the database afterwards: {present:,}")
    print("the server's log of the swap:\n    " + "\n    ".join(said))
    print(f"each worker serving the new store, seconds after the swap: "
          f"{', '.join(f'{t:.1f}' for t in sorted(swaps)) or 'none'} ({len(swaps)} of {args.workers} workers)")
    if len(swaps) < args.workers:
        print("NOTE: not every worker had swapped in the new store before the clients stopped: "
              "the run did not cover the whole swap (give a longer --seconds).")
    met = failed == 0 and present == len(acknowledged) and worst < 1000 and len(swaps) == args.workers
    print(f"worst p99 in any second: {worst:.0f} ms, {worst_at:+d} s from the swap "
          f"({len(by_second[worst_at]) if by_second else 0} reads ended in it); goal (0 errors, every acknowledged write present, p99 < 1 s "
          f"throughout): {'met' if met else 'NOT met'}")
    return 0


# --- sign-in flood beside light traffic -----------------------------------------------------------

# Answers kept by the response cache until the store changes. Not an area profile: since it shows
# residents' challenge counts it reads the records, so it is kept for at most 5 s (web/cache.py
# FRESH_FOR) and recomputing it (with the inclusion and forecast blocks) takes seconds on a loaded
# machine, which swamped what this measures (light clients timed out at 30 s with or without a flood).
LIGHT = ("/api/v1/levels", "/api/v1/indicators", "/api/v1/figures?indicator=gigabit&level=lad")


def _light(port, clients, seconds, queue) -> None:
    async def one(out):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        deadline = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            start = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, _, _ = await _request(reader, writer, "GET", LIGHT[i % len(LIGHT)])
                ok = status == 200
            except Exception:
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            out.append((time.perf_counter() - start, ok))
        writer.close()

    async def main():
        out: list = []
        await asyncio.gather(*(one(out) for _ in range(clients)))
        return out

    queue.put(_run(main()))


def _flood(port, seconds, index, queue) -> None:
    """An anonymous client trying passwords as fast as it is answered (a new 'device' each time).
    Returns how its attempts were answered: {status: count}."""

    async def main():
        answers: dict[int, int] = {}
        deadline = time.perf_counter() + seconds
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            try:
                async with asyncio.timeout(30):
                    _, headers, page = await _request(reader, writer, "GET", "/login", {"Accept": "text/html"})
                    cookie = headers.get("set-cookie", "").split(";")[0]
                    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
                    n = sum(answers.values())
                    body = f"username=admin&password=guess{index}x{n}&csrf_token={token}&next=/actions".encode()
                    status, _, _ = await _request(reader, writer, "POST", "/login",
                                                  {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                                   "Accept": "text/html"}, body)
                answers[status] = answers.get(status, 0) + 1
            except Exception:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        return answers

    queue.put(_run(main()))


def _phase(port: int, seconds: float, flooders: int) -> tuple[list, dict[int, int]]:
    """Light traffic for `seconds`, beside `flooders` sign-in flooders: the light clients' (seconds,
    ok) and how the flooders' attempts were answered."""
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_light, args=(port, 20, seconds, queue))]
    procs += [mp.Process(target=_flood, args=(port, seconds, i, queue)) for i in range(flooders)]
    for p in procs:
        p.start()
    got = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    answers: dict[int, int] = {}
    for g in got:
        if isinstance(g, dict):
            for status, n in g.items():
                answers[status] = answers.get(status, 0) + n
    return next(g for g in got if isinstance(g, list)), answers


def main_signin(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    root = _workspace(folder)
    port = _free_port()
    cluster, url, _ = _records(folder / "cluster", 1)
    server = None
    rows: dict[str, tuple[list, dict[int, int]]] = {"alone": ([], {}), "beside a sign-in flood": ([], {})}
    rounds: list[float] = []
    try:
        server = _serve(root, port, args.workers, url)
        asyncio.run(_warm(port, list(LIGHT) * 8))
        # Alone and beside the flood in turn, `--rounds` times: on a shared machine the load of
        # other work drifts, and alternating keeps it from favouring one side.
        for _ in range(args.rounds):
            p95 = []
            for name, flooders in (("alone", 0), ("beside a sign-in flood", 8)):
                light, answers = _phase(port, args.seconds / args.rounds, flooders)
                rows[name][0].extend(light)
                for status, n in answers.items():
                    rows[name][1][status] = rows[name][1].get(status, 0) + n
                p95.append(_pct([t for t, _ in light], 95))
            rounds.append(p95[1] / p95[0] if p95[0] else float("inf"))
    finally:
        _clean_up(server, cluster, folder)
    print(f"bench_records --signin: 20 light clients x {args.seconds:g} s on `observatory serve --workers "
          f"{args.workers}`, records on PostgreSQL, {os.cpu_count()} CPUs")
    print("| light traffic | requests | errors | p50 ms | p95 ms | p99 ms | sign-in attempts answered |")
    print("|---|---|---|---|---|---|---|")
    for name, (light, answers) in rows.items():
        times = [t for t, _ in light]
        how = ", ".join(f"{n:,} x {status}" for status, n in sorted(answers.items()))
        print(f"| {name} | {len(light):,} | {sum(1 for _, ok in light if not ok)} | {_pct(times, 50):.1f} | "
              f"{_pct(times, 95):.1f} | {_pct(times, 99):.1f} | {sum(answers.values()):,}{f' ({how})' if how else ''} |")
    alone = _pct([t for t, _ in rows["alone"][0]], 95)
    flooded = _pct([t for t, _ in rows["beside a sign-in flood"][0]], 95)
    ratio = flooded / alone if alone else float("inf")
    print("light p95 beside the flood / alone, round by round: " + ", ".join(f"{r:.2f}x" for r in rounds))
    print(f"light p95 beside the flood / alone: {ratio:.2f}x; goal (within 1.5x): {'met' if ratio <= 1.5 else 'NOT met'}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=None,
                    help="how long the clients run: 60 (the swap: long enough for every worker to take its "
                         "turn at the new store), 30 (--signin)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--processes", type=int, default=2, help="load-generating processes for the readers")
    ap.add_argument("--signin", action="store_true", help="the sign-in flood beside light traffic instead")
    ap.add_argument("--rounds", type=int, default=3, help="--signin: alone and beside the flood in turn, this "
                                                          "many times (each phase --seconds / --rounds long)")
    args = ap.parse_args()
    args.seconds = args.seconds or (30.0 if args.signin else 60.0)
    return main_signin(args) if args.signin else main_swap(args)


if __name__ == "__main__":
    raise SystemExit(main())
