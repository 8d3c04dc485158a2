"""A real PostgreSQL server for the tests: initdb into a temporary directory, `pg_ctl start` on a free port
of 127.0.0.1, stopped at the end of the session. No system service is used or needed.

The server refuses to run as root: as root (CI containers), it runs as the `postgres` user that Debian's
package creates (runuser). Each test gets a database of its own, copied from a migrated template
(CREATE DATABASE … TEMPLATE: a file copy, milliseconds).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

# Debian's packages put the server's programs here, not on PATH.
BIN_GLOBS = ("/usr/lib/postgresql/*/bin",)
RUN_AS = "postgres"


def binaries() -> Path:
    for pattern in BIN_GLOBS:
        found = sorted(glob.glob(pattern), key=lambda p: int(Path(p).parent.name), reverse=True)
        for folder in found:
            if (Path(folder) / "pg_ctl").exists():
                return Path(folder)
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError(
        "the tests need a PostgreSQL server's programs (initdb, pg_ctl): install Debian's `postgresql`"
        " package (.ci/run does)"
    )


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self) -> None:
        self._bin = binaries()
        self._root = Path(tempfile.mkdtemp(prefix="podbot-pg-"))
        self._data = self._root / "data"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        self._names = itertools.count()

    def _run(self, *args: str) -> None:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        """Create the cluster (the first time) and start the server."""
        if not self._data.exists():
            if self._as_root:
                shutil.chown(self._root, RUN_AS)
            self._run(
                "initdb", "-D", str(self._data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"
            )
        # Durability is not what the tests are about: fsync off makes CREATE DATABASE and commits fast.
        options = f"-p {self.port} -k {self._root} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", str(self._data), "-o", options, "-l", str(self._root / "log"), "-w", "start"
        )

    def stop(self, *, keep: bool = False) -> None:
        """Stop the server. For good (no `keep`): at once, and its files go. Kept: as an operator stops
        it (fast: open connections are cut, what was committed is written out; fsync is off here, so an
        immediate stop could lose the last commits, which is no test of podbot)."""
        mode = "fast" if keep else "immediate"
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self._data), "-m", mode, "-w", "stop")
        if not keep:
            shutil.rmtree(self._root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); its URL."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name}{suffix}".encode())
        return self.url(name)
