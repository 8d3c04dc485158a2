"""The PostgreSQL engine (`PODBOT_DB=postgresql://…`), through psycopg 3.

The same two roles as SQLite: a writer connection whose transactions this process serialises (one per
ingest, as on SQLite), and a reader in autocommit mode, so that each query sees the last committed state.
Statements are the store's own, with `?` placeholders translated once (bot.store.placeholders); psycopg
prepares a statement on the server once it has run a few times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg

# Where it was defined before bot.locations: importers of this name here keep working.
from bot.locations import is_postgres_url as is_postgres_url
from bot.store import pg_segments
from bot.store.errors import StoreError
from bot.store.pg_migrations import migrate
from bot.store.placeholders import to_pyformat

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence

    from bot.store.db import Row

log = logging.getLogger(__name__)
T = TypeVar("T")

CONNECT_TIMEOUT_S = 10
# SQLSTATE classes of a server that went away: connection exceptions, and shutdowns (57P01-57P05).
GONE_AWAY = ("08", "57P")
# Rows prepared at a time for a COPY (insert_rows): enough to keep the thread's hops few, few enough that
# the server starts on the first ones soon.
COPY_CHUNK = 1_000
# psycopg formats COPY rows on the event loop's thread and yields only when the socket is full: a chunk of
# segments (a tsvector and its pairs each) took 7-14 ms in one step. Yielding every so many rows keeps the
# loop's other work waiting a millisecond or two at most.
COPY_ROWS_PER_STEP = 100


def shown(url: str) -> str:
    """The URL as messages and logs show it: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))


class StoreUnavailable(StoreError):
    """The database server went away (stopped, restarted, the network dropped): the transaction in flight
    was rolled back by the server, so nothing half-written stays; the next command connects again."""


@contextlib.contextmanager
def _answering(url: str) -> Iterator[None]:
    try:
        yield
    except psycopg.OperationalError as exc:
        if exc.sqlstate is not None and not exc.sqlstate.startswith(GONE_AWAY):
            # The server is there and refused the statement (a limit exceeded, a full disk): saying it
            # "stopped answering" would send the operator looking in the wrong place.
            raise StoreError(
                f"the PostgreSQL store {shown(url)} refused a statement ({_reason(exc)}); nothing of it was kept"
            ) from exc
        raise StoreUnavailable(
            f"the PostgreSQL store {shown(url)} stopped answering ({_reason(exc)}); nothing half-done was"
            " kept: try again once it is back"
        ) from exc


class PostgresConnection:
    """bot.store.db.Connection over one psycopg async connection, opened again after the server went away."""

    def __init__(self, url: str, conn: psycopg.AsyncConnection[Any]) -> None:
        self.url = url
        self.raw = conn
        # Inside a write transaction a statement is never retried on a new connection: it would run
        # outside the transaction.
        self.in_transaction = False

    async def live(self) -> psycopg.AsyncConnection[Any]:
        if self.raw.broken:
            self.raw = await _connect(self.url)
        return self.raw

    async def _run(self, work: Callable[[psycopg.AsyncCursor[Any]], Awaitable[T]]) -> T:
        with _answering(self.url):
            try:
                async with (await self.live()).cursor() as cursor:
                    return await work(cursor)
            except psycopg.OperationalError:
                # A connection idle through a server restart learns that it is dead only now: one more
                # try on a new one, for a statement that is a transaction of its own.
                if self.in_transaction or not self.raw.broken:
                    raise
                async with (await self.live()).cursor() as cursor:
                    return await work(cursor)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async def run(cursor: psycopg.AsyncCursor[Any]) -> int:
            await cursor.execute(to_pyformat(sql), tuple(params))
            return max(cursor.rowcount, 0)

        return await self._run(run)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        batch = [tuple(r) for r in rows]
        if not batch:
            return 0

        async def run(cursor: psycopg.AsyncCursor[Any]) -> int:
            await cursor.executemany(to_pyformat(sql), batch)
            return max(cursor.rowcount, 0)

        return await self._run(run)

    async def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        prepare: Callable[[list[Row]], list[Row]] | None = None,
    ) -> int:
        """Through COPY: one statement for all the rows, each value in its text form (the server reads
        a tsvector as its literal). Storing the 15 MB bench feed's 39k segments alone, an episode's at a
        time: server CPU 14.2 -> 10.1 s and client CPU 2.6 -> 1.6 s, against a prepared INSERT per row
        in a pipeline. With `prepare`, the next chunk is prepared in a thread while the server reads the
        one before: the two cores work at once (all 39k in one COPY: 9.0 -> 6.0 s)."""
        batch = [tuple(r) for r in rows]
        if not batch:
            return 0
        chunks = [batch[i : i + COPY_CHUNK] for i in range(0, len(batch), COPY_CHUNK)]
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

        async def run(cursor: psycopg.AsyncCursor[Any]) -> int:
            upcoming = _prepared(chunks[0], prepare)
            try:
                async with cursor.copy(statement) as copy:
                    for i in range(len(chunks)):
                        chunk = await upcoming
                        if i + 1 < len(chunks):
                            upcoming = _prepared(chunks[i + 1], prepare)
                        for n, row in enumerate(chunk, 1):
                            await copy.write_row(row)
                            if n % COPY_ROWS_PER_STEP == 0:
                                await asyncio.sleep(0)
            finally:
                # A COPY that failed leaves its next chunk's preparing behind: not waited for, not reported.
                upcoming.cancel()
            return len(batch)

        return await self._run(run)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async def run(cursor: psycopg.AsyncCursor[Any]) -> Row | None:
            await cursor.execute(to_pyformat(sql), tuple(params))
            return await cursor.fetchone()

        return await self._run(run)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async def run(cursor: psycopg.AsyncCursor[Any]) -> list[Row]:
            await cursor.execute(to_pyformat(sql), tuple(params))
            return await cursor.fetchall()

        return await self._run(run)


async def _connect(url: str) -> psycopg.AsyncConnection[Any]:
    # autocommit: no transaction is left open between statements; writes open theirs explicitly.
    return await psycopg.AsyncConnection.connect(
        url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="podbot"
    )


class PostgresEngine:
    name = "postgresql"

    def __init__(
        self, url: str, writer: psycopg.AsyncConnection[Any], reader: psycopg.AsyncConnection[Any]
    ) -> None:
        self.url = url
        self.location = shown(url)
        self.address = url
        self._writer = PostgresConnection(url, writer)
        self._reader = PostgresConnection(url, reader)
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str) -> Self:
        """Connect to the database at `url` and migrate it; StoreError says what is wrong."""
        writer = reader = None
        try:
            writer = await _connect(url)
            await migrate(writer)
            reader = await _connect(url)
        except psycopg.Error as exc:
            for conn in (reader, writer):
                if conn is not None:
                    await conn.close()
            raise StoreError(f"cannot use the PostgreSQL store {shown(url)}: {_reason(exc)}") from exc
        except BaseException:
            for conn in (reader, writer):
                if conn is not None:
                    await conn.close()
            raise
        engine = cls(url, writer, reader)
        try:
            await pg_segments.fill_pairs(engine)
        except BaseException:
            await engine.close()
            raise
        return engine

    @property
    def reader(self) -> PostgresConnection:
        return self._reader

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        async with self._write_lock:
            writer = self._writer
            # BEGIN as a statement of its own (retried on a new connection after a server restart), then
            # every statement of the block on that connection, never retried.
            await writer.execute("BEGIN")
            writer.in_transaction = True
            try:
                with _answering(self.url):
                    try:
                        yield writer
                    except BaseException:
                        if not writer.raw.broken:
                            await writer.raw.execute("ROLLBACK")
                        raise
                    await writer.raw.execute("COMMIT")
            finally:
                writer.in_transaction = False

    def segment_writer(self, columns: Sequence[str]) -> pg_segments.PendingSegments:
        return pg_segments.PendingSegments(columns)

    async def verify(self) -> None:
        """The server keeps its own pages (checksums, WAL): nothing for podbot to check beyond reaching it."""
        await self._reader.fetch_one("SELECT 1")

    async def close(self) -> None:
        async with self._write_lock:
            for conn in (self._reader, self._writer):
                await conn.raw.close()


def _prepared(rows: list[Row], prepare: Callable[[list[Row]], list[Row]] | None) -> asyncio.Future[list[Row]]:
    """`prepare(rows)`, started now in a worker thread (or the rows as they are, at once)."""
    if prepare is None:
        done: asyncio.Future[list[Row]] = asyncio.get_running_loop().create_future()
        done.set_result(rows)
        return done
    return asyncio.ensure_future(asyncio.to_thread(prepare, rows))


def _reason(exc: psycopg.Error) -> str:
    """libpq's message, first line only (the rest repeats the host and port)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
