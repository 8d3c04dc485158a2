"""Quote search over transcript segments: term statistics, bounded full-text queries, and hit context.

Runs in search worker threads on a synchronous connection (bot.store.lookup.connect_reader). Every query
here is bounded: ranking (bm25) only over match sets known to be small, otherwise newest-first with a
LIMIT, so that the most common word in 50M words costs about what a rare one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

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
        self, expression: str, *, limit: int, ranked: bool, within: tuple[int, int] | None = None
    ) -> list[Match]:
        sql = (FIND_RANKED if ranked else FIND_NEWEST).format(range=RANGE if within else "")
        rows = self._conn.execute(sql, (expression, *(within or ()), limit)).fetchall()
        return [Match(int(r[0]), r[1], float(r[2])) for r in rows]

    def contexts(self, segment_ids: Sequence[int]) -> dict[int, SegmentContext]:
        if not segment_ids:
            return {}
        sql = CONTEXT.format(",".join("?" * len(segment_ids)))
        return {int(r[0]): SegmentContext(*r) for r in self._conn.execute(sql, list(segment_ids))}
