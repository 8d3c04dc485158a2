"""A bot process's poller, alone in a process of its own, for tests/test_shared_polling.py to kill -9 in
the middle of a poll: `python -m tests.lease_child STORE FEED_URL`. It follows nothing itself (the test
has subscribed), runs poll cycles on the real clock, and prints "polling" once it holds a feed's claim."""

from __future__ import annotations

import asyncio
import sys

from bot.feeds.announce import Announcement, PostResult
from bot.feeds.files import FileReader
from bot.feeds.poller import Poller
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy
from bot.store import Store


class NoChannels:
    async def announce(self, announcement: Announcement) -> PostResult:
        return PostResult.sent(None)

    async def warn(self, channel_id: int, text: str) -> PostResult:
        return PostResult.sent(None)


async def main(location: str) -> None:
    store = await Store.open(location)
    async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
        poller = Poller(store, fetcher, FileReader(fetcher), NoChannels(), owner="doomed")
        original = poller.poll_feed

        async def announced_poll(*args: object, **kwargs: object) -> None:
            print("polling", flush=True)
            await original(*args, **kwargs)  # type: ignore[arg-type]

        poller.poll_feed = announced_poll  # type: ignore[method-assign]
        await poller.run_cycle()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
