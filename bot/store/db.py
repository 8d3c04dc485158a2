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

    async def close(self) -> None: ...
