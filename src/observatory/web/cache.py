"""A bounded in-memory cache of whole responses.

A store is read-only, so a page or API answer depends only on its URL, on the request headers
that choose its form, and on which store is open. A rebuild replaces the store file and the app
swaps in the new one (live.py) with a new generation: the cache keys on it, and empties itself
when it first sees a new one. Serving a repeat from memory skips the store, the template
and the compression: that is what keeps p95 latency low with hundreds of clients (see
benchmarks/bench_api.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..records.changes import versions
from .auth import RECORDS_DEPS, anonymous
from .live import GENERATION, SNAPSHOT
from .negotiate import JSON_FLAG
from .shared_answers import SharedAnswers

# After a store swap, a busy server (this many answers being computed at once) answers a repeat
# from the previous store for up to STALE_FOR seconds while it recomputes the new answers,
# REFRESH_CONCURRENCY at a time, in the background.
BUSY = 2
STALE_FOR = 60.0
REFRESH_CONCURRENCY = 1

# A visitor's records answer (actions, the Shared Care Record register) is kept until a write on
# this machine changes what it was read from (records/changes.py), and for at most this long, so
# that writes made elsewhere (another host, psql) and the date that makes an action overdue show
# within seconds.
FRESH_FOR = 5.0

# The answers kept: 200, and 204, which a map tile with no area in it is (its emptiness depends on
# the store only, like any other answer; measured: 29% of the region's tiles at every level are
# empty, and each cost ~345 us through the router instead of ~45 us replayed).
KEPT = (200, 204)

# Downloads are large and rarely repeated; map layers and static files have their own caching.
# Map tiles are kept here too (a kept answer costs ~25 us to replay, a tile through the router
# ~240 us; and the workers share them), with their own ETag, which a repeat still honours.
_SKIP = ("/download", "/api/v1/download", "/api/v1/geometry", "/static/")


def query_names(app) -> frozenset[str]:
    """Every query parameter any route reads: the rest of a query string cannot change an answer."""
    names = set()
    routes = list(getattr(app, "routes", []))
    while routes:
        route = routes.pop()
        inner = getattr(route, "original_router", None)  # an included APIRouter (FastAPI 0.16x)
        if inner is not None:
            routes.extend(inner.routes)
        elif isinstance(route, APIRoute):
            stack = [route.dependant]
            while stack:
                dep = stack.pop()
                names |= {p.alias for p in dep.query_params}
                stack.extend(dep.dependencies)
    return frozenset(names)


class ResponseCache:
    """Keys on the parameters routes declare (sorted), never the raw query string; answers to
    queries with other parameters are not kept. Bounded by bytes as well as entries."""

    def __init__(self, app: ASGIApp, max_entries: int = 4096, max_body: int = 4 << 20,
                 max_bytes: int = 128 << 20, shared: SharedAnswers | None = None) -> None:
        self.app = app
        # with several worker processes: answers one worker computed, read by the others
        self.shared = shared
        self.max_entries = max_entries
        self.max_body = max_body
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        self._generation = None
        self._names: frozenset[str] | None = None
        # After a swap: the previous store's answers, served only while the server is busy
        # recomputing (see _busy_swap), each refreshed in the background at bounded concurrency.
        self._previous: dict[tuple, tuple[int, list, bytes, bool]] = {}  # and: a records answer?
        self._previous_until = 0.0
        self._refreshing: set[tuple] = set()
        self._records_refreshing: set[tuple] = set()
        self._inflight = 0
        self._computing: dict[tuple, asyncio.Future] = {}
        self._refresh_slots = asyncio.Semaphore(REFRESH_CONCURRENCY)

    def _query_key(self, scope: Scope) -> str | None:
        """The declared parameters, sorted; None when the query string has others: such an answer
        is served but not kept (junk cannot fill the cache, and a page that reads a parameter it
        does not declare is never answered from another query's entry)."""
        if self._names is None:
            self._names = query_names(scope.get("app"))
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if any(k not in self._names for k, _ in pairs):
            return None
        return urlencode(sorted(pairs))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(_SKIP):
            await self.app(scope, receive, send)
            return
        generation = scope.get(GENERATION)
        if generation != self._generation:
            self._new_store(generation)
        query = self._query_key(scope)
        if query is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (
            generation,
            scope["path"],
            query,
            bool(scope.get(JSON_FLAG)),
            headers.get(b"accept", b""),
            b"gzip" in headers.get(b"accept-encoding", b""),
        )
        kept = self._kept_answer(key, scope)
        if kept is not None:
            status, raw_headers, body = kept
            if _not_modified(raw_headers, headers.get(b"if-none-match")):
                status, body = 304, b""
                raw_headers = [(k, v) for k, v in raw_headers if k.lower() in (b"etag", b"vary", b"cache-control")]
            await _answer(send, status, raw_headers, body)
            return
        await self._compute(key, scope, receive, send)

    def _new_store(self, generation: object) -> None:
        """A new store: every answer may have changed; the old ones are kept aside for a busy
        server to answer from while it recomputes them."""
        if self._generation is not None:
            # a visitor's records answers too (an area profile shows the challenge counts): after
            # a swap they are as old as any kept records answer may be, and a busy server that
            # recomputed every profile at once stalled for seconds (issue 21)
            self._previous = {k[1:]: (*v[:3], len(v) > 3) for k, v in self._entries.items()}
            self._previous_until = time.monotonic() + STALE_FOR
            self._refreshing.clear()
        self._entries.clear()
        self.bytes = 0
        self._generation = generation

    def _kept_answer(self, key: tuple, scope: Scope) -> tuple[int, list, bytes] | None:
        """An answer to give without computing it: kept here, kept by another worker, or (a
        record just written, or a store just swapped on a busy server) the previous answer while
        the new one is computed in the background; None to compute it now."""
        hit = self._entries.get(key)
        if hit is not None and len(hit) > 3 and not _records_current(hit[3], scope):
            stale = hit
            hit = self._shared_records(key, stale[3], scope)
            if hit is None and anonymous(scope) and time.monotonic() < stale[3][3]:
                # A write has moved this record since its answer was kept here, under FRESH_FOR
                # seconds ago: a visitor gets that answer, marked as refreshing, while it is read
                # again in the background (HTTP's stale-while-revalidate), instead of every
                # visitor waiting on the database after each write; the next visitor after the
                # refresh gets the new answer. A signed-in user's read (the writer's own) always
                # goes to the database.
                if key not in self._records_refreshing:
                    self._records_refreshing.add(key)
                    asyncio.get_running_loop().create_task(self._refresh_record(dict(scope), key))
                status, raw_headers, body = stale[:3]
                return status, [*raw_headers, (b"x-observatory-records", b"refreshing")], body
        if hit is not None:
            self._entries.move_to_end(key)
            return hit[:3]
        if self.shared is not None:
            found = self.shared.get(_store_identity(scope), key[1:])
            if found is not None:
                status, raw_headers, body = found
                self._keep(key, {"status": status, "headers": raw_headers}, body, share=False)
                return found
        previous = self._busy_swap(key, scope)
        if previous is not None:
            if key not in self._refreshing:
                self._refreshing.add(key)
                asyncio.get_running_loop().create_task(self._refresh(dict(scope), key))
            status, raw_headers, body = previous
            return status, [*raw_headers, (b"x-observatory-previous-build", b"refreshing")], body
        return None

    async def _compute(self, key: tuple, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the app and keep the answer. The same answer already being computed for
        another visitor is waited for rather than computed again (after a write, dozens of
        readers of one record miss at once)."""
        visitor = anonymous(scope)
        computing = self._computing.get(key) if visitor else None
        if computing is not None:
            entry = await asyncio.shield(computing)
            if entry is not None:
                await _answer(send, *entry)
                return
        owner: asyncio.Future | None = None
        if visitor and key not in self._computing:
            owner = self._computing[key] = asyncio.get_running_loop().create_future()

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, start, b"".join(chunks), scope.get(RECORDS_DEPS), scope=scope)
            await send(message)

        self._inflight += 1
        try:
            await self.app(scope, receive, capture)
        finally:
            self._inflight -= 1
            if owner is not None:
                self._computing.pop(key, None)
                kept = self._entries.get(key)
                owner.set_result(kept[:3] if kept is not None else None)

    def _shared_records(self, key: tuple, deps: tuple, scope: Scope) -> tuple | None:
        """A visitor's records answer that another worker has read at the records' current
        versions (shared_answers.py), kept here as if computed here; else None."""
        if self.shared is None or not anonymous(scope):
            return None
        base, keys, _, _ = deps
        now = versions(base, keys)
        found = self.shared.get_records(_store_identity(scope), key[1:], now, FRESH_FOR)
        if found is None:
            return None
        headers, body, age = found
        entry = (200, headers, body, (base, keys, now, time.monotonic() + FRESH_FOR - age))
        self._put(key, entry)
        return entry

    def _busy_swap(self, key: tuple, scope: Scope) -> tuple[int, list, bytes] | None:
        """The previous store's answer to this request, if the store was swapped in the last
        STALE_FOR seconds and the server is busy (BUSY requests already being computed): with a
        cold cache, hundreds of clients at once would otherwise queue for seconds. An idle server
        always answers from the new store, and a signed-in user's records answer is always read
        afresh (their own writes show at once)."""
        if not self._previous or self._inflight < BUSY:
            return None
        if time.monotonic() > self._previous_until:
            self._previous.clear()
            return None
        found = self._previous.get(key[1:])
        if found is None or (found[3] and not anonymous(scope)):
            return None
        return found[:3]

    async def _refresh_record(self, scope: Scope, key: tuple) -> None:
        try:
            await self._refresh(scope, key)
        finally:
            self._records_refreshing.discard(key)

    async def _refresh(self, scope: Scope, key: tuple) -> None:
        """Compute one answer from the current store in the background and keep it."""
        async with self._refresh_slots:
            watch = scope["app"].state.watch
            snap = watch.acquire()
            scope[SNAPSHOT], scope[GENERATION] = snap, snap.generation
            start: Message = {}
            chunks: list[bytes] = []

            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def capture(message: Message) -> None:
                nonlocal start
                if message["type"] == "http.response.start":
                    start = message
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))

            try:
                await self.app(scope, receive, capture)
                if snap.generation == key[0]:
                    self._keep(key, start, b"".join(chunks), scope.get(RECORDS_DEPS), scope=scope)
            except Exception:  # a refresh that fails leaves the request path to compute it
                pass
            finally:
                watch.release(snap)
                self._previous.pop(key[1:], None)

    def _keep(self, key: tuple, start: Message, body: bytes, records_deps: tuple | None = None,
              share: bool = True, scope: Scope | None = None) -> None:
        status = start.get("status")
        if status not in KEPT or len(body) > self.max_body:
            return
        if _personal(start):
            return  # a records page or a sign-in: it changes without a rebuild, or is per user
        if key[0] != self._generation:
            return  # answered from a store that has since been replaced
        if key in self._entries and not records_deps:
            return
        entry: tuple = (status, list(start.get("headers", [])), body)
        if records_deps:
            entry += ((*records_deps, time.monotonic() + FRESH_FOR),)
            if self.shared is not None and scope is not None and anonymous(scope):
                self.shared.put_records(_store_identity(scope), key[1:], records_deps[2], entry[1], body)
        elif share and self.shared is not None and scope is not None:
            self.shared.put(_store_identity(scope), key[1:], entry[1], body, status=status)
        self._put(key, entry)

    def _put(self, key: tuple, entry: tuple) -> None:
        """Keep an entry (replacing the key's previous one), then evict the oldest past the bounds."""
        if key in self._entries:
            self.bytes -= len(self._entries.pop(key)[2])
        self._entries[key] = entry
        self.bytes += len(entry[2])
        while self._entries and (len(self._entries) > self.max_entries or self.bytes > self.max_bytes):
            _, old = self._entries.popitem(last=False)
            self.bytes -= len(old[2])


def _store_identity(scope: Scope) -> tuple | None:
    """The store this request reads: the served path and the identity of the file there."""
    snap = scope.get(SNAPSHOT)
    if snap is None or snap.identity is None:
        return None
    return (str(scope["app"].state.watch.path), *snap.identity)


def _not_modified(raw_headers: list, if_none_match: bytes | None) -> bool:
    """Whether a revalidating client already holds the kept answer (its ETag is among theirs)."""
    if not if_none_match:
        return False
    etag = next((v for k, v in raw_headers if k.lower() == b"etag"), None)
    if etag is None:
        return False
    held = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
    return etag in held or b"*" in held


def _records_current(deps: tuple, scope: Scope) -> bool:
    """A kept records answer may be replayed: to a visitor, within FRESH_FOR, and while no write
    has advanced the change counters it was read from."""
    base, keys, seen, until = deps
    return anonymous(scope) and time.monotonic() < until and versions(base, keys) == seen


def _personal(start: Message) -> bool:
    """A response that must never be replayed to someone else: it sets a cookie or says no-store."""
    for name, value in start.get("headers", []):
        if name.lower() == b"set-cookie":
            return True
        if name.lower() == b"cache-control" and b"no-store" in value.lower():
            return True
    return False


async def _answer(send: Send, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
