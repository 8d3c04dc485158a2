"""A store file's whole content as comparable text, for tests that prove an operation changed nothing."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Virtual tables keep no rows of their own (their data is in their shadow tables, which are dumped with
# the rest), and a contentless full-text table (segment_pairs) cannot be scanned at all: this is why
# sqlite3's iterdump() cannot read a podbot store.
STORED_TABLES = """
SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name
"""


def dump(path: Path, *, reads: bool = True) -> list[str]:
    """The schema and every row of every stored table: two equal dumps mean two equal stores. Without
    `reads`, where and when each show was last read is left out (reading a source again records that,
    and only that)."""
    with sqlite3.connect(path) as conn:
        if not reads:
            conn.execute("UPDATE shows SET last_read_at = NULL, source = NULL")
        out = [repr(row) for row in conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")]
        out.append(repr(conn.execute("PRAGMA user_version").fetchone()))
        for (name,) in conn.execute(STORED_TABLES).fetchall():
            quoted = name.replace('"', '""')
            out.append(f"-- {name}")
            out.extend(sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{quoted}"')))
        conn.rollback()  # the blanked read times were only for this dump
    return out
