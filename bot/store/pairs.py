"""Word pairs: the terms of the transcript phrase index (`segment_pairs`, migration 004).

A phrase is slow to find in the word index at scale when its words are common: every candidate segment
costs a seek into each common word's long position list (tens of ms for "you know what I mean" in 50M
words). Each adjacent pair of words is far rarer than either word, so the segments that may hold a phrase
are the intersection of its pairs' short postings (rowids only: `detail=none`); the caller then checks
the text itself. The index is a filter, never the judge: a stale or colliding entry costs a wasted check,
not a wrong hit.

The terms are made from `bot.text.fold` words, the same folding the quote ranking checks the text with,
so that a segment the ranking would call an exact phrase is always among the candidates. The store
registers `word_pairs()` as an SQL function on its connections: the triggers of migration 004 call it to
keep the index in step with `segments`, and a contentless FTS5 table is deleted from by repeating the
terms it was given. So changing `fold` (or this module) changes the terms: ship a migration that rebuilds
`segment_pairs` (`'delete-all'`, then insert every segment again) with such a change.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import TYPE_CHECKING

from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import aiosqlite

SQL_FUNCTION = "word_pairs"
# PostgreSQL's lexemes (its pair index, `segments.pairs`) hold at most 2,046 bytes: a longer one is refused
# by the literal's parser, and array_to_tsvector() stored it with its length cut to 11 bits, a corrupt
# lexeme that matched nothing. Pairs of such long words (a run of letters with no space, as a hostile feed
# may send) are hashed there, on both sides.
PG_LEXEME_BYTES = 2046
# A tsvector holds at most 1 MiB of lexemes: a segment with more distinct pairs (a hostile feed's run of
# 100k words in one segment) keeps its first pairs up to this many bytes, so that it is stored at all.
PG_PAIRS_BYTES = 1_000_000
_TOO_LONG = re.compile(f"[^ ]{{{PG_LEXEME_BYTES + 1}}}")


def _hashed(term: str) -> str:
    return "h" + hashlib.blake2b(term.encode(), digest_size=8).hexdigest()


def _term(first: str, second: str) -> str:
    term = f"{first}_{second}"
    if term.isascii():
        return term
    # The table's tokenizer is `ascii` with "_" as a token character: a term must be one ASCII token.
    # Folded words of other scripts are hashed (such pairs are rare in English transcripts); hashed
    # terms have no "_", so they cannot collide with a readable one.
    return _hashed(term)


def pair_terms(words: Sequence[str]) -> list[str]:
    """The index terms of each adjacent pair of folded words, in order."""
    if all(w.isascii() for w in words):
        return list(map("_".join, itertools.pairwise(words)))
    return [_term(a, b) for a, b in itertools.pairwise(words)]


def pg_lexemes(terms: Iterable[str]) -> list[str]:
    """Pair terms as PostgreSQL's pair index holds them: each once, none longer than a lexeme may be."""
    # A term of at most 511 characters is at most 2,044 bytes in UTF-8: only longer ones are encoded.
    short = PG_LEXEME_BYTES // 4
    return [
        t if len(t) <= short or len(t.encode()) <= PG_LEXEME_BYTES else _hashed(t)
        for t in dict.fromkeys(terms)
    ]


def pg_segment_pairs(text: str) -> str:
    """A segment's `pairs` on PostgreSQL (migration postgres/006), written by the store with the row: its
    terms space-separated, the text form of a tsvector (each term is lower-case ASCII letters, digits and
    "_": nothing in it needs quoting). One text value is cheap to send; a Python list costs psycopg 20x
    more, element by element."""
    pairs = word_pairs(text)
    # word_pairs' terms are ASCII (other scripts' are hashed): a character is a byte.
    if len(pairs) <= PG_PAIRS_BYTES and _TOO_LONG.search(pairs) is None:
        return pairs
    kept: list[str] = []
    size = 0
    for term in pg_lexemes(pairs.split()):
        size += len(term)
        if size > PG_PAIRS_BYTES:
            break
        kept.append(term)
    return " ".join(kept)


def word_pairs(text: str | None) -> str:
    """The SQL function: a segment's text -> its pair terms, space-separated (FTS5 tokenizes them)."""
    if not text:
        return ""
    folded = fold(text)
    words = folded.split()
    if folded.isascii():
        # Nearly every segment: one C-level pass, no Python call per pair (this runs on every ingest).
        return " ".join(map("_".join, itertools.pairwise(words)))
    return " ".join(pair_terms(words))


async def register(conn: aiosqlite.Connection) -> None:
    """Make `word_pairs()` available to the SQL (the triggers) run on this connection."""
    await conn.create_function(SQL_FUNCTION, 1, word_pairs, deterministic=True)
