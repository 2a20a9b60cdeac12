"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a free port, pg_ctl
start, and stop at the end. One per test session, i.e. one per pytest-xdist worker, each in its
worker's own temporary folder (socket included) on its own port. Debian's server binaries (apt `postgresql`; `make test` installs it)
live under /usr/lib/postgresql/<version>/bin. As root, the server runs as the `postgres` user."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path


def pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClusterError(RuntimeError):
    """initdb or pg_ctl failed; the message holds what it printed."""


class Cluster:
    def __init__(self, folder: Path) -> None:
        bindir = pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run `make test` (it installs Debian's postgresql).")
        self.bin = bindir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:  # say why: a bare CalledProcessError hides the server's own message
            raise ClusterError(f"{' '.join(args)} exited {done.returncode}: "
                               f"{(done.stderr or done.stdout).strip()[-2000:]}")

    def start(self) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
            os.chmod(self.folder, 0o700)
            # the folder's parents must be traversable by postgres
            for parent in self.folder.parents:
                if str(parent).startswith(("/tmp", "/var/tmp")) and parent != Path("/tmp"):
                    os.chmod(parent, os.stat(parent).st_mode | 0o711)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
                  "-E", "UTF8", "--no-sync")
        # free_port() lets the port go before the server takes it: under pytest-xdist another
        # worker's cluster can take it first, so a start that fails is tried on a new port
        for attempt in range(3):
            opts = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                          str(self.folder / "server.log"), "-w", "start")
                return self
            except ClusterError:
                if attempt == 2:
                    raise
                self.port = free_port()
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except ClusterError:
            pass

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # name made by the fixture, never user input
        return self.url(name)
