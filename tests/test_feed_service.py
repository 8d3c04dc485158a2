"""The feed service the bot's /announce calls: checking a feed before it is followed, following it, and the
poll loop it owns — over real HTTP on 127.0.0.1 and a real store."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from bot.feeds.check import CannotFollow
from bot.feeds.service import FeedService
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
    service = FeedService(store, FakeChannels(), policy=AddressPolicy(allow_private=True))
    try:
        yield service
    finally:
        await service.close()


async def test_the_title_of_a_feed_is_read_before_it_is_followed(
    feeds: FeedService, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/feed.xml", rss([EP1], title="Kelp Weekly"))
    assert await feeds.read_title(url) == "Kelp Weekly"
    assert await feeds.store.follows.subscriptions() == []  # reading is not following


async def test_what_cannot_be_followed_is_one_sentence_that_says_why(
    feeds: FeedService, feed_server: FeedServer
) -> None:
    page = feed_server.serve(
        "/page", b"<!doctype html><html><body>Our show</body></html>", content_type="text/html"
    )
    cases = [
        (page, "That is not a podcast feed I can read:", "serves a web page, not a feed"),
        (feed_server.url("/missing.xml"), "I could not read that feed:", "404"),
    ]
    for url, opening, reason in cases:
        with pytest.raises(CannotFollow) as refused:
            await feeds.read_title(url)
        sentence = str(refused.value)
        assert sentence.startswith(opening), sentence
        assert reason in sentence
        assert sentence.endswith(".")
        assert "\n" not in sentence
    with pytest.raises(CannotFollow, match=r"^I cannot follow that feed: .*http\(s\)"):
        feeds.check_address("ftp://example.com/feed.xml")


async def test_the_guard_holds_for_the_check_as_for_the_poller(store: Store, feed_server: FeedServer) -> None:
    # A bot with the default policy: a feed on a private address is refused, checked or fetched.
    url = feed_server.serve("/feed.xml", rss([EP1]))
    guarded = FeedService(store, FakeChannels(), policy=AddressPolicy())
    try:
        with pytest.raises(CannotFollow, match=r"^I cannot follow that feed: "):
            guarded.check_address(url)
        with pytest.raises(CannotFollow, match=r"^I could not read that feed: "):
            await guarded.read_title(feed_server.url("/feed.xml").replace("127.0.0.1", "localhost"))
    finally:
        await guarded.close()
    assert feed_server.hits("/feed.xml") == 0


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
