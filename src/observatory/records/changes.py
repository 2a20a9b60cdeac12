"""Which records changed, and when, as cheaply as a `stat`: the version counters that let every
worker process of `observatory serve --workers N` keep records answers in memory and still never
serve one that a write on this machine has made stale.

A counter is a file, one per key, in a folder named after the database (its URL hashed): a commit
that wrote audit entries appends one byte to the file of each entity it touched ("action") and
of each record ("action:3"), so the file's size only grows. A cached answer remembers the sizes
of the keys it was built from and is served only while they are unchanged. Appending is atomic
(O_APPEND), so several processes can bump the same counter without a lock.

Writes from another machine, or made outside the observatory (psql), do not bump a counter: a
cached records answer is therefore also kept for at most FRESH_FOR seconds (web/cache.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("observatory.records")

# Advanced by every commit that changes any record: for answers that read the records as a whole.
ANY = "*"
# Advanced when the database is created or migrated (`records upgrade`, `records seed-demo`): a
# running dashboard that found it missing or out of date opens it again, and the figures derived
# from the records are recomputed from what it now holds.
SCHEMA = "schema"

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def folder(url: str) -> Path:
    """Where the counters of the database at `url` live (per user, per database)."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"observatory-records-{os.getuid()}" / digest


def _file(base: Path, key: str) -> Path:
    return base / _UNSAFE.sub("_", key).replace(":", "=")


def versions(base: Path, keys: Iterable[str]) -> tuple[int, ...]:
    """The current version of each key (0 for a key never bumped)."""
    out = []
    for key in keys:
        try:
            out.append(os.stat(_file(base, key)).st_size)
        except FileNotFoundError:
            out.append(0)
    return tuple(out)


def stamp(base: Path, keys: Iterable[str]) -> str:
    """The versions of `keys` as one string that also changes when a counter file is made anew (a
    cleared temporary folder starts counting from 0 again): each file's inode and size."""
    out = []
    for key in keys:
        try:
            st = os.stat(_file(base, key))
            out.append(f"{st.st_ino}.{st.st_size}")
        except FileNotFoundError:
            out.append("0")
    return ",".join(out)


def bump(base: Path, keys: Iterable[str]) -> None:
    """Advance each key's counter. Called after a commit: a failure here (a full or read-only
    temporary folder) must not undo the write, so it is logged and cached answers then wait for
    FRESH_FOR to pass."""
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        for key in set(keys):
            fd = os.open(_file(base, key), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, b".")
            finally:
                os.close(fd)
    except OSError as exc:
        log.warning("could not record a records change in %s: %s", base, exc)


def keys_for(entity: str, entity_id: object) -> tuple[str, str]:
    """The keys a change to one record bumps: its entity (lists of them) and the record itself."""
    return entity, f"{entity}:{entity_id}"
