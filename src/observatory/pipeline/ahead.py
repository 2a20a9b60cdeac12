"""A second process for the build's work that needs nothing the rest of the build computes.

Why: most of a build is Python code, which runs on one core at a time (Python's lock), and these
machines have two. Three kinds of work need only what is known early: parsing the sources' files
(each file alone), the regions' shapes (unions of their districts') and the map's tiles (the
shapes, once areas are placed in the region). They are handed to a worker process when the build
knows their inputs and taken back when the build reaches them; meanwhile the build goes on.

The worker is a fresh interpreter (`python -m observatory.pipeline.ahead`), which loads the modules
its jobs use while the build reads its boundaries. It is not a fork of the building process, whose
threads (a progress bar, a dashboard's) and open databases a fork would copy half-held, nor
multiprocessing's spawn, which imports the caller's own script again. Jobs and answers are pickled
over its standard input and output, one at a time, in order; it exits when its input closes.

A job that fails, or a worker that cannot start, costs only time: the build does the work itself,
as it does with one core (OBSERVATORY_BUILD_PROCESSES=1), and reports any error in its own words.
The worker writes nothing anywhere: its answer comes back to the build, which writes the store and
the build cache as before, so a killed build leaves what a killed build always left.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import IO, TypeVar

T = TypeVar("T")

ENV = "OBSERVATORY_BUILD_PROCESSES"
# What the worker imports as it starts, before its first job arrives.
PRELOAD = ("observatory.sources.ofcom", "observatory.pipeline.map_tiles")
# A job longer than this is given up and done by the build itself (a stuck worker must not hang
# a build); the national tiles take a few seconds.
WAIT_S = 300
# Objects allocated (less those freed) between two collections of the youngest generation while a
# build runs, in the build and in its worker: a few collections a build instead of hundreds (a
# build makes few cycles but many short-lived objects). Python's default is 700.
GC_THRESHOLD = 50_000


class Ahead:
    """Jobs run in one worker process beside the build; `take` gives a job's answer."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = _allowed() if enabled is None else enabled
        self._worker: subprocess.Popen | None = None
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the worker now, so that it has loaded its modules when the first job comes."""
        if self.enabled and self._worker is None:
            self._start()

    def submit(self, func: Callable[..., T], *args: object) -> Job[T] | None:
        """Start `func(*args)` in the worker (a module-level function of the observatory, its
        arguments picklable); None when there is no worker."""
        if not self.enabled:
            return None
        if self._worker is None and not self._start():
            return None
        job: Job[T] = Job(self)
        with self._lock:
            n = len(self._waiting) + 1
            self._waiting[n] = job
        self._outbox.put((n, func.__module__, func.__qualname__, args))
        return job

    def _start(self) -> bool:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            self._worker = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        except OSError:
            self.enabled = False
            return False
        threading.Thread(target=self._send, args=(self._worker.stdin,), daemon=True,
                         name="build-worker-send").start()
        threading.Thread(target=self._receive, args=(self._worker.stdout,), daemon=True,
                         name="build-worker-receive").start()
        return True

    def _send(self, pipe: IO[bytes]) -> None:
        """Jobs to the worker, from a thread of their own: a worker busy with a job reads the next
        only when done, and the build must not wait for that."""
        try:
            while (item := self._outbox.get()) is not None:
                try:
                    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # arguments that cannot be sent: that job is the build's
                    self._settle(item[0], False, f"not sent: {exc}")
                    continue
                pipe.write(data)
                pipe.flush()
        except (OSError, ValueError):  # the worker has gone
            self._fail_all()
        finally:
            with contextlib.suppress(OSError):
                pipe.close()

    def _receive(self, pipe: IO[bytes]) -> None:
        try:
            while True:
                self._settle(*pickle.load(pipe))
        except Exception:  # the worker has gone (end of file), or sent what cannot be read
            self._fail_all()

    def _settle(self, n: int, ok: bool, answer: object) -> None:
        with self._lock:
            job = self._waiting.get(n)
            if job is None or job.done():
                return
            if ok:
                job.set_result(answer)
            else:
                job.set_exception(WorkerFailed(answer))

    def _fail_all(self) -> None:
        with self._lock:
            for job in self._waiting.values():
                if not job.done():
                    job.set_exception(WorkerFailed("the worker stopped"))

    def close(self) -> None:
        """Stop the worker; a job still running is abandoned (its answer is not wanted)."""
        if self._worker is not None:
            self._outbox.put(None)
            self._worker.kill()
            self._worker.wait()
            self._worker = None
        self._fail_all()

    def give_up(self) -> None:
        """No more jobs for a worker for the rest of the build (the one it had is stuck)."""
        self.enabled = False
        self.close()

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Job(Future[T]):
    """A job handed to the worker: its answer, or its failure, comes back as a Future's does."""

    def __init__(self, ahead: Ahead) -> None:
        super().__init__()
        self._ahead = ahead

    def abandon(self) -> None:
        """Give up the worker this job ran on (it is stuck): its other jobs fail at once, and the
        build does them itself instead of waiting for each in turn."""
        self._ahead.give_up()


class WorkerFailed(Exception):
    """A job the worker could not finish; the build does it itself."""


def take(job: Future[T] | None, compute: Callable[[], T]) -> T:
    """The job's answer; `compute()` here when there was no job or it failed."""
    if job is not None:
        try:
            return job.result(timeout=WAIT_S)
        except TimeoutError:
            if isinstance(job, Job):
                job.abandon()
        except Exception:  # the job's own error, or a worker that stopped: the build's turn
            pass
    return compute()


def _allowed() -> bool:
    setting = os.environ.get(ENV, "").strip()
    if setting:
        return setting.isdigit() and int(setting) > 1
    return (os.cpu_count() or 1) > 1


def serve(jobs: IO[bytes], answers: IO[bytes]) -> None:
    """The worker: run each job read from `jobs` and write its answer to `answers`, until the
    build closes `jobs`. A job's error goes back as its message (the build computes it again and
    reports it as it would have); nothing is printed."""
    for module in PRELOAD:
        importlib.import_module(module)
    # the modules' objects live as long as the worker: left out of every collection
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    while True:
        try:
            n, module, name, args = pickle.load(jobs)
        except EOFError:
            return
        try:
            func = importlib.import_module(module)
            for part in name.split("."):
                func = getattr(func, part)
            data = pickle.dumps((n, True, func(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # any failure is the build's to report, when it does the job itself
            data = pickle.dumps((n, False, f"{type(exc).__name__}: {exc}"), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(data)
        answers.flush()


if __name__ == "__main__":
    # Ctrl-C is the build's to handle: the worker goes when the build closes its input (or kills
    # it), without a traceback. Answers go out on a copy of standard output, and anything a job
    # prints goes nowhere, so that no stray line can corrupt them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    serve(sys.stdin.buffer, out)
