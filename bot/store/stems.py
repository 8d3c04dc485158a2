"""Terms exactly as the transcript index stores them (unicode61, diacritics removed, porter-stemmed),
and highlighting of a few texts with the same rules.

The spelling correction and the joined/split-word checks compare the user's words with the index's
vocabulary, which holds stems ("webcontainers" -> "webcontain"). Rather than re-implement the Porter
stemmer and unicode61's rules in Python, a private in-memory FTS5 table with the same tokenizer produces
the terms: the same code that built the index, so the two can never disagree.
"""

from __future__ import annotations

import sqlite3
import threading

TOKENIZE = "porter unicode61 remove_diacritics 2"


class Stemmer:
    """Not thread-safe by itself: each search worker thread keeps its own (see bot.search)."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._conn.execute(f"CREATE VIRTUAL TABLE words USING fts5 (w, tokenize = '{TOKENIZE}')")
        self._conn.execute("CREATE VIRTUAL TABLE terms USING fts5vocab (words, 'instance')")
        self._conn.execute(f"CREATE VIRTUAL TABLE shown USING fts5 (text, tokenize = '{TOKENIZE}')")
        self._lock = threading.Lock()

    def terms(self, words: list[str]) -> list[list[str]]:
        """For each word, the index terms it becomes, in order (usually one; none for punctuation)."""
        if not words:
            return []
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN")
            try:
                conn.executemany("INSERT INTO words (rowid, w) VALUES (?, ?)", enumerate(words))
                rows = conn.execute("SELECT doc, offset, term FROM terms").fetchall()
            finally:
                conn.execute("ROLLBACK")
        out: list[list[str]] = [[] for _ in words]
        for doc, _offset, term in sorted(rows):
            out[doc].append(term)
        return out

    def mark(self, expression: str, texts: list[str], open_: str, close: str) -> list[str | None]:
        """Each text with `open_`/`close` around what the FTS5 `expression` matches in it (None where it
        matches nothing). The store's own highlight() would first evaluate the expression against the
        whole index (a common word's doclist: tens of ms); a table of just these texts costs microseconds
        and tokenizes and stems exactly as the index does."""
        if not texts:
            return []
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN")
            try:
                conn.executemany("INSERT INTO shown (rowid, text) VALUES (?, ?)", enumerate(texts))
                rows = conn.execute(
                    "SELECT rowid, highlight(shown, 0, ?, ?) FROM shown WHERE shown MATCH ?",
                    (open_, close, expression),
                ).fetchall()
            finally:
                conn.execute("ROLLBACK")
        marked: list[str | None] = [None] * len(texts)
        for rowid, text in rows:
            marked[rowid] = text
        return marked

    def close(self) -> None:
        self._conn.close()
