"""What one quote worker thread reads with: its own connection to the store, the transcript reads and
the stemmer of the store's engine (SQLite's FTS5, or PostgreSQL's full-text search). bot.search asks
for them here and never learns which engine answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

from bot.store.index_reads import connect_reader
from bot.store.stems import Stemmer
from bot.store.transcripts import TranscriptReader

if TYPE_CHECKING:
    from bot.store import Store


class Closeable(Protocol):
    def close(self) -> None: ...


class QuoteReads(NamedTuple):
    conn: Closeable
    transcripts: TranscriptReader
    stemmer: Stemmer


def open_quote_reads(store: Store) -> QuoteReads:
    """A worker's own connection to the store's database, with that engine's reads and stemmer."""
    if store.engine.name == "postgresql":
        # The engine's connection string, password included: each worker thread opens its own
        # (synchronous) connection, as it opens its own SQLite file on the other engine.
        dsn: str = store.engine.dsn  # type: ignore[attr-defined]
        # Imported only for a PostgreSQL store: the SQLite default needs no PostgreSQL driver.
        from bot.store.pg_quotes import PgTranscriptReader, connect
        from bot.store.pg_stems import PgStemmer

        pg = connect(dsn)
        stemmer = PgStemmer(pg)
        # The plan calls the same methods on either engine's reader and stemmer (duck-typed).
        return QuoteReads(pg, PgTranscriptReader(pg, stemmer), stemmer)  # type: ignore[arg-type]
    conn = connect_reader(store.path)
    return QuoteReads(conn, TranscriptReader(conn), Stemmer())
