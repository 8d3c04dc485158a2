"""Following feeds, for the bot: the poller with its file reader, the poll loop's task, subscribing a
channel, and the address check /announce makes first — so the Discord side only calls, and never
assembles, the feed machinery.

The guarded fetcher is the composition root's (bot.core.Core, shared with adding shows), which also closes
it; this service only stops its own loop. The announcer is the Discord side's port
(bot.feeds.announce.Announcer): the service is handed one and never imports discord.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Self

from bot.feeds.files import FileReader
from bot.feeds.poller import Poller, PollerConfig, utc_now
from bot.net.guard import BlockedURL, check_url
from bot.shaping import TitleFilter
from bot.shards import Shards

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from bot.core import Core
    from bot.feeds.announce import Announcer
    from bot.net.fetch import Fetcher
    from bot.store import Store
    from bot.store.subscriptions import Subscription


class CannotFollow(Exception):
    """The feed cannot be followed; the message is one sentence that says why."""


class FeedService:
    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        announcer: Announcer,
        *,
        config: PollerConfig | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_stored: Callable[[], Awaitable[None]] | None = None,
        shards: Shards | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.poller = Poller(
            store,
            fetcher,
            FileReader(fetcher),
            announcer,
            config,
            clock=clock,
            on_stored=on_stored,
            shards=shards,
        )
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def over(cls, core: Core, announcer: Announcer, *, clock: Callable[[], datetime] = utc_now) -> Self:
        """The bot's feed service: over the core's store and fetcher, its search told of new episodes."""
        if core.fetcher is None:
            raise RuntimeError("following feeds needs a core opened with network=True")
        return cls(
            core.store,
            core.fetcher,
            announcer,
            config=PollerConfig(interval=timedelta(minutes=core.settings.poll_minutes)),
            clock=clock,
            on_stored=core.search.refresh,
            # Announcements for the servers on this process's shards (the others' are another's to send).
            shards=Shards.parse(core.settings.shards, core.settings.shard_count),
        )

    # --- following --------------------------------------------------------------------------------------

    def check_address(self, url: str) -> None:
        """CannotFollow unless `url` is an http(s) address the fetcher's guard lets through (no request
        is made: a refusal comes before anything else is asked or read)."""
        try:
            check_url(url, self.fetcher.policy)
        except BlockedURL as error:
            raise CannotFollow(f"I cannot follow that feed: {error}.") from error

    async def follow(
        self,
        *,
        guild_id: int,
        channel_id: int,
        feed_url: str,
        role_id: int | None,
        template: str | None = None,
        thread: bool = False,
        titles: TitleFilter = TitleFilter(),  # noqa: B008 (frozen, never mutated)
    ) -> Subscription:
        """Announce `feed_url` in a channel (or change how: role, template, thread, title filter), and
        check it now: the first check records what the feed holds, so nothing already in it is announced."""
        subscription = await self.store.follows.subscribe(
            guild_id=guild_id,
            channel_id=channel_id,
            feed_url=feed_url,
            role_id=role_id,
            now=self.clock(),
            template=template,
            thread=thread,
            titles=titles,
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
        """Stop the poll loop: a cycle in flight is cancelled, what it committed stays."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
