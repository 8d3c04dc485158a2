"""Following feeds, for the bot: one guarded fetcher, the file reader and the poller built on it, the poll
loop's task, and closing them all — so the Discord side only calls, and never assembles, the feed machinery.

The announcer is the Discord side's port (bot.feeds.announce.Announcer): the service is handed one and
never imports discord.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Self

from bot.feeds import check
from bot.feeds.files import FileReader
from bot.feeds.poller import Poller, PollerConfig, utc_now
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from bot.config import Settings
    from bot.feeds.announce import Announcer
    from bot.store import Store
    from bot.store.subscriptions import Subscription


class FeedService:
    def __init__(
        self,
        store: Store,
        announcer: Announcer,
        *,
        policy: AddressPolicy,
        config: PollerConfig | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_stored: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock
        self.fetcher = Fetcher(policy)
        self.poller = Poller(
            store, self.fetcher, FileReader(self.fetcher), announcer, config, clock=clock, on_stored=on_stored
        )
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: Store,
        announcer: Announcer,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_stored: Callable[[], Awaitable[None]] | None = None,
    ) -> Self:
        return cls(
            store,
            announcer,
            policy=AddressPolicy(allow_private=settings.allow_private_urls),
            config=PollerConfig(interval=timedelta(minutes=settings.poll_minutes)),
            clock=clock,
            on_stored=on_stored,
        )

    # --- following --------------------------------------------------------------------------------------

    def check_address(self, url: str) -> None:
        """check.CannotFollow unless podbot may fetch `url`: cheap, no request is made."""
        check.check_address(url, self.policy)

    async def read_title(self, url: str) -> str:
        """The title of the feed at `url`; check.CannotFollow when it is no feed podbot can read."""
        return await check.read_title(self.fetcher, url)

    async def follow(
        self, *, guild_id: int, channel_id: int, feed_url: str, role_id: int | None
    ) -> Subscription:
        """Announce `feed_url` in a channel (or change its role), and check it now: the first check records
        what the feed holds, so nothing already in it is announced."""
        subscription = await self.store.follows.subscribe(
            guild_id=guild_id, channel_id=channel_id, feed_url=feed_url, role_id=role_id, now=self.clock()
        )
        self.poller.wake()
        return subscription

    # --- the poll loop ----------------------------------------------------------------------------------

    def start(self, ready: Callable[[], Awaitable[object]]) -> None:
        """Poll in the background once `ready()` returns (announcements need the bot's guild cache)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(ready), name="podbot-feed-poller")

    async def _run(self, ready: Callable[[], Awaitable[object]]) -> None:
        await ready()
        await self.poller.run_forever()

    async def close(self) -> None:
        """Stop the poll loop (a cycle in flight is cancelled; what it committed stays) and the fetcher."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.fetcher.close()
