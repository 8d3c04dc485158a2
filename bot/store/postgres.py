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
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bot.config import POSTGRES_SCHEMES
from bot.store.errors import StoreError
from bot.store.pg_migrations import migrate
from bot.store.placeholders import to_pyformat

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Sequence

    from bot.store.db import Row

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def shown(url: str) -> str:
    """The URL as messages and logs show it: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))


class PostgresConnection:
    """bot.store.db.Connection over one psycopg async connection."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.raw = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self.raw.cursor() as cursor:
            await cursor.execute(to_pyformat(sql), tuple(params))
            return max(cursor.rowcount, 0)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        batch = [tuple(r) for r in rows]
        if not batch:
            return 0
        async with self.raw.cursor() as cursor:
            await cursor.executemany(to_pyformat(sql), batch)
            return max(cursor.rowcount, 0)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self.raw.cursor() as cursor:
            await cursor.execute(to_pyformat(sql), tuple(params))
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self.raw.cursor() as cursor:
            await cursor.execute(to_pyformat(sql), tuple(params))
            return await cursor.fetchall()


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
        self._writer = PostgresConnection(writer)
        self._reader = PostgresConnection(reader)
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
        return cls(url, writer, reader)

    @property
    def reader(self) -> PostgresConnection:
        return self._reader

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        async with self._write_lock, self._writer.raw.transaction():
            yield self._writer

    async def verify(self) -> None:
        """The server keeps its own pages (checksums, WAL): nothing for podbot to check beyond reaching it."""
        await self._reader.fetch_one("SELECT 1")

    async def close(self) -> None:
        async with self._write_lock:
            for conn in (self._reader, self._writer):
                await conn.raw.close()


def _reason(exc: psycopg.Error) -> str:
    """libpq's message, first line only (the rest repeats the host and port)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
