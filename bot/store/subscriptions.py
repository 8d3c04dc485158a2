"""Which channels announce which feed (the `subscriptions` table), with the role they ping and how the
last announcement went."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.shaping import TitleFilter
from bot.store.feed_state import FEED_COLUMNS, add_feed, drop_unfollowed_feeds, feed_from_row
from bot.store.times import iso, when

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from bot.store import Store
    from bot.store.db import Connection
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
    # The announcements' shape (migration 008): text template (None: the default), a discussion thread
    # on each, and which titles are announced.
    template: str | None = None
    thread: bool = False
    titles: TitleFilter = field(default_factory=TitleFilter)


UPSERT_SUBSCRIPTION = """
INSERT INTO subscriptions (guild_id, channel_id, feed_id, role_id, created_at, template, thread, include_words,
                           exclude_words)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (channel_id, feed_id) DO UPDATE SET role_id = excluded.role_id, last_error = NULL,
    last_error_at = NULL, template = excluded.template, thread = excluded.thread,
    include_words = excluded.include_words, exclude_words = excluded.exclude_words
RETURNING id
"""

SELECT_SUBSCRIPTIONS = f"""
SELECT s.id, s.guild_id, s.channel_id, s.role_id, s.last_error, s.last_error_at, s.last_sent_at, s.template,
       s.thread, s.include_words, s.exclude_words, {FEED_COLUMNS}
FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
"""


def words_column(words: tuple[str, ...]) -> str | None:
    """Keywords as stored: folded words never hold a comma (bot.text.fold drops punctuation)."""
    return ",".join(words) or None


def title_filter(include: str | None, exclude: str | None) -> TitleFilter:
    return TitleFilter(
        tuple(w for w in (include or "").split(",") if w), tuple(w for w in (exclude or "").split(",") if w)
    )


def _subscription(row: Sequence[Any]) -> Subscription:
    return Subscription(
        id=int(row[0]),
        guild_id=int(row[1]),
        channel_id=int(row[2]),
        role_id=row[3],
        last_error=row[4],
        last_error_at=when(row[5]),
        last_sent_at=when(row[6]),
        template=row[7],
        thread=bool(row[8]),
        titles=title_filter(row[9], row[10]),
        feed=feed_from_row(row, 11),
    )


class Subscriptions:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        feed_url: str,
        role_id: int | None,
        now: datetime,
        template: str | None = None,
        thread: bool = False,
        titles: TitleFilter = TitleFilter(),  # noqa: B008 (frozen, never mutated)
    ) -> Subscription:
        """Follow `feed_url` in a channel, or change how it is announced there (role, template, thread,
        filters: all replaced). A paused feed resumes and is checked now."""
        async with self._store.transaction() as conn:
            feed_id = await add_feed(conn, feed_url, now=now)
            row = await conn.fetch_one(
                UPSERT_SUBSCRIPTION,
                (
                    guild_id,
                    channel_id,
                    feed_id,
                    role_id,
                    iso(now),
                    template,
                    int(thread),
                    words_column(titles.include),
                    words_column(titles.exclude),
                ),
            )
            assert row is not None  # RETURNING always returns the row
            subscription_id = int(row[0])
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
            removed = await conn.execute(sql, params)
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

    async def _select(self, conn: Connection, clause: str, params: tuple[Any, ...]) -> list[Subscription]:
        return [_subscription(row) for row in await conn.fetch_all(SELECT_SUBSCRIPTIONS + clause, params)]
