"""A store's whole content as comparable text, for tests that prove an operation changed nothing: a SQLite
file, or a PostgreSQL database by its URL."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from pathlib import Path

# Virtual tables keep no rows of their own (their data is in their shadow tables, which are dumped with
# the rest), and a contentless full-text table (segment_pairs) cannot be scanned at all: this is why
# sqlite3's iterdump() cannot read a podbot store.
STORED_TABLES = """
SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name
"""
# The full-text indexes (not fts5vocab views of them), for comparing what they hold.
FTS5_TABLES = """
SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5 %' ORDER BY name
"""
# An FTS5 index's b-tree: its bytes depend on how the index was written, not only on what it holds.
FTS5_LAYOUT = ("_data", "_idx")
PG_COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
"""
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
PG_INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"


def dump(location: Path | str, *, reads: bool = True, index_layout: bool = True) -> list[str]:
    """The schema and every row of every stored table: two equal dumps mean two equal stores. Without
    `reads`, where and when each show was last read is left out (reading a source again records that,
    and only that).

    Without `index_layout` (SQLite), each FTS5 index is compared by what it holds instead of by the bytes
    of its b-tree: FTS5's integrity-check must pass, and every posting (term, row, column, offset) is
    listed through fts5vocab. Two stores with the same rows hold the same postings, but their b-trees
    differ with how they were written (row by row or a statement per episode, where transactions ended,
    merges); a store written once cannot be expected to match one rebuilt elsewhere byte for byte."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        return _dump_postgres(location, reads=reads)
    with sqlite3.connect(location) as conn:
        if not reads:
            conn.execute("UPDATE shows SET last_read_at = NULL, source = NULL")
        out = [repr(row) for row in conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")]
        out.append(repr(conn.execute("PRAGMA user_version").fetchone()))
        layout: set[str] = set()
        if not index_layout:
            for (index,) in conn.execute(FTS5_TABLES).fetchall():
                layout.update(index + suffix for suffix in FTS5_LAYOUT)
                out.extend(_fts5_postings(conn, index))
        for (name,) in conn.execute(STORED_TABLES).fetchall():
            if name in layout:
                continue
            quoted = name.replace('"', '""')
            out.append(f"-- {name}")
            out.extend(sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{quoted}"')))
        conn.rollback()  # the blanked read times were only for this dump
    return out


def _fts5_postings(conn: sqlite3.Connection, index: str) -> list[str]:
    quoted = index.replace('"', '""')
    # Raises sqlite3.DatabaseError ("database disk image is malformed") if the index is inconsistent
    # with itself or, for an external-content table, with its content table.
    conn.execute(f'INSERT INTO "{quoted}" ("{quoted}") VALUES (\'integrity-check\')')
    conn.execute(
        f'CREATE VIRTUAL TABLE temp."{quoted}_postings" USING fts5vocab (main, "{quoted}", instance)'
    )
    try:
        rows = conn.execute(f'SELECT term, doc, col, "offset" FROM temp."{quoted}_postings"').fetchall()
    finally:
        conn.execute(f'DROP TABLE temp."{quoted}_postings"')
    return [f"-- {index} postings", *sorted(repr(row) for row in rows)]


def _dump_postgres(url: str, *, reads: bool) -> list[str]:
    with psycopg.connect(url) as conn:
        if not reads:
            conn.execute("UPDATE shows SET last_read_at = NULL, source = NULL")
        out = [repr(row) for row in conn.execute(PG_COLUMNS)]
        out.extend(repr(row) for row in conn.execute(PG_INDEXES))
        for (name,) in conn.execute(PG_TABLES).fetchall():
            out.append(f"-- {name}")
            out.extend(sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{name}"'.encode())))
        conn.rollback()  # the blanked read times were only for this dump
    return out
