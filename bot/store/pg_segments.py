"""Transcript segments as the store writes them on PostgreSQL: each row with its phrase-index pair terms
and its words, made here in Python (migration postgres/006) rather than by the database per row.

Why: the generated column `words = podbot_words(text)` (migration postgres/004: `unaccent`, two regular
expressions, the default parser and the snowball stemmer) cost the server 135 µs a segment, 5.3 of the
8.1 s of server time that storing the 15 MB bench feed's 39k segments took; with the words and pairs
made here, 2.7 s. The query side is unchanged: a user's words still go through `podbot_phrase()` in the
database, so these words must be exactly what `podbot_words()` makes of the same text. They are for the
text this module reproduces: tests/test_store_pg_segments.py holds the two equal on the bundled
transcripts, the suite's hostile strings and each limit below (and they were on all 39,244 segments of
the bench feed, compared once by hand). Any other text (not ASCII, or with
something the database's parser reads its own way) gets None here, and the database makes its words as
before (`FILL_WORDS`, in the same transaction).

What `podbot_words()` does to ASCII text, step by step, and how it is done here:
- every run of characters other than letters and digits becomes a space, then each two-letter word
  ending in s or y gets a "0" (podbot_clean): bot.text's ASCII folding (which lowers the case too, as
  the dictionaries do), and the "0" rule applied per distinct word;
- the default parser reads letters as `asciiword`, letters with digits as `numword`, digits as `uint`,
  and a run like "1e5" as `sfloat`, which has no dictionary and is dropped: text with a digit, "e" and
  a digit in a row is left to the database;
- words go through snowball's `porter` (PyStemmer is the same C code, from the Snowball project);
  PostgreSQL keeps a word whose stem is empty ("s") as it is, and does not stem a word over 1,000
  bytes: such text is left to the database;
- positions count words from 1; to_tsvector keeps 255 positions of a lexeme and none past 16,383:
  text beyond either is left to the database, as is text over INDEXED_CHARS (of which the database
  indexes the start).
"""

from __future__ import annotations

import collections
import functools
import logging
import operator
import re
import threading
from typing import TYPE_CHECKING, Any

from bot.store.pairs import pg_segment_pairs
from bot.text import ascii_fold_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store.db import Connection, Engine, Row

log = logging.getLogger(__name__)

# The columns the store adds to a segment's own on PostgreSQL, in this order.
ADDED_COLUMNS = ("pairs", "words")
# The words of the rows this module left to the database (found through a partial index). A tsvector holds
# at most 1 MiB of lexemes: of a text longer than INDEXED_CHARS (a hostile feed's 100k-word segment; a
# segment is 80 words as a rule), the words of its start are indexed, so that it is stored at all.
INDEXED_CHARS = 250_000
FILL_WORDS = f"UPDATE segments SET words = podbot_words(left(text, {INDEXED_CHARS})) WHERE words IS NULL"
# Segments whose pairs are missing (migration postgres/006), found through a partial index, given them
# this many per transaction.
MISSING_PAIRS = "SELECT id FROM segments WHERE pairs IS NULL ORDER BY id"
# One statement per batch: an UPDATE per row cost 1.4 ms a segment (16,800 of a 10M-word store: 23.5 s).
FILL_PAIRS = """
UPDATE segments s SET pairs = f.pairs::tsvector FROM unnest(?::bigint[], ?::text[]) AS f(id, pairs)
WHERE s.id = f.id AND s.pairs IS NULL
"""
FILL_BATCH = 1_000

# What the parser may read as scientific notation ("1e5"), looked for in the text itself: its letters and
# digits are the folded text's.
_SCIENTIFIC = re.compile("[0-9][eE][0-9]")
# PostgreSQL's limits (tsearch/ts_type.h, dict_snowball.c): the last position, the positions kept of a
# lexeme by to_tsvector, the longest word stemmed.
LAST_POSITION = 16_383
KEPT_POSITIONS = 255
LONGEST_STEMMED = 1_000
_POSITIONS = tuple(f":{i}" for i in range(LAST_POSITION + 1))
# Distinct words' lexemes, remembered: a transcript's words repeat, and most of them across episodes.
_REMEMBERED = 200_000


@functools.cache
def _stemmer() -> Any:
    # Imported when first needed: a store on SQLite never is.
    import Stemmer

    return Stemmer.Stemmer("porter")


_lexemes: dict[str, str] = {}
_LEARNING = threading.Lock()


def _learn(words: set[str]) -> None:
    ordered = list(words)
    for word, stem in zip(ordered, _stemmer().stemWords(ordered), strict=True):
        # podbot_clean's "0" on a two-letter word ending in s or y (which no rule then changes);
        # digits are the `simple` dictionary's, as they are.
        if len(word) == 2 and word[1] in "sy" and word[0].isalpha():
            _lexemes[word] = word + "0"
        elif word.isdigit() or not stem:
            # A stem of nothing ("s": porter drops a final s) is not taken: dict_snowball keeps the word.
            _lexemes[word] = word
        else:
            _lexemes[word] = stem


def pg_words(text: str) -> str | None:
    """`podbot_words(text)` as a tsvector literal ("know:2 you:1 …"; the server merges and sorts
    repeated lexemes), or None where the database is to make it."""
    lexemes = pg_terms(text)
    if lexemes is None:
        return None
    return " ".join(map(operator.add, lexemes, _POSITIONS[1 : len(lexemes) + 1]))


def pg_terms(text: str) -> list[str] | None:
    """The lexemes of `podbot_words(text)`, one per word in the text's order (what the index holds at
    positions 1, 2, …), or None where the database is to make them."""
    if len(text) > INDEXED_CHARS or not text.isascii() or _SCIENTIFIC.search(text) is not None:
        return None
    words = ascii_fold_words(text)
    if not words:
        return []
    count = len(words)
    if count > LAST_POSITION or max(map(len, words)) > LONGEST_STEMMED:
        return None
    # The remembered lexemes are shared by every thread of the process (each store's COPY workers).
    with _LEARNING:
        unknown = set(words).difference(_lexemes)
        if unknown:
            if len(_lexemes) + len(unknown) > _REMEMBERED:
                _lexemes.clear()
                unknown = set(words)
            _learn(unknown)
        lexemes = list(map(_lexemes.__getitem__, words))
    if count > KEPT_POSITIONS and collections.Counter(lexemes).most_common(1)[0][1] > KEPT_POSITIONS:
        return None
    return lexemes


def _with_terms(rows: list[Row], text: int) -> list[Row]:
    return [(*row, pg_segment_pairs(row[text]), pg_words(row[text])) for row in rows]


async def insert_segments(conn: Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Add segment rows (values of `columns`, `text` among them) with their pairs and words; how many.
    The terms are made in a worker thread, a chunk at a time while the server reads the chunk before
    (an hour-long episode's are 10-20 ms of CPU, which the bot's event loop is not to wait for)."""
    text = list(columns).index("text")
    added = await conn.insert_rows(
        "segments", (*columns, *ADDED_COLUMNS), rows, prepare=functools.partial(_with_terms, text=text)
    )
    # Rows whose words were left to the database have none yet: found through a partial index.
    await conn.execute(FILL_WORDS)
    return added


class PendingSegments:
    """The SegmentWriter of PostgreSQL. One transaction's new segment rows, written together in one COPY
    when flushed: the server reads
    it while the next chunk's terms are made, where a COPY per episode leaves one side idle at a time
    (the 15 MB bench feed's 39k segments: 9.0 s a COPY per episode, 6.0 s one COPY)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._columns = tuple(columns)
        self._rows: list[Sequence[Any]] = []
        self._episodes: set[int] = set()

    async def replace(
        self, conn: Connection, episode_id: int, rows: Sequence[Sequence[Any]], *, new: bool
    ) -> None:
        """`rows` become the episode's segments (`new`: it has none stored yet)."""
        if not new:
            if episode_id in self._episodes:
                # The same episode twice in one source: its first rows go in before they are deleted.
                await self.flush(conn)
            await conn.execute("DELETE FROM segments WHERE episode_id = ?", (episode_id,))
        self._rows.extend(rows)
        self._episodes.add(episode_id)

    async def flush(self, conn: Connection) -> None:
        if self._rows:
            rows, self._rows, self._episodes = self._rows, [], set()
            await insert_segments(conn, self._columns, rows)

    async def copy(self, conn: Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Rows of another store's segments table, their ids kept, with their terms made here."""
        await insert_segments(conn, columns, rows)


async def fill_pairs(engine: Engine) -> int:
    """Give the segments with no pair terms theirs: those whose terms migration postgres/006 could not
    keep (the SQL folding of other scripts differed); how many there were. A store with none pays one
    empty index scan. Several processes starting at once may fill the same rows: each writes the same
    terms, and a row filled already is skipped."""
    ids = [row[0] for row in await engine.reader.fetch_all(MISSING_PAIRS)]
    for start in range(0, len(ids), FILL_BATCH):
        async with engine.transaction() as conn:
            texts = await conn.fetch_all(
                "SELECT id, text FROM segments WHERE id = ANY(?)", (ids[start : start + FILL_BATCH],)
            )
            await conn.execute(FILL_PAIRS, ([i for i, _ in texts], [pg_segment_pairs(t) for _, t in texts]))
    if ids:
        log.info("gave %d transcript segments their phrase-index terms", len(ids))
    return len(ids)
