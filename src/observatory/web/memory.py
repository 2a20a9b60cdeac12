"""Python's garbage collector in a long-running server worker.

A worker holds some 250,000 objects for as long as its store is open (the kept figures, the
exclusion model, remembered profiles), and each of Python's full collections walked them all to
find the few cycles among what requests had left behind. Measured with `gc.callbacks` under 200
clients on 2 cores (benchmarks/bench_records.py): a dozen full collections a minute per worker,
each 0.5-1.2 s in which none of that worker's requests moved: the slowest second of the run.

So what has lived a while is frozen every FREEZE_EVERY seconds (gc.freeze: "move all objects
tracked by the garbage collector into a permanent generation, i.e. ignore them in all future
collections"), and the collections left walk only what is newer. Freezing frees nothing early and
keeps nothing alive: a frozen object no longer referenced is freed as soon as its last reference
goes. What it cannot free is a cycle of frozen objects no longer used (a few thousand objects of
each store swapped out): those are collected with everything unfrozen once the worker is idle
(no request in flight at two checks a second apart), where a pause delays nobody.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

FREEZE_EVERY = 10.0
# Frozen objects gained since the last full collection before one is worth an idle moment.
COLLECT_AFTER = 5_000


def tend(idle: Callable[[], bool]) -> threading.Thread:
    """Start the thread that freezes and, when `idle()` holds twice a second apart, collects."""
    thread = threading.Thread(target=_tend, args=(idle,), name="observatory-memory", daemon=True)
    thread.start()
    return thread


def _tend(idle: Callable[[], bool]) -> None:
    collected_at = gc.get_freeze_count()
    frozen_at = time.monotonic()
    was_idle = False
    while True:
        time.sleep(1.0)
        now_idle = idle()
        if now_idle and was_idle and gc.get_freeze_count() > collected_at + COLLECT_AFTER:
            collected_at = collect()
        elif time.monotonic() - frozen_at >= FREEZE_EVERY:
            gc.freeze()
            frozen_at = time.monotonic()
        was_idle = now_idle


def collect() -> int:
    """A full collection of everything, frozen or not; what survives is frozen again. Returns
    how many objects are frozen after it."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
