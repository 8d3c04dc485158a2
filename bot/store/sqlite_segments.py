"""Transcript segments as the store writes them on SQLite: an episode's rows, then its indexes at once.

The insert triggers of migration 013 index a segment in FTS5 and in the phrase-index pairs row by row,
which costs three times the CPU of indexing an episode's segments in two `INSERT … SELECT` statements.
While an episode's id is in `segment_index_deferred`, the triggers leave its rows alone and the writer
indexes them itself; rows written any other way (a store copy) are still indexed by the triggers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store.db import Connection

# One episode's segments indexed at once, as the insert triggers would have indexed them one by one.
INDEX_EPISODE_SEGMENTS = (
    "INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments WHERE episode_id = ?",
    "INSERT INTO segment_pairs (rowid, pairs) SELECT id, word_pairs(text) FROM segments WHERE episode_id = ?",
)


class SqliteSegments:
    """Writes each episode's segments as they come; nothing waits for `flush`."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._columns = tuple(columns)

    async def replace(
        self, conn: Connection, episode_id: int, rows: Sequence[Sequence[Any]], *, new: bool
    ) -> None:
        """`rows` become the episode's segments (`new`: it has none stored yet)."""
        if not new:
            await conn.execute("DELETE FROM segments WHERE episode_id = ?", (episode_id,))
        await conn.execute("INSERT INTO segment_index_deferred (episode_id) VALUES (?)", (episode_id,))
        await conn.insert_rows("segments", self._columns, rows)
        for index_segments in INDEX_EPISODE_SEGMENTS:
            await conn.execute(index_segments, (episode_id,))
        await conn.execute("DELETE FROM segment_index_deferred WHERE episode_id = ?", (episode_id,))

    async def flush(self, conn: Connection) -> None:
        return None

    async def copy(self, conn: Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Rows of another store's segments table, their ids kept: indexed by the insert triggers."""
        await conn.insert_rows("segments", columns, rows)
