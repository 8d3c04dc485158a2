"""Quote search over transcript segments: term statistics, bounded full-text queries, and hit context.

Runs in search worker threads on a synchronous connection (bot.store.lookup.connect_reader). Every query
here is bounded: ranking (bm25) only over match sets known to be small, otherwise newest-first with a
LIMIT, so that the most common word in 50M words costs about what a rare one does.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

log = logging.getLogger(__name__)

# Markers for highlighted spans: control characters that transcript text does not contain.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"

TERM_DOCS = "SELECT term, doc FROM segments_vocab WHERE term IN ({})"
# Whether any segment matches: stops at the first, so a common word costs what a rare one does (counting
# a term's documents in segments_vocab reads its whole doclist: 65 ms for "the" in 50M words).
PRESENT = "SELECT EXISTS (SELECT 1 FROM segments_fts WHERE segments_fts MATCH ?)"
COUNT_MATCHES = (
    "SELECT count(*) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?{range} LIMIT ?)"
)
# The text comes from the content table (segments) by rowid. No highlight() here: the caller marks only
# the few rows it shows (bot.store.stems.Stemmer.mark).
FIND_RANKED = """
SELECT rowid, text, rank FROM segments_fts WHERE segments_fts MATCH ?{range} ORDER BY rank LIMIT ?
"""
FIND_NEWEST = """
SELECT rowid, text, 0.0 FROM segments_fts WHERE segments_fts MATCH ?{range} ORDER BY rowid DESC LIMIT ?
"""
RANGE = " AND rowid BETWEEN ? AND ?"
EPISODE_RANGE = "SELECT min(id), max(id) FROM segments WHERE episode_id = ?"
CONTEXT = """
SELECT s.id, s.episode_id, e.title, s.speaker, s.start_s, s.text,
       (SELECT p.text FROM segments p WHERE p.episode_id = s.episode_id AND p.position = s.position - 1),
       (SELECT n.text FROM segments n WHERE n.episode_id = s.episode_id AND n.position = s.position + 1)
FROM segments s JOIN episodes e ON e.id = s.episode_id
WHERE s.id IN ({})
"""


@dataclass(frozen=True, slots=True)
class Match:
    segment_id: int
    text: str
    # bm25 (lower is better) when the query was ranked, else 0.
    rank: float


@dataclass(frozen=True, slots=True)
class SegmentContext:
    segment_id: int
    episode_id: int
    episode_title: str
    speaker: str | None
    start_s: int
    text: str
    previous: str | None
    next: str | None


@contextlib.contextmanager
def _deadline(conn: sqlite3.Connection, seconds: float | None) -> Iterator[None]:
    """Interrupt whatever `conn` runs once `seconds` have passed (FTS5 honours it mid-walk)."""
    if seconds is None:
        yield
        return
    timer = threading.Timer(seconds, conn.interrupt)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        # After join() the interrupt has either happened (inside the block) or never will: it cannot
        # hit a later statement. An interrupt while nothing runs is a no-op in SQLite.
        timer.join()


class TranscriptReader:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def present(self, words: Sequence[str]) -> set[str]:
        """Which of these words (or phrases) occur in some segment, each stemmed as FTS5 stems it."""
        found = set()
        for word in dict.fromkeys(words):
            expression = '"' + word.replace('"', '""') + '"'
            if word.strip() and self._conn.execute(PRESENT, (expression,)).fetchone()[0]:
                found.add(word)
        return found

    def term_docs(self, terms: Sequence[str]) -> dict[str, int]:
        """How many segments use each index term (porter stem); terms never used are absent. Meant for
        rare terms, such as the candidates for a misspelt word: a common term costs its whole doclist."""
        terms = list(dict.fromkeys(t for t in terms if t))
        found: dict[str, int] = {}
        for start in range(0, len(terms), 500):
            chunk = terms[start : start + 500]
            sql = TERM_DOCS.format(",".join("?" * len(chunk)))
            found.update(self._conn.execute(sql, chunk).fetchall())
        return found

    def episode_range(self, episode_id: int) -> tuple[int, int] | None:
        """The segment id range of an episode: FTS5 can restrict a query by rowid range cheaply, where a
        join on episode_id would first collect every match in the store."""
        row = self._conn.execute(EPISODE_RANGE, (episode_id,)).fetchone()
        return (int(row[0]), int(row[1])) if row and row[0] is not None else None

    def count(self, expression: str, *, cap: int, within: tuple[int, int] | None = None) -> int:
        """Matches of `expression`, counted up to `cap` (so a common word costs `cap` rows, not millions)."""
        sql = COUNT_MATCHES.format(range=RANGE if within else "")
        (n,) = self._conn.execute(sql, (expression, *(within or ()), cap)).fetchone()
        return int(n)

    def find(
        self,
        expression: str,
        *,
        limit: int,
        ranked: bool,
        within: tuple[int, int] | None = None,
        budget_s: float | None = None,
    ) -> list[Match]:
        """Segments matching `expression`, best (bm25) or newest first. With a budget, a query that runs
        longer is interrupted and returns the rows found so far: a phrase of common words that occurs
        nowhere has to walk their whole doclists (hundreds of ms in a 50M-word store) to prove it."""
        sql = (FIND_RANKED if ranked else FIND_NEWEST).format(range=RANGE if within else "")
        rows: list[Match] = []
        with _deadline(self._conn, budget_s):
            try:
                for r in self._conn.execute(sql, (expression, *(within or ()), limit)):
                    rows.append(Match(int(r[0]), r[1], float(r[2])))
            except sqlite3.OperationalError as exc:
                if "interrupt" not in str(exc):
                    raise
                log.debug("quote query stopped at its time budget with %d rows: %s", len(rows), expression)
        return rows

    def contexts(self, segment_ids: Sequence[int]) -> dict[int, SegmentContext]:
        if not segment_ids:
            return {}
        sql = CONTEXT.format(",".join("?" * len(segment_ids)))
        return {int(r[0]): SegmentContext(*r) for r in self._conn.execute(sql, list(segment_ids))}
