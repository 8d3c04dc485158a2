"""Reads for episode and chapter lookup: the rows the in-memory index is built from, and the full-text
queries over chapter titles and show notes.

These run in search worker threads on a plain synchronous sqlite3 connection (see `SearchReader`), so a
query releases the GIL while SQLite works and never waits behind the async reader's queue.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

# Newest first, as the catalog lists them: dated by date, then undated in their source's own order.
# The keys are the folded title and name (bot.text.fold), as the catalog stores them to match episodes
# and people across sources: the index needs no folding of its own.
# One show's rows: each show has an index of its own (bot.search.engine).
INDEX_EPISODES = """
SELECT id, title, title_key, duration_s, published FROM episodes WHERE show_id = ?
ORDER BY published IS NULL, published DESC, source_order, id DESC
"""
# People and their appearances apart: a join would read each person's row again for every episode.
INDEX_PEOPLE = """
SELECT id, name, name_key FROM people WHERE id IN (
    SELECT ep.person_id FROM episode_people ep JOIN episodes e ON e.id = ep.episode_id WHERE e.show_id = ?
)
"""
INDEX_APPEARANCES = """
SELECT ep.episode_id, ep.person_id, ep.role FROM episode_people ep JOIN episodes e ON e.id = ep.episode_id
WHERE e.show_id = ? ORDER BY ep.episode_id, ep.position
"""
# Only the words of chapter titles are held in memory (for spelling correction): one string of them all.
INDEX_CHAPTER_TITLES = """
SELECT group_concat(c.title, char(10)) FROM chapters c JOIN episodes e ON e.id = c.episode_id
WHERE c.toc = 1 AND e.show_id = ?
"""
SHOW_GENERATIONS = "SELECT id, title, generation FROM shows"
# Bumped by every ingest that changed the catalog (migration 005): an index built at an older generation
# is out of date.
CATALOG_GENERATION = "SELECT generation FROM catalog_state"

# Evidence queries are unranked and newest-first with a LIMIT: they stop after `limit` rows however
# common the words are, and the caller scores the few rows itself.
# Within one show. The rowid range (the show's chapter or episode ids, which an ingest writes together) is
# what FTS5 restricts cheaply: without it a common word walks the matches of every show, newest first, to
# find this show's; the show_id check then drops the other shows' rows inside the range.
CHAPTER_MATCHES = """
SELECT c.id, c.episode_id, c.start_s, c.title FROM chapters_fts f JOIN chapters c ON c.id = f.rowid
JOIN episodes e ON e.id = c.episode_id
WHERE chapters_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND c.toc = 1 AND e.show_id = ?
ORDER BY f.rowid DESC LIMIT ?
"""
CHAPTER_MATCHES_RANKED = """
SELECT c.id, c.episode_id, c.start_s, c.title FROM chapters_fts f JOIN chapters c ON c.id = f.rowid
JOIN episodes e ON e.id = c.episode_id
WHERE chapters_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND c.toc = 1 AND e.show_id = ? ORDER BY f.rank LIMIT ?
"""
COUNT_CHAPTER_MATCHES = """
SELECT count(*) FROM (SELECT f.rowid FROM chapters_fts f JOIN chapters c ON c.id = f.rowid
JOIN episodes e ON e.id = c.episode_id
WHERE chapters_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND e.show_id = ? LIMIT ?)
"""
NOTES_MATCHES = """
SELECT f.rowid FROM notes_fts f JOIN episodes e ON e.id = f.rowid
WHERE notes_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND e.show_id = ? ORDER BY f.rowid DESC LIMIT ?
"""
# A show's chapter ids, lowest and highest: one probe per episode (chapters are keyed by episode).
CHAPTER_SPAN = """
SELECT min(lo), max(hi) FROM (
    SELECT (SELECT min(id) FROM chapters WHERE episode_id = e.id) AS lo,
           (SELECT max(id) FROM chapters WHERE episode_id = e.id) AS hi
    FROM episodes e WHERE e.show_id = ?
) AS spans
"""


@dataclass(frozen=True, slots=True)
class ShowGeneration:
    show_id: int
    title: str
    generation: int


@dataclass(frozen=True, slots=True)
class IndexRows:
    show_id: int
    show_title: str
    # (id, title, folded title, duration_s, published)
    episodes: list[tuple[int, str, str, int | None, str | None]]
    # (id, name, folded name)
    people: list[tuple[int, str, str]]
    # (episode id, person id, role), each episode's people in their listed order
    appearances: list[tuple[int, int, str]]
    # Every table-of-contents chapter title, newline-separated.
    chapter_titles: str
    # The show's generation these rows describe.
    generation: int
    # The lowest and highest chapter ids of the show's episodes, (0, -1) when it has none.
    chapter_span: tuple[int, int] = (0, -1)


@dataclass(frozen=True, slots=True)
class ChapterRow:
    chapter_id: int
    episode_id: int
    start_s: int
    title: str


def connect_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection for one search worker thread (WAL: it reads the last committed state)."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


class LookupReader:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def index_rows(self, show: ShowGeneration) -> IndexRows:
        """One show's rows. Called inside `snapshot()`, so that they describe the state `show` came from."""
        conn, params = self._conn, (show.show_id,)
        episodes = conn.execute(INDEX_EPISODES, params).fetchall()
        people = conn.execute(INDEX_PEOPLE, params).fetchall()
        appearances = conn.execute(INDEX_APPEARANCES, params).fetchall()
        titles = conn.execute(INDEX_CHAPTER_TITLES, params).fetchone()[0] or ""
        lo, hi = conn.execute(CHAPTER_SPAN, params).fetchone()
        span = (int(lo), int(hi)) if lo is not None else (0, -1)
        return IndexRows(
            show.show_id, show.title, episodes, people, appearances, titles, show.generation, span
        )

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: everything read inside describes one state of the store."""
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("COMMIT")

    def show_generations(self) -> list[ShowGeneration]:
        """Every show with its generation now."""
        return [ShowGeneration(int(i), t, int(g)) for i, t, g in self._conn.execute(SHOW_GENERATIONS)]

    def generation(self) -> int:
        """The catalog's generation now (a one-row read)."""
        return int(self._conn.execute(CATALOG_GENERATION).fetchone()[0])

    def data_version(self) -> int:
        """Changes whenever another connection commits to the store (PRAGMA data_version): a check that
        costs no read of the database file."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def chapter_matches(
        self, expression: str, *, show_id: int, span: tuple[int, int], limit: int, rank_below: int = 0
    ) -> list[ChapterRow]:
        """One show's chapters (ids within `span`) matching an FTS5 expression; ranked by bm25 only when
        at most `rank_below` match, because ranking costs time in proportion to the whole match set."""
        sql = CHAPTER_MATCHES
        where = (expression, *span, show_id)
        if rank_below:
            (count,) = self._conn.execute(COUNT_CHAPTER_MATCHES, (*where, rank_below + 1)).fetchone()
            if count <= rank_below:
                sql = CHAPTER_MATCHES_RANKED
        return [ChapterRow(*row) for row in self._conn.execute(sql, (*where, limit))]

    def notes_matches(self, expression: str, *, show_id: int, span: tuple[int, int], limit: int) -> list[int]:
        """One show's episodes (ids within `span`) whose notes match, newest first."""
        rows = self._conn.execute(NOTES_MATCHES, (expression, *span, show_id, limit))
        return [rowid for (rowid,) in rows]


def fts_expression(units: Sequence[Sequence[str]]) -> str:
    """An FTS5 expression that ANDs the units and ORs each unit's alternatives, every word quoted.

    Quoting is what makes user text safe: inside double quotes, FTS5 operators (AND, NEAR, *, ^, :) are
    plain words, and a `"` is written twice.
    """
    parts = []
    for alternatives in units:
        quoted = ['"' + a.replace('"', '""') + '"' for a in dict.fromkeys(alternatives) if a]
        if quoted:
            parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    return " AND ".join(parts)
