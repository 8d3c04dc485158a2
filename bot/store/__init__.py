"""The episode store: SQLite (one file, the default) or PostgreSQL (a URL), behind one interface.

Two roles, whatever the engine: the writer serialises ingests (one transaction per source), the reader
answers queries from the last committed state, so a search never sees half an ingest. All SQL lives in
this package, written once against bot.store.db.Connection; callers get plain dataclasses back.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from bot.locations import is_postgres_url
from bot.store.catalog import Catalog, IngestReport, StoredEpisode
from bot.store.errors import StoreDamaged, StoreError, is_damage
from bot.store.follow import Follows
from bot.store.shows import Shows

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from types import TracebackType

    from bot.store.db import Connection, Engine

__all__ = ["IngestReport", "Store", "StoreDamaged", "StoreError", "StoredEpisode", "is_damage"]

log = logging.getLogger(__name__)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.location = engine.location
        # Where the search threads and the lookup process open their own connections: the SQLite file,
        # or the PostgreSQL URL (with its password: never shown, never put on a command line).
        self.address: Path | str = engine.address
        # The store file (SQLite only: a PostgreSQL store has none).
        self.path = Path(engine.location) if engine.name == "sqlite" else None
        self.catalog = Catalog(self)
        self.follows = Follows(self)
        self.shows = Shows(self)

    @classmethod
    async def open(cls, path: str | Path) -> Self:
        """Open (creating if needed) and migrate the store at `path`: a SQLite file, or a PostgreSQL URL
        (postgresql://…); StoreError says what is wrong."""
        # Each engine's module (and its driver) is imported by the stores that use it: the search's lookup
        # process imports this package for its reads, and needs neither.
        engine: Engine
        if is_postgres_url(path):
            from bot.store.postgres import PostgresEngine

            engine = await PostgresEngine.open(str(path))
        else:
            from bot.store.sqlite import SqliteEngine

            engine = await SqliteEngine.open(Path(path))
        log.debug("opened store %s", engine.location)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def verify(self) -> None:
        """StoreDamaged unless the whole store reads back as written: for commands about to write, which
        must not build on damaged pages."""
        await self.engine.verify()

    @property
    def reader(self) -> Connection:
        return self.engine.reader

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One write transaction: everything inside commits together or not at all."""
        async with self.engine.transaction() as conn:
            yield conn
