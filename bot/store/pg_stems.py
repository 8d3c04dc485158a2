"""Terms as the PostgreSQL index holds them, and highlighting with the same rules: the counterpart of
bot.store.stems.Stemmer for a store on PostgreSQL.

The plan compares the user's words with the index's terms (spelling correction, joined and split words),
so the terms must come from the very function that builds the index: for ASCII text that is
bot.store.pg_segments.pg_terms (migration postgres/006: the store makes the segments' words in Python,
held equal to the database's by tests/test_store_pg_segments.py), which costs no statement; any other
word is asked of `podbot_words()` (migration postgres/004) in the database. Both are remembered.
Highlighting is done here rather than with `ts_headline`: it marks what FTS5's `highlight()` marks (each
instance of a phrase of the expression, overlapping instances as one span, from the first word's first
character to the last word's last), so that a hit's marked words are the same on both engines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.store.pg_expression import units
from bot.store.pg_segments import pg_terms

if TYPE_CHECKING:
    import psycopg

# Words whose terms are remembered (cleared when full), as bot.store.stems.KNOWN_WORDS.
KNOWN_WORDS = 50_000
# What the index calls a word: a run of letters and digits (migration postgres/004 cleans the text with
# `[^[:alnum:]]+`, FTS5's unicode61 separates at the same characters).
_WORD_PIECES = re.compile(r"([^\W_]+)")
TERMS = """
SELECT array(SELECT l.lexeme FROM unnest(podbot_words(w)) l, unnest(l.positions) p ORDER BY p)
FROM unnest(%s::text[]) WITH ORDINALITY AS u(w, n) ORDER BY n
"""


class PgStemmer:
    """Not thread-safe: each quote worker thread keeps its own, on its own connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._known: dict[str, tuple[str, ...]] = {}
        # word -> its terms as one (see _one_term), for marking: the hits' words, remembered with _known.
        self._one_term: dict[str, str | None] = {}

    def terms(self, words: list[str]) -> list[list[str]]:
        """For each word, the index terms it becomes, in order (usually one; none for punctuation)."""
        self._forget_if_full()
        self._learn(words)
        return [list(self._known[w]) for w in words]

    def _forget_if_full(self) -> None:
        if len(self._known) > KNOWN_WORDS:
            self._known.clear()
            self._one_term.clear()

    def _learn(self, words: list[str]) -> None:
        """Remember the terms of those of `words` not known yet (never forgetting any: callers read
        what they learned)."""
        unknown = [w for w in dict.fromkeys(words) if w not in self._known]
        if not unknown:
            return
        # Nearly every word is ASCII: its terms are made here, as the index's were.
        self._known.update(_made(unknown))
        asked = [w for w in unknown if w not in self._known]
        if asked:
            rows = self._conn.execute(TERMS, (asked,)).fetchall()
            self._known.update(zip(asked, (tuple(r[0]) for r in rows), strict=True))

    def mark(self, expression: str, texts: list[str], open_: str, close: str) -> list[str | None]:
        """Each text with `open_`/`close` around what `expression` matches in it (None where the
        expression does not match it): see bot.store.stems.Stemmer.mark."""
        if not texts:
            return []
        wanted = [[self._phrase_terms(p) for p in alternatives] for alternatives in units(expression)]
        self._forget_if_full()
        # Each text split at its words, in one C-level pass: [between, word, between, word, …, between].
        pieces = [_WORD_PIECES.split(t) for t in texts]
        words = [
            w for w in dict.fromkeys(w for parts in pieces for w in parts[1::2]) if w not in self._one_term
        ]
        self._learn(words)
        self._one_term.update((w, _one_term(self._known[w])) for w in words)
        return [self._marked(parts, self._one_term, wanted, open_, close) for parts in pieces]

    def _phrase_terms(self, phrase: str) -> list[str]:
        return [t for word_terms in self.terms(phrase.split()) for t in word_terms]

    @staticmethod
    def _marked(
        pieces: list[str],
        term_of: dict[str, str | None],
        wanted: list[list[list[str]]],
        open_: str,
        close: str,
    ) -> str | None:
        terms = [term_of[w] for w in pieces[1::2]]
        # Where each term stands: a phrase is only compared where its first term is.
        at_term: dict[str | None, list[int]] = {}
        for i, term in enumerate(terms):
            at_term.setdefault(term, []).append(i)
        instances: list[tuple[int, int]] = []
        for alternatives in wanted:
            found = False
            for phrase in alternatives:
                size = len(phrase)
                if not size:
                    continue
                for i in at_term.get(phrase[0], ()):
                    if terms[i : i + size] == phrase:
                        instances.append((i, i + size - 1))
                        found = True
            if not found:
                return None
        instances.sort()
        spans: list[list[int]] = []
        for first, last in instances:
            if spans and first <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], last)
            else:
                spans.append([first, last])
        # Word k is piece 2k + 1: a span opens before its first word and closes after its last.
        out = list(pieces)
        for first, last in spans:
            out[2 * first + 1] = open_ + out[2 * first + 1]
            out[2 * last + 1] += close
        return "".join(out)

    def close(self) -> None:
        """Nothing of its own to close: the connection belongs to the worker."""


def _one_term(terms: tuple[str, ...]) -> str | None:
    """A word's terms as one: a word the index splits ("1e5") is its terms as a phrase."""
    return terms[0] if len(terms) == 1 else (" ".join(terms) if terms else None)


def _made(words: list[str]) -> dict[str, tuple[str, ...]]:
    """The terms bot.store.pg_segments.pg_terms makes of `words`, but for those it leaves to the
    database. The plain ones (ASCII letters and digits: one word each to the index) are made in one
    call: it stems word by word, so each gets what it would alone, for a call's cost rather than one
    per word (the words of the hits marked are 50-250 a query, many of them new)."""
    plain = [w for w in words if w.isascii() and w.isalnum()]
    made = pg_terms(" ".join(plain)) if plain else []
    out: dict[str, tuple[str, ...]] = {}
    if made is not None and len(made) == len(plain):
        out = {w: (t,) for w, t in zip(plain, made, strict=True)}
    for word in words:
        if word not in out and (terms := pg_terms(word)) is not None:
            out[word] = tuple(terms)
    return out
