"""Answers computed by one worker process, readable by the others.

`observatory serve --workers N` runs N processes, each with its own in-memory response cache
(cache.py). Without sharing, every worker computes every profile and map table once for itself:
N times the cold cost, and a worker that has not yet seen a URL answers it slowly long after the
others have it. Here a computed answer is also written to a folder named after the store file's
path and identity (inode and modification time), which every worker over that store reads before
it computes. A rebuilt store has a new identity, so a new folder: an answer is never read from the
wrong store. Folders of stores replaced more than an hour ago are removed.

Each answer is one file, written to a temporary name and renamed into place (atomic on POSIX), so
a reader sees a whole answer or none. A process writes at most MAX_BYTES, so that free-text
queries (search) cannot fill the disk; past that it only reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger("observatory.web")

MAX_BYTES = 256 << 20
KEEP_OLD_FOR = 3600.0


def root() -> Path:
    return Path(tempfile.gettempdir()) / f"observatory-answers-{os.getuid()}"


class SharedAnswers:
    def __init__(self, base: Path | None = None) -> None:
        self.base = base or root()
        self.written = 0
        self._folder: Path | None = None
        self._identity: tuple | None = None

    def folder(self, identity: tuple | None) -> Path | None:
        if identity is None:
            return None
        if identity != self._identity:
            self._identity = identity
            self._folder = self.base / hashlib.sha256(repr(identity).encode()).hexdigest()[:24]
            # in a thread of its own: this is asked on the event loop, and removing old folders
            # of thousands of answers would hold every request of the worker meanwhile
            threading.Thread(target=self._sweep, args=(self._folder,), name="observatory-sweep", daemon=True).start()
        return self._folder

    @staticmethod
    def _name(key: tuple) -> str:
        return hashlib.sha256(repr(key).encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def get(self, identity: tuple | None, key: tuple) -> tuple[int, list, bytes] | None:
        """(status, headers, body) of the answer kept for `key`, if another worker has kept one."""
        folder = self.folder(identity)
        if folder is None:
            return None
        try:
            data = (folder / self._name(key)).read_bytes()
        except OSError:
            return None
        size = int.from_bytes(data[:4], "big")
        try:
            head = json.loads(data[4:4 + size])
            status = int(head["status"])
            headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in head["headers"]]
        except (ValueError, TypeError, KeyError):  # a file from an older version, or not ours
            return None
        return status, headers, data[4 + size:]

    def put(self, identity: tuple | None, key: tuple, headers: list, body: bytes, counted: bool = True,
            status: int = 200) -> None:
        """`counted`: whether the answer counts against MAX_BYTES (records answers replace their
        previous file, so they do not add up). `status`: 200, or 204 for an empty map tile."""
        folder = self.folder(identity)
        if folder is None or (counted and self.written + len(body) > MAX_BYTES):
            return
        head = json.dumps({"status": status,
                           "headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]}).encode()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
            with os.fdopen(fd, "wb") as f:
                f.write(len(head).to_bytes(4, "big") + head + body)
            os.replace(tmp, folder / self._name(key))
            self.written += len(body) if counted else 0
        except OSError as exc:  # a full or read-only temporary folder: answers stay per worker
            log.warning("could not share an answer in %s: %s", folder, exc)

    # A visitor's records answer (cache.py) is shared too, one file per URL that each new answer
    # replaces: it holds the change-counter versions it was read at, and another worker takes it
    # only at those same versions and while it is fresh. After a write, one worker reads the
    # database and the others take its answer, instead of all of them reading it at once.

    def put_records(self, identity: tuple | None, key: tuple, seen: tuple, headers: list, body: bytes) -> None:
        self.put(identity, ("records", key), [(b"x-records-versions", repr(seen).encode()), *headers], body,
                 counted=False)

    def get_records(self, identity: tuple | None, key: tuple, seen: tuple, max_age: float) -> tuple[list, bytes, float] | None:
        """(headers, body, age in seconds) of the answer read at versions `seen`, if one is shared
        and younger than `max_age`."""
        folder = self.folder(identity)
        if folder is None:
            return None
        path = folder / self._name(("records", key))
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            return None
        if age >= max_age:
            return None
        found = self.get(identity, ("records", key))
        if found is None:
            return None
        _, headers, body = found
        if not headers or headers[0] != (b"x-records-versions", repr(seen).encode()):
            return None
        return headers[1:], body, age

    def _sweep(self, current: Path) -> None:
        """Remove the folders of stores replaced long ago (another worker may still be finishing
        with the previous store for a moment, so only old ones go)."""
        try:
            siblings = list(self.base.iterdir())
        except OSError:
            return
        now = time.time()
        for folder in siblings:
            try:
                if folder != current and now - folder.stat().st_mtime > KEEP_OLD_FOR:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue
