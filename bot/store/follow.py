"""Following feeds, as the store keeps it: `store.follows` answers for all four tables.

Each table has its module and job — bot.store.feed_state (each feed's poll state), bot.store.subscriptions
(which channel announces which feed), bot.store.feed_items (what a feed listed), bot.store.announcements
(each announcement's delivery). This module adds the one write that spans three of them: recording a poll.
Times are passed in (the poller owns the clock) and stored as ISO 8601 UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.announcements import Announcements, create_announcements
from bot.store.feed_items import FeedItems, remember_items
from bot.store.feed_state import FeedStates, record_success
from bot.store.leases import Leases
from bot.store.subscriptions import Subscriptions

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from bot.store.feed_items import ItemRecord
    from bot.store.feed_state import PollSuccess


class Follows(Subscriptions, FeedStates, FeedItems, Announcements, Leases):
    async def record_poll(
        self,
        feed_id: int,
        success: PollSuccess,
        items: Sequence[ItemRecord],
        announce: Sequence[ItemRecord],
        *,
        now: datetime,
    ) -> int:
        """Remember a good poll: its items, an announcement per subscription for each of `announce` (oldest
        first), and the feed's new state, all in one transaction. Returns the announcements created."""
        created = 0
        async with self._store.transaction() as conn:
            await remember_items(conn, feed_id, items, now=now)
            if announce:
                created = await create_announcements(conn, feed_id, announce, now=now)
            await record_success(conn, feed_id, success, now=now)
        return created

    async def record_unchanged(self, feed_id: int, success: PollSuccess, *, now: datetime) -> None:
        """A 304, or the same body as last time: only the schedule and the validators change."""
        await self.record_poll(feed_id, success, (), (), now=now)
