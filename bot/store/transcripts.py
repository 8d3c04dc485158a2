"""Quote search over transcript segments: term statistics, bounded full-text queries, and hit context.

Runs in search worker threads on a synchronous connection (bot.store.index_reads.connect_reader). Every query
here is bounded: ranking (bm25) only over match sets known to be small, otherwise newest-first with a
LIMIT, so that the most common word in 50M words costs about what a rare one does. Exact phrases are
found through the word-pair index (`segment_pairs`, bot/store/pairs.py), which never reads a common word's
position list.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.store import cue_times
from bot.store.index_reads import fts_expression
from bot.store.pairs import pair_terms, word_pairs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

log = logging.getLogger(__name__)

# Markers for highlighted spans: control characters that transcript text does not contain.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"

TERM_DOCS = "SELECT term, doc FROM segments_vocab WHERE term IN ({})"
# Whether any segment matches: stops at the first, so a common word costs what a rare one does (counting
# a term's documents in segments_vocab reads its whole doclist: 65 ms for "the" in 50M words).
PRESENT = "EXISTS (SELECT 1 FROM segments_fts WHERE segments_fts MATCH ?)"
PROBES_PER_STATEMENT = 64
COUNT_MATCHES = (
    "SELECT count(*) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?{range} LIMIT ?)"
)
# A word's matches up to a cap, for words that are mostly either rare or common: whether the cap-th match
# exists is found by skipping rows inside the scan (about 60% of what counting them to the cap costs,
# and most words of a phrase are common); only a word under the cap is then counted, a second walk of a
# short doclist. Not for phrases: one that is rare but made of common words would walk their long
# position lists twice.
COUNT_WORD = """
CASE WHEN EXISTS (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? LIMIT 1 OFFSET ?) THEN ?
ELSE (SELECT count(*) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? LIMIT ?)) END
"""
# The text comes from the content table (segments) by rowid. No highlight() here: the caller marks only
# the few rows it shows (bot.store.stems.Stemmer.mark).
FIND_NEWEST = """
SELECT rowid, text, 0.0 FROM segments_fts WHERE segments_fts MATCH ?{range} ORDER BY rowid DESC LIMIT ?
"""
# The ranking alone: bm25 needs no text, and most pages are settled by the first few texts. bm25() sorted
# by SQLite rather than `ORDER BY rank`: FTS5 serves that through a nested statement of its own (this
# very query, sorted) and then steps its cursor through the sorted rows, about a third more time for a
# few hundred matches. The same order: the nested statement sorts by the same bm25(), with no LIMIT
# (which is why there is none here either: callers fetch only as many rows as they want).
RANKING = """
SELECT rowid, bm25(segments_fts) AS score FROM segments_fts WHERE segments_fts MATCH ?{range} ORDER BY score
"""
# The same ranking with every text: for a phrase, whose page is seldom settled by its first texts (few of
# the segments with its rare words hold its common ones too), so that they are all read anyway. One
# statement reads them for about a fifth less than the ranking and then the texts by id.
RANKING_TEXTS = """
SELECT f.rowid, bm25(segments_fts) AS score, s.text FROM segments_fts f JOIN segments s ON s.id = f.rowid
WHERE segments_fts MATCH ?{range} ORDER BY score
"""
TEXTS = "SELECT id, text FROM segments WHERE id IN ({})"
# Segments holding every adjacent word pair of the phrases: a superset of the exact hits (the pairs may
# stand apart), which the caller checks on the text. Rowid-only postings: no position list is read.
FIND_PAIRS = """
SELECT p.rowid, s.text, 0.0 FROM segment_pairs p JOIN segments s ON s.id = p.rowid
WHERE segment_pairs MATCH ?{range} ORDER BY p.rowid DESC LIMIT ?
"""
# A pair of two common words ("of_the") is in a large share of the segments, spread over every segment
# of the index: intersecting it costs ~1 ms at 50M words where a rare pair costs ~0.1 ms. Such pairs are
# checked on the texts of the rarer pairs' segments instead, for at most this many segments; past them
# (the rarer pairs are not rare after all) the index answers the whole phrase.
PAIRS_CHECKED = 200
# FTS5 intersects a phrase's pairs at a cost in proportion to every one of their postings, however short
# the others are (measured at 50M words: "have_yeah", 563 segments, alone 0.13 ms; AND "i_think",
# 365,000 segments, 2.6 ms). Whether two words are common says little about their pair (both words of
# "have yeah" are), so each pair's segments are counted, newest first, up to this cap (0.1 ms for a pair
# past it at 50M words; remembered like the words' counts); past the cap, how far back its cap-th segment
# lies says how common the pair is. Only the rarest pairs, enough of them that few segments hold them
# all, are intersected in the index; the others are checked on the texts of those segments.
PAIR_COUNT_CAP = 3_000
COUNT_PAIR = """(SELECT count(*) || ' ' || ifnull(min(rowid), 0) FROM (
    SELECT rowid FROM segment_pairs WHERE segment_pairs MATCH ? ORDER BY rowid DESC LIMIT ?))"""
# Two subqueries: SQLite answers a lone min() or max() from the primary key, but both at once by a scan.
SEGMENT_IDS = "SELECT (SELECT min(id) FROM segments), (SELECT max(id) FROM segments)"
# Term statistics remembered per reader (and forgotten whenever the store changes).
MEMORY = 20_000
EPISODE_RANGE = "SELECT min(id), max(id) FROM segments WHERE episode_id = ?"
EPISODE_SHOW = "SELECT show_id FROM episodes WHERE id = ?"
# The lowest and highest segment ids of some shows' episodes: two index probes per episode.
SHOW_SPAN = """
SELECT min(lo), max(hi) FROM (
    SELECT (SELECT min(id) FROM segments WHERE episode_id = e.id) AS lo,
           (SELECT max(id) FROM segments WHERE episode_id = e.id) AS hi
    FROM episodes e WHERE e.show_id IN ({})
)
"""
CONTEXT = """
SELECT s.id, s.episode_id, e.title, s.speaker, s.start_s, s.text,
       (SELECT p.text FROM segments p WHERE p.episode_id = s.episode_id AND p.position = s.position - 1),
       (SELECT n.text FROM segments n WHERE n.episode_id = s.episode_id AND n.position = s.position + 1),
       e.show_id, sh.title, s.cue_times
FROM segments s JOIN episodes e ON e.id = s.episode_id JOIN shows sh ON sh.id = e.show_id
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
    show_id: int
    show_title: str
    # Where the segment's cues start (bot.models.Segment.cues); () when it is timed as a whole.
    cues: tuple[tuple[int, int], ...] = ()


def _context(row: Sequence[Any]) -> SegmentContext:
    # Named one by one (CONTEXT's columns in order) so that the type checker sees each field filled once.
    segment_id, episode_id, title, speaker, start_s, text, previous, following, show_id, show_title, cues = (
        row
    )
    return SegmentContext(
        segment_id,
        episode_id,
        title,
        speaker,
        start_s,
        text,
        previous,
        following,
        show_id,
        show_title,
        cues=cue_times.decode(cues),
    )


@dataclass(frozen=True, slots=True)
class Within:
    """Where a quote search looks: one episode (its segments' id range, which FTS5 restricts cheaply),
    or the segments of some shows: the range of their segment ids (an ingest writes a show's segments
    together, so a show is mostly one range), and within it a check of each match's show (two
    primary-key probes) that drops the other shows' segments the range holds."""

    episode_range: tuple[int, int] | None = None
    show_ids: tuple[int, ...] | None = None
    show_span: tuple[int, int] = (0, -1)

    def clause(self, rowid: str) -> str:
        if self.episode_range is not None:
            return f" AND {rowid} BETWEEN ? AND ?"
        if self.show_ids is not None:
            marks = ",".join("?" * len(self.show_ids)) or "NULL"
            return (
                f" AND {rowid} BETWEEN ? AND ?"
                " AND EXISTS (SELECT 1 FROM segments ws JOIN episodes we ON we.id = ws.episode_id"
                f" WHERE ws.id = {rowid} AND we.show_id IN ({marks}))"
            )
        return ""

    def params(self) -> tuple[int, ...]:
        if self.episode_range is not None:
            return self.episode_range
        if self.show_ids is not None:
            return (*self.show_span, *self.show_ids)
        return ()


def _clause(within: Within | None, rowid: str) -> str:
    return within.clause(rowid) if within is not None else ""


def _params(within: Within | None) -> tuple[int, ...]:
    return within.params() if within is not None else ()


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


def remembered_count(
    counts: dict[tuple[str, Within | None], tuple[int, int]], expression: str, within: Within | None, cap: int
) -> int | None:
    """The count of `expression` up to `cap`, if one taken earlier settles it (both engines' readers keep
    theirs as (found, the cap it was counted up to)): it found fewer than its cap, so it is the true
    number, or its cap was at least this one. None: it must be counted."""
    known = counts.get((expression, within))
    if known is not None and (known[0] < known[1] or cap <= known[1]):
        return min(known[0], cap)
    return None


class TranscriptReader:
    """Reads for quote search. Term statistics (which words occur, how many segments match) are
    remembered until the store changes (`PRAGMA data_version`): a bot is asked about the same words
    again and again, and counting a word's matches walks its doclist."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._version: int | None = None
        self._present: dict[str, bool] = {}
        # (expression, within) -> (count, cap): exact when count < cap, else "at least cap".
        self._counts: dict[tuple[str, Within | None], tuple[int, int]] = {}
        # show ids -> their segments' id range (see show_span)
        self._spans: dict[tuple[int, ...], tuple[int, int] | None] = {}
        # pair term -> its segments: counted up to PAIR_COUNT_CAP, estimated past it
        self._pairs: dict[str, float] = {}
        self._segment_ids: tuple[int, int] | None = None

    def fresh(self) -> None:
        """Forget the remembered statistics if another connection has committed since they were read;
        call before each search."""
        (version,) = self._conn.execute("PRAGMA data_version").fetchone()
        if version != self._version or len(self._counts) + len(self._present) + len(self._pairs) > MEMORY:
            self._version = version
            self._present.clear()
            self._counts.clear()
            self._spans.clear()
            self._pairs.clear()
            self._segment_ids = None

    def present(self, words: Sequence[str]) -> set[str]:
        """Which of these words (or phrases) occur in some segment, each stemmed as FTS5 stems it."""
        unknown = [w for w in dict.fromkeys(words) if w.strip() and w not in self._present]
        for start in range(0, len(unknown), PROBES_PER_STATEMENT):
            chunk = unknown[start : start + PROBES_PER_STATEMENT]
            # One statement for many probes: each is a term lookup, cheaper than a statement's overhead.
            sql = "SELECT " + ", ".join([PRESENT] * len(chunk))
            row = self._conn.execute(sql, [fts_expression([[w]]) for w in chunk]).fetchone()
            self._present.update(zip(chunk, map(bool, row), strict=True))
        return {w for w in words if self._present.get(w)}

    def survey(
        self,
        words: Sequence[str],
        probes: Sequence[str],
        *,
        cap: int,
        if_uncommon: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Remember, in one statement, `count()` of each word (as the expression of that one word, so that
        `counts()` finds it) and whether it occurs, and `present()` of each probe (words or phrases);
        then, in another, `present()` of the probes `if_uncommon` lists for each of the words found in
        fewer than `cap` segments."""
        words = [
            w for w in dict.fromkeys(words) if w.strip() and (fts_expression([[w]]), None) not in self._counts
        ]
        probes = [w for w in dict.fromkeys(probes) if w.strip() and w not in self._present and w not in words]
        asked = [(w, True) for w in words] + [(w, False) for w in probes]
        for start in range(0, len(asked), PROBES_PER_STATEMENT):
            chunk = asked[start : start + PROBES_PER_STATEMENT]
            parts: list[str] = []
            params: list[object] = []
            for word, count in chunk:
                expression = fts_expression([[word]])
                if not count:
                    parts.append(PRESENT)
                    params.append(expression)
                elif word.isalnum():
                    # One token (unicode61 splits at anything else): see COUNT_WORD.
                    parts.append(f"({COUNT_WORD})")
                    params += [expression, cap - 1, cap, expression, cap]
                else:
                    parts.append("(" + COUNT_MATCHES.format(range="") + ")")
                    params += [expression, cap]
            row = self._conn.execute("SELECT " + ", ".join(parts), params).fetchone()
            for (word, count), n in zip(chunk, row, strict=True):
                if count:
                    self._counts[(fts_expression([[word]]), None)] = (int(n), cap)
                self._present[word] = bool(n)
        if if_uncommon:
            uncommon = [w for w in if_uncommon if self.count(fts_expression([[w]]), cap=cap) < cap]
            self.present([p for w in uncommon for p in if_uncommon[w]])

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

    def show_span(self, show_ids: Sequence[int]) -> tuple[int, int] | None:
        """The segment id range of these shows (None: no segments), remembered until the store changes."""
        key = tuple(sorted(show_ids))
        if key not in self._spans:
            marks = ",".join("?" * len(key)) or "NULL"
            lo, hi = self._conn.execute(SHOW_SPAN.format(marks), key).fetchone()
            self._spans[key] = (int(lo), int(hi)) if lo is not None else None
        return self._spans[key]

    def episode_show(self, episode_id: int) -> int | None:
        row = self._conn.execute(EPISODE_SHOW, (episode_id,)).fetchone()
        return int(row[0]) if row else None

    def episode_range(self, episode_id: int) -> tuple[int, int] | None:
        """The segment id range of an episode: FTS5 can restrict a query by rowid range cheaply, where a
        join on episode_id would first collect every match in the store."""
        row = self._conn.execute(EPISODE_RANGE, (episode_id,)).fetchone()
        return (int(row[0]), int(row[1])) if row and row[0] is not None else None

    def count(self, expression: str, *, cap: int, within: Within | None = None) -> int:
        """Matches of `expression`, counted up to `cap` (so a common word costs `cap` rows, not millions)."""
        [n] = self.counts([expression], cap=cap, within=within)
        return n

    def counts(self, expressions: Sequence[str], *, cap: int, within: Within | None = None) -> list[int]:
        """`count()` of each expression; those not remembered are counted in one statement."""

        def remembered(expression: str) -> int | None:
            return remembered_count(self._counts, expression, within, cap)

        unknown = list(dict.fromkeys(e for e in expressions if remembered(e) is None))
        for start in range(0, len(unknown), PROBES_PER_STATEMENT):
            chunk = unknown[start : start + PROBES_PER_STATEMENT]
            one = "(" + COUNT_MATCHES.format(range=_clause(within, "segments_fts.rowid")) + ")"
            params = [p for e in chunk for p in (e, *_params(within), cap)]
            row = self._conn.execute("SELECT " + ", ".join([one] * len(chunk)), params).fetchone()
            for expression, n in zip(chunk, row, strict=True):
                self._counts[(expression, within)] = (int(n), cap)
        return [n if (n := remembered(e)) is not None else 0 for e in expressions]

    def newest(
        self,
        expression: str,
        *,
        limit: int,
        within: Within | None = None,
        budget_s: float | None = None,
        until: Callable[[Match], bool] | None = None,
    ) -> list[Match]:
        """Segments matching `expression`, newest first. With a budget, a query that runs longer is
        interrupted and returns the rows found so far: a phrase of common words that occurs nowhere has to
        walk their whole doclists (hundreds of ms in a 50M-word store) to prove it. With `until`, the walk
        stops after the first row for which it returns True."""
        sql = FIND_NEWEST.format(range=_clause(within, "segments_fts.rowid"))
        return self._rows(sql, (expression, *_params(within), limit), budget_s, until)

    def ranked(self, expression: str, *, limit: int, within: Within | None = None) -> list[tuple[int, float]]:
        """(segment id, bm25) of the best matches, best first: only for match sets known to be small."""
        sql = RANKING.format(range=_clause(within, "segments_fts.rowid"))
        rows = self._conn.execute(sql, (expression, *_params(within))).fetchmany(limit)
        return [(int(r[0]), float(r[1])) for r in rows]

    def ranked_texts(self, expression: str, *, limit: int, within: Within | None = None) -> list[Match]:
        """`ranked()` with each segment's text, in one statement."""
        sql = RANKING_TEXTS.format(range=_clause(within, "f.rowid"))
        rows = self._conn.execute(sql, (expression, *_params(within))).fetchmany(limit)
        return [Match(int(r[0]), r[2], float(r[1])) for r in rows]

    def texts(self, segment_ids: Sequence[int]) -> dict[int, str]:
        if not segment_ids:
            return {}
        sql = TEXTS.format(",".join("?" * len(segment_ids)))
        return {int(r[0]): r[1] for r in self._conn.execute(sql, list(segment_ids))}

    def find_phrases(
        self,
        phrases: Sequence[Sequence[str]],
        *,
        limit: int,
        within: Within | None = None,
        costly: Sequence[str] = (),
    ) -> list[Match]:
        """Newest first, the segments that may hold every phrase (lists of folded words, two or more
        each): those with all of the phrases' word pairs. The caller checks the text; a phrase of
        common words costs about what a rare word does. `costly`: pair terms (of two common words) to
        check on the texts of the other pairs' segments rather than in the index (see PAIRS_CHECKED)."""
        terms = list(dict.fromkeys(term for phrase in phrases for term in pair_terms(phrase)))
        if not terms:
            return []
        sql = FIND_PAIRS.format(range=_clause(within, "p.rowid"))
        costly_terms = set(costly)
        checked = [t for t in terms if t in costly_terms]
        if checked and len(checked) < len(terms):
            rarer = fts_expression([[t] for t in terms if t not in checked])
            found = self._pairs_checked(sql, rarer, checked, limit, within)
            if found is not None:
                return found
        if checked and len(terms) > 1 and PAIR_COUNT_CAP:
            # Every pair of common words (or too many segments with the others): which are rare, the
            # counts tell.
            found = self._rarest_pairs(sql, terms, limit, within)
            if found is not None:
                return found
        return self._rows(sql, (fts_expression([[t] for t in terms]), *_params(within), limit), None, None)

    def _rarest_pairs(
        self, sql: str, terms: list[str], limit: int, within: Within | None
    ) -> list[Match] | None:
        """`find_phrases` through its rarest pairs in the index and the others on the texts (see
        PAIR_COUNT_CAP); None when that would test too many texts."""
        segments = self.pair_counts(terms)
        lo, hi = self._ids()
        total = max(1, hi - lo + 1)
        order = sorted(terms, key=segments.__getitem__)
        drive: list[str] = []
        expected = float(total)
        for term in order:
            # Short postings cost less to intersect than a text costs to test: all of them; then the
            # rarest others until few segments are expected to hold them all (pairs as independent).
            if drive and segments[term] >= PAIR_COUNT_CAP and expected <= PAIRS_CHECKED / 4:
                break
            drive.append(term)
            expected *= segments[term] / total
        rest = [t for t in terms if t not in drive]
        if not rest:
            return self._rows(
                sql, (fts_expression([[t] for t in terms]), *_params(within), limit), None, None
            )
        return self._pairs_checked(sql, fts_expression([[t] for t in drive]), rest, limit, within)

    def _ids(self) -> tuple[int, int]:
        if self._segment_ids is None:
            lo, hi = self._conn.execute(SEGMENT_IDS).fetchone()
            self._segment_ids = (int(lo or 0), int(hi or 0))
        return self._segment_ids

    def pair_counts(self, terms: Sequence[str]) -> dict[str, float]:
        """Segments holding each pair term: counted up to PAIR_COUNT_CAP, past it estimated from how far
        back the cap-th newest one lies (over the whole store), in one statement for those not
        remembered."""
        unknown = [t for t in dict.fromkeys(terms) if t not in self._pairs]
        if unknown:
            lo, hi = self._ids()
        for start in range(0, len(unknown), PROBES_PER_STATEMENT):
            chunk = unknown[start : start + PROBES_PER_STATEMENT]
            params = [p for t in chunk for p in (fts_expression([[t]]), PAIR_COUNT_CAP)]
            row = self._conn.execute("SELECT " + ", ".join([COUNT_PAIR] * len(chunk)), params).fetchone()
            for term, packed in zip(chunk, row, strict=True):
                n, low = map(int, packed.split())
                if n >= PAIR_COUNT_CAP:
                    self._pairs[term] = n * (hi - lo + 1) / max(1, hi - low + 1)
                else:
                    self._pairs[term] = float(n)
        return {t: self._pairs[t] for t in terms}

    def _pairs_checked(
        self, sql: str, rarer: str, checked: list[str], limit: int, within: Within | None
    ) -> list[Match] | None:
        """The segments with the rarer pairs (newest first) that also hold the `checked` ones, tested on
        their texts with the very function that indexes them: the same rows as asking the index for all
        the pairs. None when more than PAIRS_CHECKED segments would need testing."""
        rows: list[Match] = []
        cursor = self._conn.cursor()
        try:
            for n, r in enumerate(cursor.execute(sql, (rarer, *_params(within), PAIRS_CHECKED + 1))):
                if n == PAIRS_CHECKED:
                    return None
                if set(checked) <= set(word_pairs(r[1]).split()):
                    rows.append(Match(int(r[0]), r[1], float(r[2])))
                    if len(rows) >= limit:
                        break
        finally:
            cursor.close()
        return rows

    def _rows(
        self,
        sql: str,
        params: tuple[object, ...],
        budget_s: float | None,
        until: Callable[[Match], bool] | None,
    ) -> list[Match]:
        rows: list[Match] = []
        cursor = self._conn.cursor()
        try:
            with _deadline(self._conn, budget_s):
                try:
                    for r in cursor.execute(sql, params):
                        match = Match(int(r[0]), r[1], float(r[2]))
                        rows.append(match)
                        if until is not None and until(match):
                            break
                except sqlite3.OperationalError as exc:
                    if "interrupt" not in str(exc):
                        raise
                    log.debug("quote query stopped at its time budget with %d rows", len(rows))
        finally:
            # A walk left early is still an active statement: reset it (after the timer is gone) so that
            # nothing of it, an interrupt included, carries over to the connection's next statement.
            cursor.close()
        return rows

    def contexts(self, segment_ids: Sequence[int]) -> dict[int, SegmentContext]:
        if not segment_ids:
            return {}
        sql = CONTEXT.format(",".join("?" * len(segment_ids)))
        return {int(r[0]): _context(r) for r in self._conn.execute(sql, list(segment_ids))}
