"""PostgreSQL schema migrations: numbered SQL files in data/migrations/postgres, their own numbering,
tracked in a `schema_migrations` table (PostgreSQL has no PRAGMA user_version).

Each file runs in one transaction together with its row in schema_migrations, so a failing migration
leaves the store at the previous version. Several bot processes may start at once against one database:
an advisory lock makes the second wait for the first and then find nothing left to do.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from bot.store.errors import StoreError
from bot.store.migrations import Migration, numbered

if TYPE_CHECKING:
    import psycopg

# Any constant both sides agree on: podbot's migrations ("pdbt" in ASCII).
MIGRATION_LOCK = 0x70646274

CREATE_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in data/migrations/postgres, in version order, numbered 1, 2, 3 …"""
    return numbered(resources.files("data.migrations.postgres").iterdir())


async def schema_version(conn: psycopg.AsyncConnection) -> int:
    row = await (await conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")).fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: psycopg.AsyncConnection, migrations: list[Migration] | None = None) -> int:
    """Bring the database up to the newest schema; returns the version it ends at. `conn` is in
    autocommit mode; each migration is a transaction of its own."""
    migrations = bundled_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    await conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        await conn.execute(CREATE_BOOKKEEPING)
        current = await schema_version(conn)
        if current > latest:
            raise StoreError(
                f"this store has schema version {current}, newer than this podbot understands ({latest}); "
                "upgrade podbot or point --db at another database"
            )
        for migration in migrations[current:]:
            async with conn.transaction():
                # No parameters: psycopg sends the file as is, several statements in one simple query.
                await conn.execute(migration.sql.encode())
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
        return max(current, latest)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
