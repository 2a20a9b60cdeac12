"""Answers computed once per key, by one thread: the others asking for that key meanwhile wait for
it rather than compute it again. After a store swap, dozens of requests asked for the same answer
at once (a level's figures, the exclusion-risk index for the default weights), and each computing
it again took the server's CPU for seconds (issue 21)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any


class Once:
    """Values by key, each computed once. `limit`: past that many, all are forgotten (for keys
    that can come from a visitor's choices); None: kept for as long as the owner lives (keys
    from a fixed set)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        # read with .get, never [key]: with a limit, another thread may forget every value between
        # a check and a read
        value = self._values.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            value = self._values.get(key, _MISSING)
            if value is _MISSING:
                value = compute()
                with self._guard:
                    if self.limit is not None and len(self._values) >= self.limit:
                        self._values.clear()
                        self._locks = {key: lock}
                    self._values[key] = value
            return value


_MISSING = object()
