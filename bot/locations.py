"""Where a store lives: a PostgreSQL URL or a SQLite file's path. No imports of its own, so that the
lookup process can tell the two apart without importing either engine's driver (psycopg alone is some
20 MiB of a process's memory)."""

from __future__ import annotations

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)
