"""The SQLite engine: one file, opened through aiosqlite, in WAL mode with foreign keys on.

Two long-lived connections, one per role: the writer serialises ingests (one transaction per source), the
reader answers queries from the last committed snapshot, so a search never sees half an ingest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import aiosqlite

from bot.store.errors import StoreDamaged, StoreError, is_damage
from bot.store.migrations import migrate
from bot.store.pairs import register as register_functions
from bot.store.sqlite_segments import SqliteSegments

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Sequence

    from bot.store.db import Row

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000


class SqliteConnection:
    """bot.store.db.Connection over one aiosqlite connection.

    Each statement runs on the connection's thread in one hop, statement, fetch and cursor close
    together (aiosqlite's Connection._execute, stable across the pinned 0.22 series), rather than
    aiosqlite's cursor API's two or three (execute, fetch, close): storing the 15 MB bench feed is 20k
    statements, and the hops between the threads were most of its CPU time.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.raw = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(await self.raw._execute(_execute, self.raw._conn, sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return int(await self.raw._execute(_executemany, self.raw._conn, sql, rows))

    async def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        prepare: Callable[[list[Row]], list[Row]] | None = None,
    ) -> int:
        batch = [tuple(r) for r in rows]
        if prepare is not None:
            batch = await asyncio.to_thread(prepare, batch)
        marks = ", ".join("?" * len(columns))
        return await self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = await self.raw._execute(_fetch_one, self.raw._conn, sql, params)
        return row

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = await self.raw._execute(_fetch_all, self.raw._conn, sql, params)
        return rows


# Run on the aiosqlite connection's own thread (SqliteConnection).
def _execute(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> int:
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _executemany(conn: sqlite3.Connection, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    cursor = conn.executemany(sql, rows)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _fetch_one(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> Row | None:
    cursor = conn.execute(sql, params)
    try:
        row = cursor.fetchone()
    finally:
        cursor.close()
    return tuple(row) if row is not None else None


def _fetch_all(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Row]:
    cursor = conn.execute(sql, params)
    try:
        return [tuple(r) for r in cursor.fetchall()]
    finally:
        cursor.close()


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; every write goes through transaction().
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        # Another process may hold the write lock for as long as its ingest stores (a 15 MB feed: about
        # ten seconds): wait for it rather than fail. Reads never wait (WAL).
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
            await cursor.fetchone()
        await conn.execute("PRAGMA synchronous = NORMAL")
        # The transcript triggers call it (migration 004): every connection that may write needs it.
        await register_functions(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


def _prepare_location(path: Path) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a store file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for the store {path}: {exc.strerror}") from exc
    _refuse_another_programs_database(path)
    return path


def _refuse_another_programs_database(path: Path) -> None:
    """An SQLite file with tables but schema version 0 belongs to some other program: opening it as a
    store would switch it to WAL and write podbot's tables into it. Checked read-only, before that."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        # as_uri() needs an absolute path: a relative --db ("podbot.db") would fail here on every run after
        # the first, once the file exists.
        with contextlib.closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as conn:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            foreign = version == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone()
    except sqlite3.DatabaseError:
        return  # not SQLite at all: open() says so, without touching it
    if foreign:
        raise StoreError(
            f"{path} is another program's SQLite database, not a podbot store; point --db at a new file"
        )


class SqliteEngine:
    name = "sqlite"

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self.location = str(path)
        self.address = path
        self._writer = SqliteConnection(writer)
        self._reader = SqliteConnection(reader)
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Self:
        """Open (creating if needed) and migrate the store file at `path`; StoreError says what is wrong."""
        path = await asyncio.to_thread(_prepare_location, path)
        writer = reader = None
        try:
            writer = await _connect(path)
            await migrate(writer)
            reader = await _connect(path)
            await reader.execute("PRAGMA query_only = ON")
        except (sqlite3.DatabaseError, OSError) as exc:
            for conn in (reader, writer):
                if conn is not None:
                    await conn.close()
            if is_damage(exc):
                raise StoreDamaged(path) from exc
            raise StoreError(f"{path} is not a usable podbot store: {exc}") from exc
        except BaseException:
            for conn in (reader, writer):
                if conn is not None:
                    await conn.close()
            raise
        return cls(path, writer, reader)

    @property
    def reader(self) -> SqliteConnection:
        return self._reader

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteConnection]:
        async with self._write_lock:
            writer = self._writer.raw
            await writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await writer.rollback()
                raise
            else:
                await writer.commit()

    def segment_writer(self, columns: Sequence[str]) -> SqliteSegments:
        return SqliteSegments(columns)

    async def verify(self) -> None:
        """Reads the whole file (PRAGMA quick_check): every page must read back as SQLite wrote it."""
        try:
            row = await self._reader.fetch_one("PRAGMA quick_check(1)")
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(self.path) from exc
        if row is None or row[0] != "ok":
            log.error("store %s failed its integrity check: %s", self.path, row)
            raise StoreDamaged(self.path)

    async def close(self) -> None:
        async with self._write_lock:
            for conn in (self._reader, self._writer):
                with contextlib.suppress(sqlite3.ProgrammingError, ValueError):
                    await conn.raw.close()
