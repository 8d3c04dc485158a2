"""Errors the store raises with a message fit to show a user as is."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

# SQLite's primary result code for a file whose pages do not hold what its b-trees say (extended codes,
# such as SQLITE_CORRUPT_VTAB for an FTS5 index, keep it in their low byte).
SQLITE_CORRUPT = 11
# What the damage looks like once an error has lost its code (pickled from the lookups' process), and a
# text column whose bytes were overwritten (sqlite3 reports that as an OperationalError of its own).
DAMAGE_MESSAGES = ("database disk image is malformed", "Could not decode to UTF-8", "fts5: corrupt")


if TYPE_CHECKING:
    # A constraint said no (a foreign key, a unique key), whichever engine said it.
    INTEGRITY_ERRORS: tuple[type[Exception], ...]


def __getattr__(name: str) -> object:
    # INTEGRITY_ERRORS names psycopg's error, made on first use: this module is imported wherever the
    # store is, the lookup process of a SQLite store among them, which never needs psycopg.
    if name == "INTEGRITY_ERRORS":
        import psycopg

        return (sqlite3.IntegrityError, psycopg.IntegrityError)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class StoreError(Exception):
    """The store cannot be opened or used; the message says why in one sentence."""


class StoreDamaged(StoreError):
    """The store file's pages are damaged: nothing read from it can be trusted and nothing is written."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(damaged_sentence(path))
        self.path = str(path)

    def __reduce__(self) -> tuple[type[StoreDamaged], tuple[str]]:
        # Crosses the lookups' process boundary as a pickle.
        return (StoreDamaged, (self.path,))


def damaged_sentence(path: str | Path) -> str:
    return (
        f"the store {path} is damaged (parts of the file are unreadable); restore it from a copy, "
        "or move it aside and rebuild it with `podbot ingest` from your sources"
    )


def is_damage(exc: BaseException) -> bool:
    """Whether an error (from any connection, thread or process) says the store file is damaged."""
    if isinstance(exc, StoreDamaged):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == SQLITE_CORRUPT:
        return True
    return any(message in str(exc) for message in DAMAGE_MESSAGES)
