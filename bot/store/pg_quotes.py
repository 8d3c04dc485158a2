"""Quote search reads on PostgreSQL: the same questions as bot.store.transcripts.TranscriptReader asks
SQLite, answered with the engine's full-text search (migration postgres/004).

The plan (bot/search/quotes.py) is shared by both engines and does not know which one answers: it asks
which words occur, how many segments match (up to a cap), for the newest or the best-ranked matches, and
for the segments that hold a phrase. Here each question is one statement over `segments.words` (a
generated tsvector with a GIN index), every query word a bound parameter turned into a tsquery by
`podbot_phrase()` in the database (bot.store.pg_expression).

Where SQLite's FTS5 and PostgreSQL differ, and what is done about it:
- Phrases: both engines find the segments that may hold a phrase through an index of adjacent word
  pairs (SQLite's segment_pairs, migration 004; here `segments.pairs`, a generated tsvector of pair
  lexemes, migration postgres/005). A `<->` phrase query of common words would make GIN return every
  segment with all of the words and recheck each one's positions on the heap (300-450 ms at 10M words).
- Ranking: FTS5 ranks by bm25, PostgreSQL has `ts_rank`. Only the order within a tier of hits (see
  bot.search.quotes.Tiers: all the words, not as typed) and its score (50–80) depend on it.
- Counting a word: a GIN scan reads the word's whole posting list before the first row, and each match
  costs a heap visit (10-30 ms for a word in 3,000 segments at 10M words). Words that ANALYZE's
  statistics settle are not counted: migration postgres/005's statistics object lists 10,000 words with
  counts that are exact when the table has at most 300,000 segments, and off since then by at most the
  segments stored or removed (known from the ids and one index-only count per catalog change); past
  that size, or without it, the column's sampled statistics are used with a margin.
- A walk with a time budget (`newest(budget_s=…)`) that runs out keeps nothing on PostgreSQL (a
  cancelled statement returns no rows), where SQLite keeps the rows found so far.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors

from bot.store import cue_times
from bot.store.index_reads import fts_expression
from bot.store.pairs import pair_terms, pg_lexemes
from bot.store.pg_expression import tsquery
from bot.store.transcripts import Match, SegmentContext, Within, remembered_count

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from bot.store.pg_stems import PgStemmer

log = logging.getLogger(__name__)

# Remembered term statistics before they are forgotten (as bot.store.transcripts.MEMORY).
MEMORY = 20_000
# A word estimated in more than this many times the cap is common without counting it; one estimated
# well under the cap (by the same margin) but in more than ESTIMATE_FLOOR segments is taken at its
# estimate. The plan only asks whether a word is common (3,000) and whether a set is small enough to
# rank (300): estimates this far from both give the answers counting would (ANALYZE samples 30,000
# rows: a word in 2% of them is estimated within a few percent). Counting one costs a heap visit per
# segment (GIN must recheck), 5 ms for a word in 3,000 segments.
ESTIMATE_MARGIN = 1.25
ESTIMATE_FLOOR = 500
# ANALYZE samples 300 rows per unit of statistics target: up to that many segments, migration
# postgres/005's statistics object is computed from every segment, and its counts were exact then.
SAMPLE_PER_TARGET = 300
# term_docs() counts the candidates' segments among at most this many that hold any of them: a
# misspelt word's candidates are mostly rare words, and a common one is the most used either way.
TERM_DOCS_CAP = 1_000

# Whether the transcripts changed since the statistics were read: every ingest that changes the catalog
# bumps its generation in the same transaction (migration 005), so whoever reads the new generation
# sees the new segments. (SQLite asks `PRAGMA data_version`; PostgreSQL has no such counter that moves
# only with commits: the write-ahead log's position moves with reads that prune pages too.)
CHANGED = "SELECT generation FROM catalog_state"
# The statistics object of migration postgres/005 (10,000 lexemes), if it has been analysed, with the
# highest segment id that ANALYZE saw (the last bound of the id column's histogram: exact when every row
# was sampled); else the column's own statistics (COMMON_ELEMENTS).
TERM_ELEMENTS = """
SELECT e.most_common_elems::text::text[], e.most_common_elem_freqs, c.reltuples, x.stxstattarget,
       (SELECT h.b[cardinality(h.b)] FROM (SELECT i.histogram_bounds::text::bigint[] AS b FROM pg_stats i
        WHERE i.schemaname = current_schema() AND i.tablename = 'segments' AND i.attname = 'id') h)
FROM pg_stats_ext_exprs e
JOIN pg_statistic_ext x ON x.stxname = e.statistics_name AND x.stxnamespace = current_schema()::regnamespace
JOIN pg_class c ON c.oid = x.stxrelid
WHERE e.statistics_name = 'segments_words_terms' AND e.statistics_schemaname = current_schema()
"""
# How far counts may have moved since exact statistics: segments stored since (ids above the highest
# one ANALYZE saw: an index range, usually empty) and at most how many were removed since (the rows then
# less those left of them now: one index-only count, once per change of the catalog).
SINCE_ANALYZE = "SELECT count(*) FILTER (WHERE id > %s), count(*) FROM segments"
COMMON_ELEMENTS = """
SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relkind = 'r'
WHERE s.tablename = 'segments' AND s.attname = 'words' AND s.schemaname = current_schema()
AND c.relnamespace = current_schema()::regnamespace
"""
COUNT = "(SELECT count(*) FROM (SELECT 1 FROM segments s WHERE s.words @@ {q}{range} LIMIT %s) c)"
PRESENT = "EXISTS (SELECT 1 FROM segments s WHERE s.words @@ {q})"
# Counts of words rarer than every word the statistics list (see PgTranscriptReader._rare), each up to its
# own cap (a cap of 1 asks whether it occurs), in one statement planned once: a word per row rather than
# a subquery per word. Each of those was planned for its own constant (0.15-0.2 ms each, the most of
# what a presence check of a rare word costs); here the subquery is planned once, blind to the words,
# which is harmless for rare words only: it is run with sequential scans off (see _index_only), and a
# bitmap scan of a short posting list is what each needs, where a common word's would cost 35 ms ("the"
# at 10M words, against 3-8 ms for a sequential scan that stops at the cap). Each word comes as its one
# lexeme, quoted (the stemmer's term, which the word's podbot_phrase() is): making that in SQL cost
# 20 µs a word.
RARE_COUNTS = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM segments s WHERE s.words @@ u.q LIMIT u.cap) c)
FROM unnest(%b::text[]::tsquery[], %b::int[]) WITH ORDINALITY AS u(q, cap, n) ORDER BY u.n
"""
FIND_NEWEST = "SELECT s.id, s.text FROM segments s WHERE s.words @@ {q}{range} ORDER BY s.id DESC LIMIT %s"
# Segments holding every adjacent word pair of the phrases (migration postgres/005): a superset of the
# exact hits, which the caller checks on the text, found without reading any word's positions. The terms
# are bot.store.pairs' (migration postgres/006), each quoted into a tsquery lexeme taken as it is: no
# parser, no dictionary, and no term ever read as an operator. The tsquery is a parameter, a constant to
# the planner, which then estimates it from the index's statistics: built in SQL (string_agg over the
# terms) it was an InitPlan of unknown selectivity, 1.5 ms against 0.12 ms for "you know what" at 10M
# words, and 17 ms on average over the bench's phrases.
PAIRS_QUERY = "%s::tsquery"
FIND_PAIRS = "SELECT s.id, s.text FROM segments s WHERE s.pairs @@ {q}{range} ORDER BY s.id DESC LIMIT %s"
# ts_rank with normalization 1 (divided by 1 + the log of the segment's length), as bm25 favours the
# shorter of two segments that hold the words equally; best first, then the older (FTS5's tie order).
RANKING = """
SELECT s.id, ts_rank(s.words, q.q, 1) AS score{text} FROM segments s, (SELECT {q} AS q) q
WHERE s.words @@ q.q{range} ORDER BY score DESC, s.id LIMIT %s
"""
# GIN scans for the candidates (hundreds of strings one edit away, nearly all of them no word at all),
# ORed, then each candidate's share of the segments found. One scan of an OR of n lexemes costs more than
# linearly in n (611 lexemes 4.2-5.5 ms, the same in 25 scans of 25 each, BitmapOr'ed: 1.0 ms).
TERM_DOCS = """
SELECT l, count(*) FROM (SELECT s.words FROM segments s WHERE {where} LIMIT %s) f,
unnest(tsvector_to_array(f.words)) l WHERE l = ANY(%b) GROUP BY l
"""
TERM_DOCS_SCAN = "s.words @@ to_tsquery('simple', %s)"
# (Arrays of many strings go in binary (%b): psycopg's text form of the ~700 candidates of a misspelt
# word cost 0.85 ms of client CPU to write, the binary 0.35 ms.)
TERM_DOCS_CHUNK = 25
TEXTS = "SELECT id, text FROM segments WHERE id = ANY(%s)"
EPISODE_RANGE = "SELECT min(id), max(id) FROM segments WHERE episode_id = %s"
EPISODE_SHOW = "SELECT show_id FROM episodes WHERE id = %s"
SHOW_SPAN = """
SELECT min(s.id), max(s.id) FROM segments s JOIN episodes e ON e.id = s.episode_id WHERE e.show_id = ANY(%s)
"""
CONTEXT = """
SELECT s.id, s.episode_id, e.title, s.speaker, s.start_s, s.text,
       (SELECT p.text FROM segments p WHERE p.episode_id = s.episode_id AND p.position = s.position - 1),
       (SELECT n.text FROM segments n WHERE n.episode_id = s.episode_id AND n.position = s.position + 1),
       e.show_id, sh.title, s.cue_times
FROM segments s JOIN episodes e ON e.id = s.episode_id JOIN shows sh ON sh.id = e.show_id
WHERE s.id = ANY(%s)
"""
# ts_rank's scores are fractions; scaled so that the tier's scores spread over a range like bm25's.
RANK_SCALE = 100.0


def _clause(within: Within | None) -> tuple[str, tuple[object, ...]]:
    if within is None:
        return "", ()
    if within.episode_range is not None:
        return " AND s.id BETWEEN %s AND %s", within.episode_range
    if within.show_ids is not None:
        return (
            " AND s.id BETWEEN %s AND %s AND s.episode_id IN (SELECT id FROM episodes WHERE show_id = ANY(%s))",
            (*within.show_span, list(within.show_ids)),
        )
    return "", ()


class PgTranscriptReader:
    """bot.store.transcripts.TranscriptReader's methods, on PostgreSQL. Not thread-safe: one per worker."""

    def __init__(self, conn: psycopg.Connection, stemmer: PgStemmer) -> None:
        self._conn = conn
        self._stemmer = stemmer
        self._version: object = None
        self._present: dict[str, bool] = {}
        self._counts: dict[tuple[str, Within | None], tuple[int, int]] = {}
        self._spans: dict[tuple[int, ...], tuple[int, int] | None] = {}
        # lexeme -> estimated segments (ANALYZE's most common elements)
        self._estimates: dict[str, float] = {}
        # segment id -> text, of the last ranking of this search (see ranked())
        self._ranked_texts: dict[int, str] = {}
        # (segments stored, segments removed) since exact statistics were computed; None: sampled ones.
        self._bounds: tuple[int, int] | None = None

    def fresh(self) -> None:
        self._ranked_texts = {}
        (version,) = self._one(CHANGED, ())
        if version != self._version or len(self._counts) + len(self._present) > MEMORY:
            self._version = version
            self._present.clear()
            self._counts.clear()
            self._spans.clear()
            self._estimates = self._read_estimates()

    def _read_estimates(self) -> dict[str, float]:
        self._bounds = None
        row = self._conn.execute(TERM_ELEMENTS).fetchone()
        if row is not None and row[0] is not None and row[2] and row[2] > 0:
            elements, freqs, rows, target, analysed_max = row
            if target is not None and analysed_max is not None and rows <= int(target) * SAMPLE_PER_TARGET:
                added, now = self._one(SINCE_ANALYZE, (analysed_max,))
                removed = max(0, round(rows) - (int(now) - int(added)))  # type: ignore[call-overload]
                self._bounds = (int(added), removed)  # type: ignore[call-overload]
        else:
            row = self._conn.execute(COMMON_ELEMENTS).fetchone()
            if row is None or row[0] is None or not row[2] or row[2] < 0:
                return {}
            elements, freqs, rows = row
        # most_common_elem_freqs ends with three summary numbers (min, max, null fraction).
        return {e: f * rows for e, f in zip(elements, freqs, strict=False)}

    def _estimated_common(self, word: str, cap: int) -> bool:
        """Whether `word` is one index term that the statistics put far above `cap` segments."""
        n = self._estimate(word, cap)
        return n is not None and n >= cap

    def _estimate(self, word: str, cap: int) -> int | None:
        """`word`'s segments up to `cap`, from the statistics, when they are far enough from `cap` to
        decide as a count would; None: count it."""
        if not self._estimates:
            return None
        [terms] = self._stemmer.terms([word])
        estimate = self._estimates.get(terms[0], 0.0) if len(terms) == 1 else 0.0
        if self._bounds is not None:
            # Exact when ANALYZE ran; since then each segment stored or removed moves a count by one.
            added, removed = self._bounds
            counted = round(estimate)
            if counted - removed >= cap:
                return cap
            if counted and not added and not removed:
                # Nothing stored or removed since (segments are only ever inserted and deleted, by
                # bot.store.catalog): the count itself, however small. Words not listed are in fewer
                # segments than the 10,000th listed (about 70 at 10M words), cheap to count.
                return counted
            if counted + added < cap and counted - removed >= ESTIMATE_FLOOR:
                return counted
            return None
        if estimate >= cap * ESTIMATE_MARGIN:
            return cap
        if ESTIMATE_FLOOR <= estimate <= cap / ESTIMATE_MARGIN:
            return round(estimate)
        return None

    def _one(self, sql: str, params: Sequence[object]) -> tuple[object, ...]:
        row = self._conn.execute(sql, params).fetchone()
        assert row is not None
        return tuple(row)

    def _rare(self, word: str) -> bool:
        """Whether `word` is one index term that the statistics do not list: then it is in fewer
        segments than the least common word they list (about 70 at 10M words), and a bitmap scan of
        its postings is cheap whatever it is."""
        if not self._estimates or not word.isalnum():
            return False
        [terms] = self._stemmer.terms([word])
        return len(terms) == 1 and terms[0] not in self._estimates

    def _count_rare(self, caps: dict[str, int]) -> dict[str, int]:
        """Each rare word's segments up to its cap (see RARE_COUNTS), in one statement."""
        words = list(caps)
        lexemes = [_quoted_lexeme(terms[0]) for terms in self._stemmer.terms(words)]
        rows = self._index_only(RARE_COUNTS, (lexemes, [caps[w] for w in words]))
        return {w: int(n) for w, (n,) in zip(words, rows, strict=True)}

    def present(self, words: Sequence[str]) -> set[str]:
        unknown = [w for w in dict.fromkeys(words) if w.strip() and w not in self._present]
        if self._estimates:
            self._stemmer.terms([w for w in unknown if w.isalnum()])  # one statement for all of them
        for word in list(unknown):
            if self._estimated_common(word, 1):
                self._present[word] = True
                unknown.remove(word)
        rare = {w: 1 for w in unknown if self._rare(w)}
        if rare:
            self._present.update((w, bool(n)) for w, n in self._count_rare(rare).items())
            unknown = [w for w in unknown if w not in rare]
        if unknown:
            parts, params = [], []
            for word in unknown:
                parts.append(PRESENT.format(q="podbot_phrase(%s)"))
                params.append(word)
            row = self._one("SELECT " + ", ".join(parts), params)
            self._present.update(zip(unknown, map(bool, row), strict=True))
        return {w for w in words if self._present.get(w)}

    def survey(
        self,
        words: Sequence[str],
        probes: Sequence[str],
        *,
        cap: int,
        if_uncommon: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Counts of `words` (up to `cap`) and presence of `probes`, remembered, then presence of the
        probes `if_uncommon` lists for the words found in fewer than `cap` segments: see
        TranscriptReader. The rare ones of all three are asked in one statement (with the probes of
        every word not known to be common: the statistics tell most of them apart, and a probe asked
        for a word that turns out common costs a rare word's lookup), the rest as counts() and
        present() ask."""
        words = [w for w in dict.fromkeys(words) if w.strip()]
        probes = [p for p in dict.fromkeys(probes) if p.strip() and p not in words]
        if_uncommon = if_uncommon or {}
        maybe = [p for w, ps in if_uncommon.items() if not self._estimated_common(w, cap) for p in ps]
        if self._estimates:
            self._stemmer.terms([w for w in (*words, *probes, *maybe) if w.isalnum()])  # one go for all
        caps = {
            w: cap
            for w in words
            if remembered_count(self._counts, fts_expression([[w]]), None, cap) is None
            and self._estimate(w, cap) is None
            and self._rare(w)
        }
        for probe in (*probes, *maybe):
            if probe not in caps and probe not in self._present and self._rare(probe):
                caps[probe] = 1
        if caps:
            counted = set(words)
            for word, n in self._count_rare(caps).items():
                if word in counted and caps[word] == cap:
                    self._counts[(fts_expression([[word]]), None)] = (n, cap)
                self._present[word] = bool(n)
        for word, n in zip(words, self.counts([fts_expression([[w]]) for w in words], cap=cap), strict=True):
            self._present[word] = bool(n)
        self.present(probes)
        uncommon = [w for w in if_uncommon if self.count(fts_expression([[w]]), cap=cap) < cap]
        self.present([p for w in uncommon for p in if_uncommon[w]])

    def term_docs(self, terms: Sequence[str]) -> dict[str, int]:
        terms = list(dict.fromkeys(t for t in terms if t))
        # Candidates the statistics know are common words: their estimate stands (higher than any word
        # they do not list), and the GIN scan is spared their long posting lists ("modle" -> "model").
        found = {t: round(self._estimates[t]) for t in terms if t in self._estimates}
        terms = [t for t in terms if t not in found]
        if not terms:
            return found
        # Each candidate quoted as a tsquery lexeme: no candidate is ever read as an operator.
        quoted = list(map(_quoted_lexeme, terms))
        queries = [
            " | ".join(quoted[i : i + TERM_DOCS_CHUNK]) for i in range(0, len(quoted), TERM_DOCS_CHUNK)
        ]
        sql = TERM_DOCS.format(where=" OR ".join([TERM_DOCS_SCAN] * len(queries)))
        rows = self._index_only(sql, (*queries, TERM_DOCS_CAP, terms))
        return found | {t: int(n) for t, n in rows if n}

    def show_span(self, show_ids: Sequence[int]) -> tuple[int, int] | None:
        key = tuple(sorted(show_ids))
        if key not in self._spans:
            lo, hi = self._one(SHOW_SPAN, (list(key),))
            self._spans[key] = (int(lo), int(hi)) if lo is not None else None  # type: ignore[call-overload]
        return self._spans[key]

    def episode_show(self, episode_id: int) -> int | None:
        row = self._conn.execute(EPISODE_SHOW, (episode_id,)).fetchone()
        return int(row[0]) if row else None

    def episode_range(self, episode_id: int) -> tuple[int, int] | None:
        row = self._conn.execute(EPISODE_RANGE, (episode_id,)).fetchone()
        return (int(row[0]), int(row[1])) if row and row[0] is not None else None

    def count(self, expression: str, *, cap: int, within: Within | None = None) -> int:
        [n] = self.counts([expression], cap=cap, within=within)
        return n

    def counts(self, expressions: Sequence[str], *, cap: int, within: Within | None = None) -> list[int]:
        def remembered(expression: str) -> int | None:
            return remembered_count(self._counts, expression, within, cap)

        unknown = list(dict.fromkeys(e for e in expressions if remembered(e) is None))
        if self._estimates and within is None:
            self._stemmer.terms([w for e in unknown if (w := _single_word(e)) is not None])
        asked: list[str] = []
        rare: dict[str, str] = {}  # word -> its expression
        for expression in unknown:
            word = _single_word(expression)
            estimate = self._estimate(word, cap) if within is None and word is not None else None
            if estimate is not None:
                self._counts[(expression, within)] = (estimate, cap)
            elif within is None and word is not None and self._rare(word):
                rare[word] = expression
            else:
                asked.append(expression)
        if rare:
            for word, found in self._count_rare(dict.fromkeys(rare, cap)).items():
                self._counts[(rare[word], None)] = (found, cap)
        if asked:
            where, where_params = _clause(within)
            parts: list[str] = []
            params: list[object] = []
            for expression in asked:
                q, q_params = tsquery(expression)
                parts.append(COUNT.format(q=q, range=where))
                params += [*q_params, *where_params, cap]
            # Words alone are estimated well by the planner; units of alternatives and phrases are not.
            several = any(_single_word(e) is None for e in asked)
            sql = "SELECT " + ", ".join(parts)
            [row] = self._index_only(sql, params) if several else [self._one(sql, params)]
            for expression, n in zip(asked, row, strict=True):
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
        q, q_params = tsquery(expression)
        where, where_params = _clause(within)
        sql = FIND_NEWEST.format(q=q, range=where)
        rows: list[Match] = []
        params = (*q_params, *where_params, limit)
        try:
            if budget_s is None:
                fetched = self._conn.execute(sql, params).fetchall()
            else:
                timeout = f"SET LOCAL statement_timeout = {max(1, int(budget_s * 1000))}"
                fetched = self._with_setting(timeout, sql, params)
        except errors.QueryCanceled:
            log.debug("quote query stopped at its time budget")
            return rows
        for segment_id, text in fetched:
            match = Match(int(segment_id), text, 0.0)
            rows.append(match)
            if until is not None and until(match):
                break
        return rows

    def _index_only(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """The rows of one statement with sequential scans off. A tsquery of ORed alternatives and
        phrases looks unselective to the planner, which then reads the table from its start testing each
        row (40 ms at 10M words for a phrase in few segments, 8 s for hundreds of misspelling candidates)
        where the GIN index answers in a few ms. Off is a cost, not a ban: a query with no index still
        runs."""
        return self._with_setting("SET LOCAL enable_seqscan = off", sql, params)

    def _with_setting(self, setting: str, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """The rows of `sql` run after `setting` (a SET LOCAL), the two sent as one pipeline: the
        statements before a pipeline's sync are one implicit transaction, which the setting lasts
        for, so it costs no round trip of its own (BEGIN, SET, the statement and COMMIT in a
        transaction block cost four: psycopg syncs after BEGIN and after COMMIT)."""
        with self._conn.pipeline():
            self._conn.execute(setting)
            cursor = self._conn.execute(sql, params)
        return cursor.fetchall()

    def ranked(self, expression: str, *, limit: int, within: Within | None = None) -> list[tuple[int, float]]:
        # With the texts, which the rows ranked have been read for already: the plan's next question is
        # the texts of the best of them (texts()), answered from these without a round trip.
        matches = self._ranking(expression, limit, within, texts=True)
        self._ranked_texts = {m.segment_id: m.text for m in matches}
        return [(m.segment_id, m.rank) for m in matches]

    def ranked_texts(self, expression: str, *, limit: int, within: Within | None = None) -> list[Match]:
        return self._ranking(expression, limit, within, texts=True)

    def _ranking(self, expression: str, limit: int, within: Within | None, *, texts: bool) -> list[Match]:
        q, q_params = tsquery(expression)
        where, where_params = _clause(within)
        sql = RANKING.format(q=q, range=where, text=", s.text" if texts else ", NULL")
        rows = self._conn.execute(sql, (*q_params, *where_params, limit)).fetchall()
        # Lower is better, as with bm25.
        return [Match(int(r[0]), r[2] or "", -float(r[1]) * RANK_SCALE) for r in rows]

    def texts(self, segment_ids: Sequence[int]) -> dict[int, str]:
        if not segment_ids:
            return {}
        if all(i in self._ranked_texts for i in segment_ids):
            return {i: self._ranked_texts[i] for i in segment_ids}
        return {int(i): t for i, t in self._conn.execute(TEXTS, (list(segment_ids),))}

    def find_phrases(
        self,
        phrases: Sequence[Sequence[str]],
        *,
        limit: int,
        within: Within | None = None,
        costly: Sequence[str] = (),
    ) -> list[Match]:
        """Newest first, the segments holding every adjacent word pair of the phrases (folded words, as
        SQLite's pair index): a superset of those that hold them as typed, which the caller checks on
        the text. (`costly` is for SQLite's pair index, where intersecting common pairs costs more; GIN
        intersects them at no heap cost.)"""
        terms = pg_lexemes(term for phrase in phrases for term in pair_terms(phrase))
        if not terms:
            return []
        where, where_params = _clause(within)
        rows = self._conn.execute(
            FIND_PAIRS.format(q=PAIRS_QUERY, range=where), (_all_of(terms), *where_params, limit)
        )
        return [Match(int(segment_id), text, 0.0) for segment_id, text in rows]

    def contexts(self, segment_ids: Sequence[int]) -> dict[int, SegmentContext]:
        if not segment_ids:
            return {}
        rows = self._conn.execute(CONTEXT, (list(segment_ids),)).fetchall()
        return {
            int(r[0]): SegmentContext(
                segment_id=r[0],
                episode_id=r[1],
                episode_title=r[2],
                speaker=r[3],
                start_s=r[4],
                text=r[5],
                previous=r[6],
                next=r[7],
                show_id=r[8],
                show_title=r[9],
                cues=cue_times.decode(r[10]),
            )
            for r in rows
        }


def _quoted_lexeme(term: str) -> str:
    """`term` as one tsquery lexeme, whatever it holds."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _all_of(terms: Sequence[str]) -> str:
    """A tsquery (text) matching what holds every one of `terms`."""
    return " & ".join(map(_quoted_lexeme, terms))


def _single_word(expression: str) -> str | None:
    """The word of an expression of one quoted word ('"the"'), else None."""
    if expression.startswith('"') and expression.endswith('"') and '"' not in expression[1:-1]:
        word = expression[1:-1]
        if word and word.isalnum():
            return word
    return None
