"""The synchronous readers the search layer runs on its threads and in its lookup process, for either engine.

This is the seam where an engine's own search SQL plugs in: a connection for one thread (`connect`), the
lookup reads (`lookup_reader`: the rows the in-memory indexes are built from, and chapter/notes evidence)
and the quote reads (`transcript_reader`). SQLite's are bot.store.index_reads and bot.store.transcripts;
PostgreSQL's are bot.store.pg_reads (the index rows) plus its full-text search (quote, chapter and notes
queries), which lives in modules of its own.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from bot.locations import is_postgres_url
from bot.store.index_reads import LookupReader, connect_reader
from bot.store.stems import Stemmer
from bot.store.transcripts import TranscriptReader

if TYPE_CHECKING:
    from pathlib import Path

SyncConnection = Any  # sqlite3.Connection or psycopg.Connection


def connect(location: str | Path) -> SyncConnection:
    """A read connection for one thread: to the SQLite file, or the PostgreSQL database at a URL."""
    if is_postgres_url(location):
        from bot.store import pg_reads

        return pg_reads.connect_reader(str(location))
    return connect_reader(location)  # type: ignore[arg-type]


def lookup_reader(conn: SyncConnection) -> LookupReader:
    if isinstance(conn, sqlite3.Connection):
        return LookupReader(conn)
    from bot.store import pg_reads

    return pg_reads.PgLookupReader(conn)


def transcript_reader(conn: SyncConnection) -> TranscriptReader:
    if isinstance(conn, sqlite3.Connection):
        return TranscriptReader(conn)
    from bot.store import pg_reads

    return pg_reads.transcript_reader(conn)


def stemmer(conn: SyncConnection) -> Stemmer:
    """The terms and highlighting of the index `conn` reads (FTS5's tokenizer, or PostgreSQL's)."""
    if isinstance(conn, sqlite3.Connection):
        return Stemmer()
    from bot.store.pg_stems import PgStemmer

    return PgStemmer(conn)  # type: ignore[return-value]  # the same two methods, duck-typed
