"""The feed service the bot's /announce calls: the address check before a feed is followed, following it,
and the poll loop it owns — over real HTTP on 127.0.0.1 and a real store."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from bot.feeds.service import CannotFollow, FeedService
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy
from tests.feedkit import FakeChannels, Item, day, rss

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.store import Store
    from tests.feedserver import FeedServer

EP1 = Item("ep-1", "Episode 1: Kelp", day(0), "https://cdn.example/1.mp3")


@pytest.fixture
async def feeds(store: Store) -> AsyncIterator[FeedService]:
    # 127.0.0.1 is where the test server is: allowed here, as PODBOT_ALLOW_PRIVATE_URLS allows it.
    async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
        service = FeedService(store, fetcher, FakeChannels())
        try:
            yield service
        finally:
            await service.close()


async def test_an_address_the_guard_refuses_is_one_sentence_that_says_why(
    store: Store, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/feed.xml", rss([EP1]))
    async with Fetcher(AddressPolicy()) as guarded:  # the bot's default: no private addresses
        feeds = FeedService(store, guarded, FakeChannels())
        for address, reason in [(url, "127.0.0.1"), ("ftp://example.com/feed.xml", "http(s)")]:
            with pytest.raises(CannotFollow) as refused:
                feeds.check_address(address)
            sentence = str(refused.value)
            assert sentence.startswith("I cannot follow that feed: "), sentence
            assert reason in sentence
            assert sentence.endswith(".")
    assert feed_server.hits("/feed.xml") == 0  # refused before any request
    assert await store.follows.subscriptions() == []


async def test_a_followed_feed_is_checked_at_once_and_its_old_episodes_are_not_announced(
    feeds: FeedService, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/feed.xml", rss([EP1]))
    ready = asyncio.Event()
    feeds.start(ready.wait)
    ready.set()
    await asyncio.sleep(0.1)  # the loop's first cycle: nothing is followed yet, so it sleeps a full interval
    subscription = await feeds.follow(guild_id=1, channel_id=11, feed_url=url, role_id=None)
    assert subscription.feed.url == url
    for _ in range(200):  # woken by follow(), not after the 15 minutes it was sleeping for
        (subscription,) = await feeds.store.follows.subscriptions()
        if subscription.feed.baseline_at is not None:
            break
        await asyncio.sleep(0.05)
    assert subscription.feed.baseline_at is not None
    assert subscription.feed.title == "Test Cast"
    channels = feeds.poller.announcer
    assert isinstance(channels, FakeChannels)
    assert channels.posted == []  # what the feed held when it was followed is not news
