"""The lookup reads on PostgreSQL: the rows each show's in-memory index is built from (bot.store.index_reads
has SQLite's), on a synchronous psycopg connection of one search thread or of the lookup process.

Full-text evidence (chapter titles, show notes) and quote search are PostgreSQL's own SQL (tsvector,
pg_trgm), plugged in here: `PgLookupReader.chapter_matches`/`notes_matches` and `transcript_reader`.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import psycopg

from bot.store.errors import StoreError
from bot.store.index_reads import (
    CATALOG_GENERATION,
    CHAPTER_SPAN,
    INDEX_APPEARANCES,
    INDEX_EPISODES,
    INDEX_PEOPLE,
    SHOW_GENERATIONS,
    ChapterRow,
    IndexRows,
    LookupReader,
    ShowGeneration,
)
from bot.store.pg_expression import tsquery
from bot.store.placeholders import to_pyformat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bot.store.transcripts import TranscriptReader

# group_concat is SQLite's; string_agg PostgreSQL's.
INDEX_CHAPTER_TITLES = """
SELECT string_agg(c.title, chr(10) ORDER BY c.id) FROM chapters c JOIN episodes e ON e.id = c.episode_id
WHERE c.toc = 1 AND e.show_id = ?
"""
# The evidence queries of bot.store.index_reads, over the generated tsvector columns of migration
# postgres/004; `{q}` is the expression's tsquery (bot.store.pg_expression), its phrases bound parameters.
PG_CHAPTER_MATCHES = """
SELECT c.id, c.episode_id, c.start_s, c.title FROM chapters c JOIN episodes e ON e.id = c.episode_id
WHERE c.words @@ {q} AND c.id BETWEEN %s AND %s AND c.toc = 1 AND e.show_id = %s
ORDER BY c.id DESC LIMIT %s
"""
PG_CHAPTER_MATCHES_RANKED = """
SELECT c.id, c.episode_id, c.start_s, c.title FROM chapters c JOIN episodes e ON e.id = c.episode_id,
(SELECT {q} AS q) q
WHERE c.words @@ {q} AND c.id BETWEEN %s AND %s AND c.toc = 1 AND e.show_id = %s
ORDER BY ts_rank(c.words, q.q, 1) DESC, c.id LIMIT %s
"""
PG_COUNT_CHAPTER_MATCHES = """
SELECT count(*) FROM (SELECT 1 FROM chapters c JOIN episodes e ON e.id = c.episode_id
WHERE c.words @@ {q} AND c.id BETWEEN %s AND %s AND e.show_id = %s LIMIT %s) m
"""
PG_NOTES_MATCHES = """
SELECT e.id FROM episodes e WHERE e.notes_words @@ {q} AND e.id BETWEEN %s AND %s AND e.show_id = %s
ORDER BY e.id DESC LIMIT %s
"""


def connect_reader(url: str) -> psycopg.Connection[Any]:
    """A connection for one search thread, in autocommit mode: each query sees the last committed state."""
    # Every plan made for the statement's own parameters. psycopg prepares a statement run five times,
    # and the server then may plan it once for any parameters: blind to the tsquery (a phrase's words,
    # `podbot_phrase(%s)`), that plan cannot estimate how many rows match. bench.pg_quotes at 10M words,
    # each order run twice: phrases' CPU p95 36-62 -> 27-30 ms and their slowest 91-227 -> 39-55 ms.
    setting = "SET plan_cache_mode = force_custom_plan"
    try:
        conn = psycopg.connect(url, autocommit=True, application_name="podbot-search")
    except psycopg.OperationalError as exc:
        raise StoreError(f"cannot reach the PostgreSQL store: {str(exc).strip().splitlines()[0]}") from exc
    try:
        conn.execute(setting)
    except psycopg.Error as exc:
        conn.close()
        raise StoreError(f"cannot use the PostgreSQL store: {str(exc).strip().splitlines()[0]}") from exc
    return conn


class PgLookupReader(LookupReader):
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._pg = conn

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._pg.execute(to_pyformat(sql), params).fetchall()

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
        row = self._pg.execute(to_pyformat(sql), params).fetchone()
        assert row is not None  # aggregates and the one-row catalog_state always return a row
        return row

    def _one_pg(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """One row of SQL already in psycopg's style (the full-text queries build their own)."""
        row = self._pg.execute(sql, params).fetchone()
        assert row is not None  # a count always returns a row
        return row

    def index_rows(self, show: ShowGeneration) -> IndexRows:
        params = (show.show_id,)
        lo, hi = self._one(CHAPTER_SPAN, params)
        return IndexRows(
            show.show_id,
            show.title,
            self._all(INDEX_EPISODES, params),
            self._all(INDEX_PEOPLE, params),
            self._all(INDEX_APPEARANCES, params),
            self._one(INDEX_CHAPTER_TITLES, params)[0] or "",
            show.generation,
            (int(lo), int(hi)) if lo is not None else (0, -1),
        )

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        # REPEATABLE READ: every statement inside sees the one snapshot taken by the first.
        self._pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            self._pg.execute("COMMIT")

    def show_generations(self) -> list[ShowGeneration]:
        return [ShowGeneration(int(i), t, int(g)) for i, t, g in self._all(SHOW_GENERATIONS)]

    def generation(self) -> int:
        return int(self._one(CATALOG_GENERATION)[0])

    def data_version(self) -> int:
        # PostgreSQL has no PRAGMA data_version: the catalog generation is one indexed row, read as cheaply.
        return self.generation()

    def chapter_matches(
        self, expression: str, *, show_id: int, span: tuple[int, int], limit: int, rank_below: int = 0
    ) -> list[ChapterRow]:
        """As LookupReader.chapter_matches, over `chapters.words` (migration postgres/004): newest first,
        ranked (ts_rank, where SQLite has bm25) only when at most `rank_below` match."""
        q, q_params = tsquery(expression)
        where = (*q_params, *span, show_id)
        sql = PG_CHAPTER_MATCHES
        if rank_below:
            (count,) = self._one_pg(PG_COUNT_CHAPTER_MATCHES.format(q=q), (*where, rank_below + 1))
            if count <= rank_below:
                sql = PG_CHAPTER_MATCHES_RANKED
                where = (*q_params, *where)
        rows = self._pg.execute(sql.format(q=q), (*where, limit)).fetchall()
        return [ChapterRow(*row) for row in rows]

    def notes_matches(self, expression: str, *, show_id: int, span: tuple[int, int], limit: int) -> list[int]:
        """As LookupReader.notes_matches, over `episodes.notes_words`: newest first."""
        q, q_params = tsquery(expression)
        rows = self._pg.execute(PG_NOTES_MATCHES.format(q=q), (*q_params, *span, show_id, limit)).fetchall()
        return [int(episode_id) for (episode_id,) in rows]


def transcript_reader(conn: psycopg.Connection[Any]) -> TranscriptReader:
    """Quote search's reads (bot.store.pg_quotes), with the stemmer they look words up with."""
    from bot.store.pg_quotes import PgTranscriptReader
    from bot.store.pg_stems import PgStemmer

    return PgTranscriptReader(conn, PgStemmer(conn))  # type: ignore[return-value]  # duck-typed
