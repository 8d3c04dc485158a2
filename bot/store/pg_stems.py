"""Terms as the PostgreSQL index holds them, and highlighting with the same rules: the counterpart of
bot.store.stems.Stemmer for a store on PostgreSQL.

The plan compares the user's words with the index's terms (spelling correction, joined and split words),
so the terms must come from the very function that builds the index: for ASCII text that is
bot.store.pg_segments.pg_terms (migration postgres/006: the store makes the segments' words in Python,
held equal to the database's by tests/test_store_pg_segments.py), which costs no statement; any other
word is asked of `podbot_words()` (migration postgres/004) in the database. Both are remembered. Highlighting is done here rather than with
`ts_headline`: it marks what FTS5's `highlight()` marks (each instance of a phrase of the expression,
overlapping instances as one span, from the first word's first character to the last word's last), so
that a hit's marked words are the same on both engines.
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
_WORD = re.compile(r"[^\W_]+")
TERMS = """
SELECT array(SELECT l.lexeme FROM unnest(podbot_words(w)) l, unnest(l.positions) p ORDER BY p)
FROM unnest(%s::text[]) WITH ORDINALITY AS u(w, n) ORDER BY n
"""


class PgStemmer:
    """Not thread-safe: each quote worker thread keeps its own, on its own connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._known: dict[str, tuple[str, ...]] = {}

    def terms(self, words: list[str]) -> list[list[str]]:
        """For each word, the index terms it becomes, in order (usually one; none for punctuation)."""
        if len(self._known) > KNOWN_WORDS:
            self._known.clear()
        asked = []
        for word in dict.fromkeys(w for w in words if w not in self._known):
            # A query's words are nearly all ASCII: their terms are made here, as the index's were.
            terms = pg_terms(word)
            if terms is None:
                asked.append(word)
            else:
                self._known[word] = tuple(terms)
        if asked:
            rows = self._conn.execute(TERMS, (asked,)).fetchall()
            self._known.update(zip(asked, (tuple(r[0]) for r in rows), strict=True))
        return [list(self._known[w]) for w in words]

    def mark(self, expression: str, texts: list[str], open_: str, close: str) -> list[str | None]:
        """Each text with `open_`/`close` around what `expression` matches in it (None where the
        expression does not match it): see bot.store.stems.Stemmer.mark."""
        if not texts:
            return []
        wanted = [[self._phrase_terms(p) for p in alternatives] for alternatives in units(expression)]
        tokens = [[(m.start(), m.end(), m.group()) for m in _WORD.finditer(t)] for t in texts]
        known = self.terms(list(dict.fromkeys(w for ts in tokens for _, _, w in ts)))
        term_of: dict[str, str | None] = {}
        for ts in tokens:
            for _, _, w in ts:
                if w not in term_of:
                    term_of[w] = None
        for w, t in zip(term_of, known, strict=True):
            term_of[w] = t[0] if len(t) == 1 else (" ".join(t) if t else None)
        return [
            self._marked(text, ts, term_of, wanted, open_, close)
            for text, ts in zip(texts, tokens, strict=True)
        ]

    def _phrase_terms(self, phrase: str) -> list[str]:
        return [t for word_terms in self.terms(phrase.split()) for t in word_terms]

    @staticmethod
    def _marked(
        text: str,
        tokens: list[tuple[int, int, str]],
        term_of: dict[str, str | None],
        wanted: list[list[list[str]]],
        open_: str,
        close: str,
    ) -> str | None:
        terms = [term_of[w] for _, _, w in tokens]
        instances: list[tuple[int, int]] = []
        for alternatives in wanted:
            found = False
            for phrase in alternatives:
                size = len(phrase)
                if not size:
                    continue
                for i in range(len(terms) - size + 1):
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
        out: list[str] = []
        at = 0
        for first, last in spans:
            start, end = tokens[first][0], tokens[last][1]
            out += [text[at:start], open_, text[start:end], close]
            at = end
        out.append(text[at:])
        return "".join(out)

    def close(self) -> None:
        """Nothing of its own to close: the connection belongs to the worker."""
