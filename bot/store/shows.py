"""Shows as first-class records, and the shows each Discord server chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.scope import Scope
from bot.store.feed_state import add_feed, drop_unfollowed_feeds

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store import Store

SELECT_SHOWS = """
SELECT s.id, s.title, s.link, s.artwork, s.feed_url, s.source, s.origin, s.added_at, s.last_read_at,
       (SELECT count(*) FROM episodes e WHERE e.show_id = s.id)
FROM shows s
"""


@dataclass(frozen=True, slots=True)
class ShowRecord:
    id: int
    title: str
    link: str | None
    artwork: str | None
    feed_url: str | None
    # Where it was read from: a feed URL, or the file a page came from.
    source: str | None
    # "operator" (the CLI, the bundled page) or "server" (added by a server with /show add).
    origin: str
    added_at: datetime | None
    last_read_at: datetime | None
    episode_count: int


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(row: Sequence[Any]) -> ShowRecord:
    sid, title, link, artwork, feed_url, source, origin, added_at, last_read_at, count = row
    return ShowRecord(
        id=int(sid),
        title=str(title),
        link=link,
        artwork=artwork,
        feed_url=feed_url,
        source=source,
        origin=str(origin),
        added_at=_when(added_at),
        last_read_at=_when(last_read_at),
        episode_count=int(count),
    )


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _nocase(text: str) -> str:
    """Case folded as SQLite's NOCASE and lower() fold it: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


def by_title(shows: list[ShowRecord]) -> list[ShowRecord]:
    """Shows by title regardless of case, then by id: sorted here rather than in SQL, so that both
    engines list them alike (a PostgreSQL database orders text by its own collation)."""
    return sorted(shows, key=lambda s: (_nocase(s.title), s.id))


class Shows:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def all(self) -> list[ShowRecord]:
        """Every show in the store, by title."""
        return by_title(await self._select("", ()))

    async def get(self, show_id: int) -> ShowRecord | None:
        found = await self._select(" WHERE s.id = ?", (show_id,))
        return found[0] if found else None

    async def in_scope(self, scope: Scope) -> list[ShowRecord]:
        if scope.unbounded:
            return await self.all()
        if not scope.show_ids:
            return []
        ids = sorted(scope.show_ids)
        marks = ",".join("?" * len(ids))
        return by_title(await self._select(f" WHERE s.id IN ({marks})", tuple(ids)))

    async def operator_show_ids(self) -> frozenset[int]:
        """The shows the operator put in the store (the bundled page, `podbot ingest`)."""
        rows = await self._store.reader.fetch_all("SELECT id FROM shows WHERE origin = 'operator'")
        return frozenset(int(r[0]) for r in rows)

    async def ids_from_sources(self, sources: list[str]) -> frozenset[int]:
        """The shows read from any of `sources` (feed URLs or file paths, as ingested), or titled so."""
        if not sources:
            return frozenset()
        marks = ",".join("?" * len(sources))
        sql = (
            f"SELECT id FROM shows WHERE source IN ({marks}) OR feed_url IN ({marks})"
            f" OR lower(title) IN ({marks})"
        )
        rows = await self._store.reader.fetch_all(sql, (*sources, *sources, *map(_nocase, sources)))
        return frozenset(int(r[0]) for r in rows)

    async def of_server(self, guild_id: int) -> frozenset[int]:
        """The shows a server chose (none: it answers from the instance's defaults)."""
        rows = await self._store.reader.fetch_all(
            "SELECT show_id FROM server_shows WHERE guild_id = ?", (guild_id,)
        )
        return frozenset(int(r[0]) for r in rows)

    async def add_to_server(
        self, guild_id: int, show_id: int, *, added_by: int | None = None, now: datetime | None = None
    ) -> bool:
        """Add a show to a server's choice; False if it was there already. A show with a feed is
        followed from now on (polled, announced nowhere), so that it stays current; `now` is the clock
        the poller reads."""
        now = now or datetime.now(UTC)
        async with self._store.transaction() as conn:
            added = (
                await conn.execute(
                    "INSERT INTO server_shows (guild_id, show_id, added_by, added_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (guild_id, show_id, added_by, now.isoformat(timespec="seconds")),
                )
                > 0
            )
            row = await conn.fetch_one("SELECT feed_url FROM shows WHERE id = ?", (show_id,))
            if row is not None and row[0]:
                await add_feed(conn, str(row[0]), now=now)
            return added

    async def remove_from_server(self, guild_id: int, show_id: int) -> bool:
        """Take a show out of a server's choice (its episodes stay for the servers that chose it); its
        feed is no longer polled once no server has the show and no channel announces it."""
        async with self._store.transaction() as conn:
            removed = await conn.execute(
                "DELETE FROM server_shows WHERE guild_id = ? AND show_id = ?", (guild_id, show_id)
            )
            await drop_unfollowed_feeds(conn)
            return removed > 0

    async def _select(self, clause: str, params: tuple[object, ...]) -> list[ShowRecord]:
        return [_record(r) for r in await self._store.reader.fetch_all(SELECT_SHOWS + clause, params)]
