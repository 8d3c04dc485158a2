"""Which channels announce which feed (the `subscriptions` table), with the role they ping and how the
last announcement went."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.store.feed_state import FEED_COLUMNS, add_feed, drop_unfollowed_feeds, feed_from_row
from bot.store.times import iso, when

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    import aiosqlite

    from bot.store import Store
    from bot.store.feed_state import FeedState


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    feed: FeedState
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_sent_at: datetime | None = None


UPSERT_SUBSCRIPTION = """
INSERT INTO subscriptions (guild_id, channel_id, feed_id, role_id, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (channel_id, feed_id) DO UPDATE SET role_id = excluded.role_id, last_error = NULL,
    last_error_at = NULL
RETURNING id
"""

SELECT_SUBSCRIPTIONS = f"""
SELECT s.id, s.guild_id, s.channel_id, s.role_id, s.last_error, s.last_error_at, s.last_sent_at, {FEED_COLUMNS}
FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
"""


def _subscription(row: Sequence[Any]) -> Subscription:
    return Subscription(
        id=int(row[0]),
        guild_id=int(row[1]),
        channel_id=int(row[2]),
        role_id=row[3],
        last_error=row[4],
        last_error_at=when(row[5]),
        last_sent_at=when(row[6]),
        feed=feed_from_row(row, 7),
    )


class Subscriptions:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def subscribe(
        self, *, guild_id: int, channel_id: int, feed_url: str, role_id: int | None, now: datetime
    ) -> Subscription:
        """Follow `feed_url` in a channel (or change its role). A paused feed resumes and is checked now."""
        async with self._store.transaction() as conn:
            feed_id = await add_feed(conn, feed_url, now=now)
            async with conn.execute(
                UPSERT_SUBSCRIPTION, (guild_id, channel_id, feed_id, role_id, iso(now))
            ) as cursor:
                subscription_id = int((await cursor.fetchone())[0])  # type: ignore[index]
            rows = await self._select(conn, " WHERE s.id = ?", (subscription_id,))
        return rows[0]

    async def unsubscribe(self, *, guild_id: int, channel_id: int | None = None) -> int:
        """Stop announcing in one channel of a guild, or in all of them; returns how many were removed.

        A feed nobody follows any more is dropped with what it listed: following it again starts afresh.
        """
        async with self._store.transaction() as conn:
            sql = "DELETE FROM subscriptions WHERE guild_id = ?"
            params: tuple[Any, ...] = (guild_id,)
            if channel_id is not None:
                sql += " AND channel_id = ?"
                params += (channel_id,)
            cursor = await conn.execute(sql, params)
            removed = cursor.rowcount
            await drop_unfollowed_feeds(conn)
        return removed

    async def subscriptions(
        self, *, guild_id: int | None = None, feed_id: int | None = None
    ) -> list[Subscription]:
        where, params = [], []
        if guild_id is not None:
            where.append("s.guild_id = ?")
            params.append(guild_id)
        if feed_id is not None:
            where.append("s.feed_id = ?")
            params.append(feed_id)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        return await self._select(
            self._store.reader, clause + " ORDER BY s.guild_id, s.channel_id", tuple(params)
        )

    async def set_subscription_error(self, subscription_id: int, error: str | None, *, now: datetime) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE subscriptions SET last_error = ?, last_error_at = ? WHERE id = ?",
                (error, iso(now) if error else None, subscription_id),
            )

    async def _select(
        self, conn: aiosqlite.Connection, clause: str, params: tuple[Any, ...]
    ) -> list[Subscription]:
        async with conn.execute(SELECT_SUBSCRIPTIONS + clause, params) as cursor:
            return [_subscription(row) for row in await cursor.fetchall()]
