"""A PostgreSQL 15 server of the tests' own: initdb into a temporary directory, started on a free port
of 127.0.0.1, stopped at the end. The server refuses to run as root: as root, it runs as `postgres`."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

BIN = Path(os.environ.get("PODBOT_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@contextlib.contextmanager
def running() -> Iterator[str]:
    """A fresh server; yields the DSN of its `postgres` database (trust authentication, local only)."""
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL's programs are not in {BIN}: install `postgresql` (apt-get)")
    home = Path(tempfile.mkdtemp(prefix="podbot-pg-"))
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user(
            [str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        if not os.environ.get("PODBOT_PG_KEEP"):
            shutil.rmtree(home, ignore_errors=True)
