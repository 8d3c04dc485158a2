"""Announcements (the `announcements` table): one intent per subscription and new episode, created with the
poll that found it, and its delivery state — started, sent, or given up — mirrored on its subscription for
/announce status."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.store.subscriptions import title_filter
from bot.store.times import iso

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store import Store
    from bot.store.db import Connection
    from bot.store.feed_items import ItemRecord


def announcement_nonce(subscription_id: int, item_key: str) -> str:
    """The same announcement always gets the same nonce (Discord allows 25 characters)."""
    return "pb" + hashlib.sha256(f"{subscription_id}\x1f{item_key}".encode()).hexdigest()[:23]


@dataclass(frozen=True, slots=True)
class PendingAnnouncement:
    id: int
    subscription_id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    episode_id: int | None
    nonce: str
    attempts: int
    created_at: datetime
    feed_title: str | None
    template: str | None = None
    thread: bool = False


# One announcement per subscription that exists now; a subscription added later never gets this item.
INSERT_ANNOUNCEMENTS = """
INSERT INTO announcements (subscription_id, item_key, episode_id, nonce, position, created_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
"""

SELECT_PENDING = """
SELECT a.id, a.subscription_id, s.guild_id, s.channel_id, s.role_id, a.episode_id, a.nonce, a.attempts,
       a.created_at, f.title, s.template, s.thread
FROM announcements a
JOIN subscriptions s ON s.id = a.subscription_id
JOIN feeds f ON f.id = s.feed_id
WHERE a.state = 'pending'
ORDER BY a.subscription_id, a.created_at, a.position
"""


async def create_announcements(
    conn: Connection, feed_id: int, items: Sequence[ItemRecord], *, now: datetime
) -> int:
    """An announcement of each of `items` (in that order) for every subscription to the feed; returns how
    many were created (an item already announced to a subscription is not announced again)."""
    found = await conn.fetch_all(
        "SELECT id, include_words, exclude_words FROM subscriptions WHERE feed_id = ?", (feed_id,)
    )
    subscriptions = [(int(r[0]), title_filter(r[1], r[2])) for r in found]
    rows = [
        (
            sid,
            item.item_key,
            item.episode_id,
            announcement_nonce(sid, item.item_key),
            position,
            iso(now),
        )
        for sid, titles in subscriptions
        for position, item in enumerate(items)
        # A channel's keyword filter: a title it does not want is never announced there (title_key is
        # the folded title, which the filter compares with).
        if titles.allows(item.title_key)
    ]
    return await conn.executemany(INSERT_ANNOUNCEMENTS, rows)


class Announcements:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def pending_announcements(self) -> list[PendingAnnouncement]:
        """Every announcement not yet delivered, per subscription in the order they are to be posted."""
        rows = await self._store.reader.fetch_all(SELECT_PENDING)
        return [
            PendingAnnouncement(
                id=int(r[0]),
                subscription_id=int(r[1]),
                guild_id=int(r[2]),
                channel_id=int(r[3]),
                role_id=r[4],
                episode_id=r[5],
                nonce=r[6],
                attempts=int(r[7]),
                created_at=datetime.fromisoformat(r[8]),
                feed_title=r[9],
                template=r[10],
                thread=bool(r[11]),
            )
            for r in rows
        ]

    async def mark_sent(self, announcement_id: int, message_id: int | None, *, now: datetime) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE announcements SET state = 'sent', message_id = ?, sent_at = ?, last_error = NULL,"
                " lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (message_id, iso(now), announcement_id),
            )
            await conn.execute(
                "UPDATE subscriptions SET last_sent_at = ?, last_error = NULL, last_error_at = NULL"
                " WHERE id = (SELECT subscription_id FROM announcements WHERE id = ?)",
                (iso(now), announcement_id),
            )

    async def mark_failed(self, announcement_id: int, error: str, *, now: datetime, final: bool) -> None:
        """Record a failed delivery on the announcement and its subscription (where /announce status shows
        it); `final` gives the announcement up, otherwise it is tried again on the next cycle."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE announcements SET last_error = ?, state = CASE WHEN ? = 1 THEN 'failed' ELSE state END,"
                " lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (error, int(final), announcement_id),
            )
            await conn.execute(
                "UPDATE subscriptions SET last_error = ?, last_error_at = ?"
                " WHERE id = (SELECT subscription_id FROM announcements WHERE id = ?)",
                (error, iso(now), announcement_id),
            )
