"""The one interface store modules talk to, whatever engine answers (SQLite or PostgreSQL).

A `Connection` runs SQL written with `?` placeholders (the engine translates them where it needs another
style) and returns plain tuples. An `Engine` has two roles, as the store always had: a reader for
queries, and write transactions that commit together or not at all. Nothing here is engine-specific;
bot/store/sqlite.py and bot/store/postgres.py implement it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from contextlib import AbstractAsyncContextManager
    from pathlib import Path

Row = tuple[Any, ...]


class Connection(Protocol):
    """One connection's statements. Parameters are positional, marked `?` in the SQL."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; how many rows it changed (for INSERT/UPDATE/DELETE)."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement once per row of parameters; how many rows they changed in all."""
        ...

    async def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        prepare: Callable[[list[Row]], list[Row]] | None = None,
    ) -> int:
        """Add rows of values (no expressions, no conflicts) to `table`, the engine's fastest way: many
        at once without a statement per row where it has one (PostgreSQL's COPY). How many it added.

        `prepare` turns rows into the rows written (computing values of more columns), in a worker
        thread, a chunk at a time, each chunk while the one before it is being written."""
        ...

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query (or of a statement's RETURNING), None when there is none."""
        ...

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query."""
        ...


class SegmentWriter(Protocol):
    """Where one transaction's transcript segments go. Each engine indexes them for quote search its own
    way (bot.store.sqlite_segments, bot.store.pg_segments), so the catalog never asks which it is."""

    async def replace(
        self, conn: Connection, episode_id: int, rows: Sequence[Sequence[Any]], *, new: bool
    ) -> None:
        """`rows` (values of the writer's columns) become the episode's segments; `new`: it has none
        stored yet. They may wait for `flush`."""
        ...

    async def flush(self, conn: Connection) -> None:
        """Write whatever waits, before the transaction commits."""
        ...

    async def copy(self, conn: Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Add rows copied from another store's segments table (`columns`, ids among them) at once."""
        ...


class Engine(Protocol):
    """A database the store lives in, opened and migrated."""

    # "sqlite" or "postgresql": for the few places whose SQL cannot be the same on both.
    name: str
    # What messages call the store: a file path, or a URL without its password.
    location: str

    @property
    def address(self) -> Path | str:
        """What other connections to it are opened with: the path, or the whole URL."""
        ...

    @property
    def reader(self) -> Connection:
        """For queries: each sees the last committed state, never half a write transaction."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One write transaction (serialised with the others of this process): all of it commits, or none."""
        ...

    async def verify(self) -> None:
        """StoreDamaged unless the database reads back whole (for commands about to write)."""
        ...

    def segment_writer(self, columns: Sequence[str]) -> SegmentWriter:
        """A writer of one transaction's segments, given as values of `columns`."""
        ...

    async def close(self) -> None: ...
