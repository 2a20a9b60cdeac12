"""Following the store file: a rebuild replaces it (`observatory build` writes a new file and moves
it into place), and a running dashboard should serve the new figures without a restart.

Everything the app derives from one store (what is available, the region, the map layers, the
templates' globals) is one immutable `Snapshot`. `StoreWatch` holds the current snapshot; at most
once a second a request stats the store path, and when the file's identity (inode and mtime)
differs from the open one a new snapshot is built and swapped in under a lock. Each request takes a
reference to one snapshot for its whole life (`acquire`/`release`), so a swap never changes the
store under a request that is reading it; the old store is closed when its last request ends.

No request waits for a swap while others are being served: opening and warming a rebuilt store
takes seconds under load, and a request that waited for it (and each one after it that found the
file still newer than the open store, once a second, each holding a thread-pool thread) stalled
for up to 30 s when a store was swapped under 200 clients (issue 21). So a busy server opens the
new store in a background thread and goes on answering from the open one until it is ready; only
an idle server's request (no other in flight) opens it first, so it reads the new store at once.
A good build swapped in also clears the "last build failed" banner (`app.state.build_error`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..store import Store, identity
from . import memory

log = logging.getLogger("observatory.web")

# Where a request's snapshot and its generation are kept in the ASGI scope.
SNAPSHOT = "observatory.snapshot"
GENERATION = "observatory.generation"
# Store-only parts of answers a snapshot keeps (Snapshot.remember): the region's every area
# profile (1,833 in the bundled workspace) with room for other settings.
REMEMBERED = 4096
# How long an idle server's request waits for a rebuilt store to open before it reads the open one.
IDLE_WAIT = 2.0
# How long a worker waits for the others to finish opening a rebuilt store before opening it anyway.
TURN_WAIT = 30.0


@dataclass(eq=False)
class Snapshot:
    """One open store and everything derived from it."""

    store: Store
    identity: tuple[int, int] | None
    generation: int
    available: list[dict[str, Any]]
    region: str | None
    layers: Any
    templates: Any
    suppress_below: int | None
    tiles: Any = field(default=None, repr=False)
    users: int = field(default=0, repr=False)
    retired: bool = field(default=False, repr=False)
    _answers: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _answers_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()` once for this store (the newest REMEMBERED keys kept): for the parts of an
        answer that read only the store, under a part that reads the records (an area profile's
        figures under its residents' challenge counts), so that a records change recomputes only
        its own part. The value is shared: callers copy before they change it."""
        with self._answers_lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        with self._answers_lock:
            self._answers[key] = value
            while len(self._answers) > REMEMBERED:
                self._answers.popitem(last=False)
        return value


class StoreWatch:
    def __init__(
        self,
        path: Path,
        derive: Callable[[Store, tuple[int, int] | None, int], Snapshot],
        check_every: float = 1.0,
        prepare: Callable[[Snapshot], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self._prepare = prepare  # more warming, for a store opened in the background (start_reload)
        self.check_every = check_every
        self._derive = derive
        self._lock = threading.Lock()
        self._opening = threading.Lock()  # one reload at a time, without blocking requests
        self._generation = 0
        self._checked = time.monotonic()
        self._failed: tuple[int, int] | None = None
        self.rebuilt = False  # a rebuilt store file has been swapped in since the start
        self._snap = self._open()

    def _open(self) -> Snapshot:
        store, ident = self._connect()
        try:
            self._generation += 1
            return self._derive(store, ident, self._generation)
        except BaseException:
            store.close()
            raise

    def _connect(self) -> tuple[Store, tuple[int, int] | None]:
        """Open the file now at the path, with the identity of exactly that file.

        DuckDB shares one database per path within a process: while the old store is open (a
        request may still be reading it), connecting to the same path again would hand back the
        old, replaced file. So the new file is opened through a hard link of its own, which is
        removed straight away (the open store keeps the file); the build's clean-up of abandoned
        temporary stores (".NAME.PID.tmp") never matches the link's name. Where no link can be
        made (a read-only directory), a later store is opened from a private copy instead.
        """
        link = self.path.with_name(f".{self.path.name}.serving-{os.getpid()}-{self._generation + 1}")
        try:
            link.unlink(missing_ok=True)
            os.link(self.path, link)
        except FileNotFoundError:
            return Store(self.path), None  # which says there is no store, and what to do
        except OSError as exc:
            if self._generation == 0:
                ident = identity(self.path)
                return Store(self.path), ident
            log.warning("could not link %s (%s); opening a copy of it", self.path, exc)
            return self._copy()
        try:
            ident = identity(link)
            store = Store(link)
        finally:
            link.unlink(missing_ok=True)
        store.path = self.path  # what it is the store of, for anyone reading it
        return store, ident

    def _copy(self) -> tuple[Store, tuple[int, int] | None]:
        with open(self.path, "rb") as src:
            st = os.fstat(src.fileno())
            fd, tmp = tempfile.mkstemp(prefix="observatory-serving-", suffix=".duckdb")
            with os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        try:
            store = Store(tmp)
        finally:
            os.unlink(tmp)
        store.path = self.path
        return store, (st.st_ino, st.st_mtime_ns)

    @property
    def current(self) -> Snapshot:
        return self._snap

    def stale(self) -> bool:
        """Cheap, and at most once per `check_every` seconds: has the file been replaced?"""
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return False
        self._checked = now
        ident = identity(self.path)
        # A missing file (mid-rebuild, or deleted) keeps the open store serving.
        return ident is not None and ident != self._snap.identity and ident != self._failed

    def reload(self, wait: bool = True) -> Snapshot:
        """Open the file now at the path and swap it in; on failure keep serving the open store.

        The new store is opened and warmed (app._warm) while requests go on being served from the
        old one: only the swap itself holds the lock that every request takes. `wait` False: when
        another thread is already opening it, return the open snapshot at once."""
        if not self._opening.acquire(blocking=wait):
            return self._snap
        try:
            return self._reload()
        finally:
            self._opening.release()

    def start_reload(self) -> bool:
        """Open the replaced file in a background thread (unless one is opening it already) and
        return at once: requests go on with the open store meanwhile. True if a thread started."""
        if not self._opening.acquire(blocking=False):
            return False

        def run() -> None:
            try:
                self._reload(prepare=True)
            finally:
                self._opening.release()

        threading.Thread(target=run, name="observatory-store-reload", daemon=True).start()
        return True

    def reload_within(self, seconds: float) -> None:
        """Open the replaced file in the background and wait for it at most `seconds`: an idle
        server's request reads the new store when it opens quickly, and is never held longer (a
        worker idle for a moment under load waited 16-30 s for a rebuilt store to be warmed)."""
        self.start_reload()
        if self._opening.acquire(timeout=seconds):
            self._opening.release()

    def serve_in_worker(self) -> None:
        """For the watch of a long-running server worker process (server.worker_app): prepare the
        open store now, in a background thread, as a rebuilt one is before its swap (the first
        area profiles of a worker just started each waited 6-8 s for the exclusion model, issue
        21); and keep what is held for long out of Python's full garbage collections
        (memory.tend: they paused the worker's every request)."""
        snap = self._snap

        def run() -> None:
            try:
                if self._prepare is not None:
                    self._prepare(snap)
            except Exception:
                log.exception("could not prepare the store at %s; it is served all the same", self.path)

        threading.Thread(target=run, name="observatory-prepare", daemon=True).start()
        memory.tend(self.idle)

    def idle(self) -> bool:
        """No request is being answered (none holds a snapshot)."""
        with self._lock:
            return self._snap.users == 0

    @property
    def reloading(self) -> bool:
        return self._opening.locked()

    def _reload(self, prepare: bool = False) -> Snapshot:
        """Open and swap in the replaced file; the caller holds `_opening`. `prepare`: nobody is
        waiting for it, so warm it further first (`prepare`, given by the app)."""
        ident = identity(self.path)
        if ident is None or ident == self._snap.identity:
            return self._snap
        try:
            with _one_worker_at_a_time(self.path) if prepare else contextlib.nullcontext():
                new = self._open()
                if prepare and self._prepare is not None:
                    self._prepare(new)
        except Exception:
            log.exception("could not open the rebuilt store at %s; still serving the previous one", self.path)
            self._failed = ident
            return self._snap
        self.rebuilt = True  # a build since the server started: its earlier failure no longer applies
        with self._lock:
            return self._swap(new)

    def renew(self) -> Snapshot:
        """A new snapshot of the same store, with a new generation: the workspace's settings (a
        target, say) changed, so every answer derived with them is recomputed, not served from
        the response cache."""
        with self._opening:
            try:
                new = self._open()
            except Exception:
                log.exception("could not reopen the store at %s; still serving the previous snapshot", self.path)
                return self._snap
            with self._lock:
                return self._swap(new)

    def _swap(self, new: Snapshot) -> Snapshot:
        old, self._snap = self._snap, new
        old.retired = True
        if old.users == 0:
            old.store.close()
        log.info("store at %s changed: now serving generation %d", self.path, new.generation)
        return new

    def acquire(self) -> Snapshot:
        with self._lock:
            snap = self._snap
            snap.users += 1
            return snap

    def release(self, snap: Snapshot) -> None:
        with self._lock:
            snap.users -= 1
            if snap.retired and snap.users == 0:
                snap.store.close()

    def close(self) -> None:
        with self._lock:
            self._snap.retired = True
            if self._snap.users == 0:
                self._snap.store.close()


class FollowStore:
    """Outermost middleware: gives each request one snapshot for its whole life."""

    def __init__(self, app: ASGIApp, watch: StoreWatch) -> None:
        self.app = app
        self.watch = watch
        self.inflight = 0  # requests being answered by this worker now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.watch.stale():
            if self.inflight == 0 and not self.watch.reloading:
                # Idle: this request may as well read the new store, if it opens within IDLE_WAIT
                # (opening runs queries: off the event loop, in a thread of its own). Only the
                # request that starts the opening waits: under load a worker is "idle" between
                # requests every second, and each such request waiting added 2 s to the p99.
                await run_in_threadpool(self.watch.reload_within, IDLE_WAIT)
            else:
                self.watch.start_reload()  # busy: nobody waits; the swap happens when it is ready
        snap = self.watch.acquire()
        if self.watch.rebuilt:
            _clear_build_error(scope)
        # In place, so the server-error handler (outside this middleware) sees it too.
        scope[SNAPSHOT] = snap
        scope[GENERATION] = snap.generation
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1
            self.watch.release(snap)


def _clear_build_error(scope: Scope) -> None:
    """A store built since the server started has been swapped in: the build that failed before
    has been followed by a good one, so the pages' "last build failed" banner goes."""
    state = getattr(scope.get("app"), "state", None)
    if state is not None and getattr(state, "build_error", None):
        log.info("a new store is served: the earlier build failure no longer applies")
        state.build_error = None


@contextlib.contextmanager
def _one_worker_at_a_time(store: Path):
    """Held while a worker opens and prepares a rebuilt store in the background: the workers of
    `serve --workers N` take turns (lock files, one per two cores), so at most half the cores go
    to preparing while the others go on answering. All four workers at once took both cores of a
    2-core server for seconds, and requests waited (issue 21). The open store serves meanwhile; a
    worker that has waited TURN_WAIT goes ahead; where no lock file can be made, there is no turn
    to wait for."""
    turns = max(1, (os.cpu_count() or 2) // 2)
    # in the temporary folder, not beside the store: the build folder holds only what the build makes
    name = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
    fds = []
    try:
        for turn in range(turns):
            path = Path(tempfile.gettempdir()) / f"observatory-{os.getuid()}-opening-{name}-{turn}.lock"
            fds.append(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:
        for fd in fds:
            os.close(fd)
        yield
        return
    try:
        deadline = time.monotonic() + TURN_WAIT
        while not any(_took(fd) for fd in fds) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield
    finally:
        for fd in fds:
            os.close(fd)  # which lets go of a lock held on it


def _took(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
