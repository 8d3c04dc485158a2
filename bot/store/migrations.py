"""Schema migrations: numbered SQL files in data/migrations, applied in order, tracked by PRAGMA user_version.

Each file runs in its own transaction together with the bump of user_version, so a failing migration leaves
the store at the previous version, and an old store file upgrades in place one step at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from bot.store.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from importlib.resources.abc import Traversable

    import aiosqlite

_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in data/migrations, in version order, checked to be numbered 1, 2, 3 …"""
    return numbered(resources.files("data.migrations").iterdir())


def numbered(entries: Iterable[Traversable]) -> list[Migration]:
    """The NNN_name.sql files among `entries`, in version order, checked to be numbered 1, 2, 3 …"""
    found: list[Migration] = []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise RuntimeError(f"migrations must be numbered 001, 002, … without gaps; found {found!r}")
    return found


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection, migrations: list[Migration] | None = None) -> int:
    """Bring the store up to the newest schema; returns the version it ends at.

    Refuses a store written by a newer podbot rather than guessing at a schema it does not know.
    """
    migrations = bundled_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    current = await schema_version(conn)
    if current > latest:
        raise StoreError(
            f"this store has schema version {current}, newer than this podbot understands ({latest}); "
            "upgrade podbot or point --db at another file"
        )
    for migration in migrations[current:]:
        # executescript() would commit on its own; one script with explicit BEGIN/COMMIT keeps the
        # schema change and the version bump in a single transaction.
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except Exception:
            if conn.in_transaction:
                await conn.rollback()
            raise
    return max(current, latest)
