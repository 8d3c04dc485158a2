"""Following feeds and announcing new episodes exactly once: the core, over real HTTP and a real store."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite
import pytest

from bot.feeds.announce import PostResult
from bot.feeds.files import FileReader
from bot.feeds.poller import Poller, PollerConfig
from bot.feeds.schedule import PAUSE_AFTER, WARN_AFTER
from bot.net.fetch import Fetcher, Limits
from bot.net.guard import AddressPolicy
from bot.store import Store
from bot.store.migrations import bundled_migrations, migrate
from bot.store.pairs import register as register_functions
from tests.feedkit import Clock, FakeChannels, Item, day, rss
from tests.feedserver import stalls, trickle

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.feedserver import FeedServer

GUILD_A, GUILD_B = 1001, 2002
CHANNEL_A, CHANNEL_B = 11, 22
CONFIG = PollerConfig(interval=timedelta(minutes=15))


@dataclass
class World:
    store: Store
    server: FeedServer
    clock: Clock
    channels: FakeChannels
    fetcher: Fetcher
    location: str | Path  # a SQLite file or a PostgreSQL database: every test runs on both

    def poller(self, config: PollerConfig = CONFIG) -> Poller:
        return Poller(
            self.store, self.fetcher, FileReader(self.fetcher), self.channels, config, clock=self.clock
        )

    async def follow(
        self, url: str, channel: int = CHANNEL_A, guild: int = GUILD_A, role: int | None = None
    ) -> None:
        await self.store.follows.subscribe(
            guild_id=guild, channel_id=channel, feed_url=url, role_id=role, now=self.clock()
        )

    async def cycle(self, config: PollerConfig = CONFIG, minutes: float = 17) -> None:
        """Let the interval pass, then run one poll cycle."""
        self.clock.advance(minutes)
        await self.poller(config).run_cycle()

    async def restart(self) -> None:
        """A new process over the same store."""
        await self.store.close()
        self.store = await Store.open(self.location)


@pytest.fixture
async def world(store_location: str | Path, feed_server: FeedServer) -> AsyncIterator[World]:
    store = await Store.open(store_location)
    async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
        w = World(store, feed_server, Clock(), FakeChannels(), fetcher, store_location)
        try:
            yield w
        finally:
            await w.store.close()


EP1 = Item("ep-1", "Episode 1: Kelp", day(0), "https://cdn.example/1.mp3")
EP2 = Item("ep-2", "Episode 2: Gliders", day(7), "https://cdn.example/2.mp3")
EP3 = Item("ep-3", "Episode 3: Sonar", day(14), "https://cdn.example/3.mp3")


async def test_first_poll_announces_nothing_old_but_stores_everything(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.follow(url)

    await world.cycle(minutes=0)

    assert world.channels.posted == []
    assert sorted(s.episode.title for s in await world.store.catalog.episodes()) == [EP1.title, EP2.title]


async def test_a_new_episode_is_stored_then_announced_once_in_every_channel(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url, CHANNEL_A, GUILD_A, role=77)
    await world.follow(url, CHANNEL_B, GUILD_B)
    await world.cycle(minutes=0)

    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    await world.cycle()  # nothing more to say

    assert world.channels.titles(CHANNEL_A) == [EP2.title]
    assert world.channels.titles(CHANNEL_B) == [EP2.title]
    assert [p.role_id for p in world.channels.posted] == [77, None]
    # The feed is fetched once per cycle however many channels follow it.
    assert world.server.hits("/feed.xml") == 3


async def test_the_episode_is_in_the_store_when_it_is_announced(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    found_in_store: list[bool] = []
    original = world.channels.announce

    async def announce(announcement):  # type: ignore[no-untyped-def]
        episodes = await world.store.catalog.episodes()
        found_in_store.append(
            any(s.id == announcement.episode.id and s.episode.title == EP2.title for s in episodes)
        )
        return await original(announcement)

    world.channels.announce = announce  # type: ignore[method-assign]
    await world.cycle()
    assert found_in_store == [True]


async def test_search_is_refreshed_after_storing_and_before_announcing(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    events: list[str] = []

    async def refreshed() -> None:
        events.append(f"refresh ({await world.store.catalog.count()} episodes)")

    original = world.channels.announce

    async def announce(announcement):  # type: ignore[no-untyped-def]
        events.append(f"announce {announcement.episode.episode.title}")
        return await original(announcement)

    world.channels.announce = announce  # type: ignore[method-assign]
    poller = Poller(
        world.store,
        world.fetcher,
        FileReader(world.fetcher),
        world.channels,
        CONFIG,
        clock=world.clock,
        on_stored=refreshed,
    )
    await poller.run_cycle()
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    world.clock.advance(17)
    await poller.run_cycle()
    world.clock.advance(17)
    await poller.run_cycle()  # nothing new: no refresh
    assert events == ["refresh (1 episodes)", "refresh (2 episodes)", f"announce {EP2.title}"]


async def test_several_new_episodes_oldest_first_with_a_cap_per_cycle(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    batch = [Item(f"b-{n}", f"Batch {n}", day(20 + n)) for n in range(5)]
    world.server.serve("/feed.xml", rss([*reversed(batch), EP1]))

    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == ["Batch 0", "Batch 1", "Batch 2"]
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [f"Batch {n}" for n in range(5)]


async def test_edited_vanishing_and_returning_items_are_not_announced_again(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [EP2.title]

    retitled = Item("ep-2", "Episode 2: Gliders (remastered)", day(8), EP2.audio)
    world.server.serve("/feed.xml", rss([retitled, EP1]))
    await world.cycle()
    world.server.serve("/feed.xml", rss([EP1]))  # drops out
    await world.cycle()
    world.server.serve("/feed.xml", rss([retitled, EP1]))  # and comes back
    await world.cycle()

    assert world.channels.titles(CHANNEL_A) == [EP2.title]
    titles = [s.episode.title for s in await world.store.catalog.episodes()]
    assert "Episode 2: Gliders (remastered)" in titles
    assert EP2.title not in titles  # updated in place, not a second episode


async def test_items_without_guids_are_announced_once_even_when_edited(world: World) -> None:
    first = Item(None, "Untitled draft", day(0), "https://cdn.example/x.mp3")
    url = world.server.serve("/feed.xml", rss([Item(None, "Old", day(-7), "https://cdn.example/o.mp3")]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([first]))
    await world.cycle()
    world.server.serve("/feed.xml", rss([Item(None, "Final title", day(1), first.audio)]))
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == ["Untitled draft"]


async def test_a_guid_migration_or_back_catalogue_is_not_news(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    migrated = [Item(f"new-host-{i.guid}", i.title, i.published, i.audio) for i in (EP2, EP1)]
    archive = Item("from-the-archive", "A 2019 episode, re-uploaded", day(-1500))
    world.server.serve("/feed.xml", rss([*migrated, archive]))

    await world.cycle()

    assert world.channels.posted == []
    assert "A 2019 episode, re-uploaded" in [s.episode.title for s in await world.store.catalog.episodes()]


async def test_a_new_subscription_to_a_followed_feed_gets_only_later_episodes(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url, CHANNEL_A)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    await world.follow(url, CHANNEL_B, GUILD_B)
    await world.cycle()
    assert world.channels.titles(CHANNEL_B) == []
    world.server.serve("/feed.xml", rss([EP3, EP2, EP1]))
    await world.cycle()
    assert world.channels.titles(CHANNEL_B) == [EP3.title]
    assert world.channels.titles(CHANNEL_A) == [EP2.title, EP3.title]


async def test_unchanged_feed_is_a_304_and_stores_nothing(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]), etag='"abc"')
    await world.follow(url)
    await world.cycle(minutes=0)
    poller = world.poller()
    world.clock.advance(17)
    report = await poller.run_cycle()
    assert report.unchanged == 1
    assert report.stored == 0
    assert world.server.requests[-1].headers.get("If-None-Match") == '"abc"'


async def test_a_feed_is_not_checked_before_its_time(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    await world.cycle(minutes=5)
    assert world.server.hits("/feed.xml") == 1
    await world.cycle(minutes=12)  # 17 minutes: past the interval plus its jitter
    assert world.server.hits("/feed.xml") == 2


# --- exactly once across crashes -----------------------------------------------------------------------------


async def test_a_restart_re_announces_nothing_and_skips_nothing(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    await world.restart()
    await world.cycle()
    world.server.serve("/feed.xml", rss([EP3, EP2, EP1]))
    await world.restart()
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [EP2.title, EP3.title]


async def test_a_crash_between_send_and_record_does_not_post_twice(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([EP2, EP1]))

    # The process dies right after Discord accepted the message, before podbot recorded it.
    crashed = asyncio.Event()

    def crash(_: object) -> None:
        crashed.set()
        raise asyncio.CancelledError

    world.channels.after_post = crash
    world.clock.advance(17)
    with pytest.raises(asyncio.CancelledError):
        await world.poller().run_cycle()
    assert crashed.is_set()
    assert world.channels.titles(CHANNEL_A) == [EP2.title]

    world.channels.after_post = None
    await world.restart()
    await world.cycle()
    await world.cycle()

    assert world.channels.titles(CHANNEL_A) == [EP2.title]
    # The resend said "maybe already sent" with the same nonce, which is how the announcer recognised it.
    assert world.channels.seen_maybe_sent == [world.channels.posted[0].nonce]


async def test_a_crash_before_recording_the_poll_announces_after_restart(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.server.serve("/feed.xml", rss([EP2, EP1]))

    original = world.store.follows.record_poll

    async def die(*args: object, **kwargs: object) -> int:
        raise asyncio.CancelledError

    world.store.follows.record_poll = die  # type: ignore[method-assign]
    world.clock.advance(17)
    with pytest.raises(asyncio.CancelledError):
        await world.poller().run_cycle()
    world.store.follows.record_poll = original  # type: ignore[method-assign]
    assert world.channels.posted == []

    await world.restart()
    await world.cycle(minutes=0)
    assert world.channels.titles(CHANNEL_A) == [EP2.title]


# --- failures ------------------------------------------------------------------------------------------------


async def test_a_failing_feed_backs_off_warns_once_then_pauses_without_hurting_others(world: World) -> None:
    good = world.server.serve("/good.xml", rss([EP1]))
    bad = world.server.serve("/bad.xml", b"oops", status=500, content_type="text/plain")
    await world.follow(good, CHANNEL_A, GUILD_A)
    await world.follow(bad, CHANNEL_B, GUILD_B)
    await world.follow(bad, 33, GUILD_A)

    gaps = []
    for _ in range(PAUSE_AFTER + 2):
        before = world.server.hits("/bad.xml")
        minutes = 0
        while world.server.hits("/bad.xml") == before and minutes < 48 * 60:
            await world.cycle(minutes=15)
            minutes += 15
        gaps.append(minutes)
    # Checked at once, then exponential backoff; paused after PAUSE_AFTER failures: never checked again.
    assert gaps[:5] == [15, 15, 30, 60, 120]
    assert gaps[PAUSE_AFTER] >= 48 * 60
    assert world.server.hits("/bad.xml") == PAUSE_AFTER
    # One warning in each channel that follows the failing feed, after WARN_AFTER failures.
    assert sorted(channel for channel, _ in world.channels.warnings) == sorted([33, CHANNEL_B])
    assert "the server answered 500 Internal Server Error" in world.channels.warnings[0][1]
    (bad_sub,) = await world.store.follows.subscriptions(guild_id=GUILD_B)
    assert bad_sub.feed.paused
    assert bad_sub.feed.failures == PAUSE_AFTER
    # The good feed was checked all along and is fine.
    (good_sub,) = [
        s for s in await world.store.follows.subscriptions(guild_id=GUILD_A) if s.channel_id == CHANNEL_A
    ]
    assert good_sub.feed.failures == 0
    assert world.server.hits("/good.xml") > 50

    # Following it again resumes it: checked at once, and announcing again once it works.
    world.server.serve("/bad.xml", rss([EP1]))
    await world.follow(bad, CHANNEL_B, GUILD_B)
    await world.cycle(minutes=0)
    (bad_sub,) = await world.store.follows.subscriptions(guild_id=GUILD_B)
    assert not bad_sub.feed.paused
    assert bad_sub.feed.failures == 0
    assert WARN_AFTER < PAUSE_AFTER


async def test_following_a_failing_feed_again_does_not_repeat_the_warning(world: World) -> None:
    bad = world.server.serve("/bad.xml", b"oops", status=500, content_type="text/plain")
    await world.follow(bad, CHANNEL_A)
    while not world.channels.warnings:
        await world.cycle(minutes=60)
    (sub,) = await world.store.follows.subscriptions()
    assert sub.feed.warned
    assert not sub.feed.paused

    # A manager runs /announce set again for the same feed (a new role, another channel) while it fails.
    await world.follow(bad, CHANNEL_A, role=77)
    await world.follow(bad, CHANNEL_B)
    while not (await world.store.follows.subscriptions())[0].feed.paused:
        await world.cycle(minutes=12 * 60)

    assert [channel for channel, _ in world.channels.warnings] == [CHANNEL_A]


async def test_a_password_in_a_feed_url_is_not_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    # Not possible through /announce set (the guard refuses such URLs), but the store takes any URL.
    url = world.server.serve("/feed.xml", rss([EP1])).replace("http://", "http://listener:hunter2@")
    await world.follow(url)
    for _ in range(WARN_AFTER):
        await world.cycle(minutes=12 * 60)

    assert "http://***@127.0.0.1" in caplog.text
    assert "hunter2" not in caplog.text
    assert world.channels.warnings
    assert all("hunter2" not in text for _, text in world.channels.warnings)


async def test_retry_after_is_honoured(world: World) -> None:
    url = world.server.serve("/feed.xml", b"busy", status=503, headers={"Retry-After": "7200"})
    await world.follow(url)
    await world.cycle(minutes=0)
    (sub,) = await world.store.follows.subscriptions()
    assert sub.feed.next_check - world.clock.now == timedelta(hours=2)


async def test_a_web_page_instead_of_a_feed_is_reported_plainly(world: World) -> None:
    url = world.server.serve(
        "/feed.xml", b"<html><body><p>Moved!</p></body></html>", content_type="text/html"
    )
    await world.follow(url)
    await world.cycle(minutes=0)
    (sub,) = await world.store.follows.subscriptions()
    assert sub.feed.last_error is not None
    assert "web page, not a feed" in sub.feed.last_error


async def test_a_broken_channel_is_recorded_and_other_guilds_still_get_theirs(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url, CHANNEL_A, GUILD_A)
    await world.follow(url, CHANNEL_B, GUILD_B)
    await world.cycle(minutes=0)
    world.channels.broken[CHANNEL_A] = PostResult.failed("podbot lacks permission to post in #news")
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    await world.cycle()

    assert world.channels.titles(CHANNEL_B) == [EP2.title]
    assert world.channels.titles(CHANNEL_A) == []
    (sub_a,) = await world.store.follows.subscriptions(guild_id=GUILD_A)
    assert sub_a.last_error == "podbot lacks permission to post in #news"
    # A permanent failure is not retried every cycle; fixing the channel shows on the next episode.
    del world.channels.broken[CHANNEL_A]
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == []
    world.server.serve("/feed.xml", rss([EP3, EP2, EP1]))
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [EP3.title]
    (sub_a,) = await world.store.follows.subscriptions(guild_id=GUILD_A)
    assert sub_a.last_error is None


async def test_a_passing_failure_is_retried_next_cycle(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    world.channels.broken[CHANNEL_A] = PostResult.retry("Discord answered 503")
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    assert world.channels.posted == []
    del world.channels.broken[CHANNEL_A]
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [EP2.title]


async def test_an_announcer_that_raises_does_not_stop_the_cycle(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url, CHANNEL_A, GUILD_A)
    await world.follow(url, CHANNEL_B, GUILD_B)
    await world.cycle(minutes=0)
    original = world.channels.announce

    async def flaky(announcement):  # type: ignore[no-untyped-def]
        if announcement.channel_id == CHANNEL_A:
            raise RuntimeError("boom")
        return await original(announcement)

    world.channels.announce = flaky  # type: ignore[method-assign]
    world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.cycle()
    assert world.channels.titles(CHANNEL_B) == [EP2.title]
    world.channels.announce = original  # type: ignore[method-assign]
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [EP2.title]


async def test_stalled_and_trickling_feeds_time_out_without_holding_anything_up(world: World) -> None:
    stalled = world.server.route("/stall", stalls)
    slow = world.server.route("/trickle", trickle)
    big = world.server.serve(
        "/big.xml", rss([Item(f"b{n}", f"Big {n}", day(n), notes="<p>words</p>" * 2000) for n in range(60)])
    )
    for url in (stalled, slow, big):
        await world.follow(url)
    config = PollerConfig(feed_limits=Limits(connect_s=5, total_s=1.5))

    cycle = asyncio.create_task(world.poller(config).run_cycle())
    # While the cycle waits on the bad servers (and reads the big feed in a worker thread), the event loop
    # keeps serving everything else.
    served = 0
    while not cycle.done():
        await world.store.catalog.count()
        served += 1
        await asyncio.sleep(0.01)
    report = cycle.result()

    assert served > 1  # store reads were answered while the cycle was still waiting
    assert report.failed == 2
    assert "no complete answer within 1.5 s" in report.errors[stalled]
    assert "no complete answer within 1.5 s" in report.errors[slow]
    assert await world.store.catalog.count() == 60
    for subscription in await world.store.follows.subscriptions():
        assert subscription.feed.failures == (0 if subscription.feed.url == big else 1)


# --- chapter and transcript files ----------------------------------------------------------------------------

CHAPTERS = json.dumps(
    {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Hello"}, {"startTime": 60, "title": "Main"}]}
)


async def test_a_failing_chapter_file_is_retried_on_a_later_poll(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]), etag='"1"')
    await world.follow(url)
    await world.cycle(minutes=0)
    with_chapters = Item(
        "ep-2", EP2.title, EP2.published, EP2.audio, chapters_url=world.server.url("/2/chapters.json")
    )
    world.server.serve("/feed.xml", rss([with_chapters, EP1]), etag='"2"')
    world.server.serve("/2/chapters.json", b"down", status=502, content_type="text/plain")

    await world.cycle()
    # Announced without its chapters rather than not at all.
    assert world.channels.titles(CHANNEL_A) == [EP2.title]
    stored = next(s for s in await world.store.catalog.episodes() if s.episode.guid == "ep-2")
    assert stored.episode.chapters == ()

    world.server.serve("/2/chapters.json", CHAPTERS.encode(), content_type="application/json")
    await world.cycle()
    stored = next(s for s in await world.store.catalog.episodes() if s.episode.guid == "ep-2")
    assert [c.title for c in stored.episode.chapters] == ["Hello", "Main"]
    # While a file was pending the feed was fetched in full (no If-None-Match), then conditionally again.
    feed_requests = [r for r in world.server.requests if r.path == "/feed.xml"]
    assert "If-None-Match" not in feed_requests[2].headers
    await world.cycle()
    assert [r for r in world.server.requests if r.path == "/feed.xml"][3].headers.get(
        "If-None-Match"
    ) == '"2"'
    assert world.server.hits("/2/chapters.json") == 2
    assert world.channels.titles(CHANNEL_A) == [EP2.title]


async def test_files_of_a_long_back_catalogue_are_read_a_few_per_poll(world: World) -> None:
    items = [
        Item(f"e{n}", f"Episode {n}", day(n), chapters_url=world.server.url(f"/c/{n}.json"))
        for n in range(30, 0, -1)
    ]
    for n in range(1, 31):
        world.server.serve(f"/c/{n}.json", CHAPTERS.encode(), content_type="application/json")
    url = world.server.serve("/feed.xml", rss(items))
    await world.follow(url)

    await world.cycle(minutes=0, config=PollerConfig(files_per_poll=20))
    fetched = {r.path for r in world.server.requests if r.path.startswith("/c/")}
    assert fetched == {f"/c/{n}.json" for n in range(11, 31)}  # the newest twenty
    await world.cycle(config=PollerConfig(files_per_poll=20))
    assert sum(1 for r in world.server.requests if r.path.startswith("/c/")) == 30
    assert all(len(s.episode.chapters) == 2 for s in await world.store.catalog.episodes())
    assert world.channels.posted == []


# --- dates in the future -------------------------------------------------------------------------------------


async def test_an_item_dated_in_the_future_does_not_silence_later_episodes(world: World) -> None:
    # A trailer dated next year (or a year typo) in the feed when it is first followed.
    teaser = Item("teaser", "Season 2 trailer", world.clock.now + timedelta(days=365))
    url = world.server.serve("/feed.xml", rss([teaser, EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)

    fresh = Item("ep-fresh", "Episode 4: Tides", world.clock.now)
    world.server.serve("/feed.xml", rss([teaser, fresh, EP1]))
    await world.cycle()
    later = Item("ep-later", "Episode 5: Currents", world.clock.now + timedelta(days=7))
    world.clock.advance(7 * 24 * 60)
    world.server.serve("/feed.xml", rss([teaser, later, fresh, EP1]))
    await world.cycle()

    assert world.channels.titles(CHANNEL_A) == [fresh.title, later.title]


async def test_a_new_item_dated_in_the_future_is_announced_at_once(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    typo = Item("ep-typo", "Episode 2: dated 2025 by mistake", world.clock.now + timedelta(days=365))
    world.server.serve("/feed.xml", rss([typo, EP1]))
    await world.cycle()
    # Once known, it is not news again, and the episodes after it are.
    fresh = Item("ep-fresh", "Episode 3: Tides", world.clock.now)
    world.server.serve("/feed.xml", rss([typo, fresh, EP1]))
    await world.cycle()

    assert world.channels.titles(CHANNEL_A) == [typo.title, fresh.title]


# --- the loop ------------------------------------------------------------------------------------------------


async def test_the_poll_loop_survives_an_error_outside_the_cycle(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    # Real time, and an interval short enough that the loop comes round many times in a test.
    poller = Poller(
        world.store,
        world.fetcher,
        FileReader(world.fetcher),
        world.channels,
        PollerConfig(interval=timedelta(seconds=0.05)),
    )
    original = world.store.follows.next_due
    calls = 0

    async def flaky_next_due():  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise RuntimeError("database is locked")
        return await original()

    world.store.follows.next_due = flaky_next_due  # type: ignore[method-assign]
    loop = asyncio.create_task(poller.run_forever())
    try:
        async with asyncio.timeout(10):
            while calls < 3:
                assert not loop.done(), "the poll loop ended"
                await asyncio.sleep(0.01)
            # The loop is still alive: a new episode is announced after the errors.
            world.server.serve("/feed.xml", rss([EP2, EP1]))
            while not world.channels.posted:
                assert not loop.done(), "the poll loop ended"
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert world.channels.titles(CHANNEL_A) == [EP2.title]
    assert "database is locked" in caplog.text  # logged with its traceback


async def test_a_poll_stops_asking_a_files_host_that_keeps_failing(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    batch = [
        Item(f"b-{n}", f"Batch {n}", day(20 + n), chapters_url=world.server.url(f"/c/{n}.json"))
        for n in range(20)
    ]
    for n in range(20):
        world.server.serve(f"/c/{n}.json", b"down", status=503, content_type="text/plain")
    world.server.serve("/feed.xml", rss([*reversed(batch), EP1]))

    await world.cycle(config=PollerConfig(announce_cap=20))

    # Three failures, and at most the seven requests already in flight: not all twenty.
    assert sum(world.server.hits(f"/c/{n}.json") for n in range(20)) <= 10
    # Every episode is stored and announced without its chapters; the files are tried on a later poll.
    assert world.channels.titles(CHANNEL_A) == [f"Batch {n}" for n in range(20)]
    for n in range(20):
        world.server.serve(f"/c/{n}.json", CHAPTERS.encode(), content_type="application/json")
    await world.cycle()
    assert all(
        len(s.episode.chapters) == 2 for s in await world.store.catalog.episodes() if s.episode.guid != "ep-1"
    )


# --- items that share a GUID -----------------------------------------------------------------------------

RECUT = Item("ep-1", "Episode 1: Kelp (extended cut)", day(1), "https://cdn.example/1-extended.mp3")


async def test_an_item_reusing_a_guid_is_its_own_episode_and_announced(world: World) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    (subscription,) = await world.store.follows.subscriptions(guild_id=GUILD_A)
    assert subscription.feed.shared_guids is None

    # The publisher copies the item for a new episode and forgets to change its GUID.
    world.server.serve("/feed.xml", rss([RECUT, EP1]))
    await world.cycle()

    assert world.channels.titles(CHANNEL_A) == [RECUT.title]
    titles = {s.episode.title for s in await world.store.catalog.episodes()}
    assert titles == {EP1.title, RECUT.title}
    (subscription,) = await world.store.follows.subscriptions(guild_id=GUILD_A)
    assert subscription.feed.shared_guids == (
        "2 items share the GUID 'ep-1': kept as 2 episodes, as their audio, title or date differ "
        f"({RECUT.title!r}, {EP1.title!r})"
    )
    # Nothing changes on the next poll: not announced again, nor stored twice.
    await world.cycle()
    assert world.channels.titles(CHANNEL_A) == [RECUT.title]
    assert len(await world.store.catalog.episodes()) == 2

    # Once the publisher gives it a GUID of its own, the note goes; it is still the one episode, not news.
    world.server.serve("/feed.xml", rss([replace(RECUT, guid="ep-1-extended"), EP1]))
    await world.cycle()
    (subscription,) = await world.store.follows.subscriptions(guild_id=GUILD_A)
    assert subscription.feed.shared_guids is None
    assert world.channels.titles(CHANNEL_A) == [RECUT.title]


async def test_a_store_from_before_shared_guid_notes_upgrades_keeping_its_feeds(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrations = bundled_migrations()
    (added,) = [m for m in migrations if "shared_guids" in m.sql]
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await register_functions(conn)  # migration 004's triggers call it
        await migrate(conn, migrations[: added.version - 1])
        await conn.execute(
            "INSERT INTO feeds (url, next_check, created_at) VALUES ('https://x.example/feed', ?, ?)",
            (day(0).isoformat(), day(0).isoformat()),
        )
    async with await Store.open(path) as store:
        feed = await store.follows.feed(1)
        assert feed is not None
        assert feed.url == "https://x.example/feed"
        assert feed.shared_guids is None


async def test_bad_values_in_one_item_drop_only_those_values_and_the_feed_keeps_announcing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    url = world.server.serve("/feed.xml", rss([EP1]))
    await world.follow(url)
    await world.cycle(minutes=0)
    broken = Item(
        "ep-2",
        EP2.title,
        EP2.published,
        EP2.audio,
        chapters_url=world.server.url("/2/chapters.json"),
        transcript_url=world.server.url("/2/transcript.vtt"),
    )
    unreadable = Item("ep-3", "Episode 3: Moss", day(14), chapters_url=world.server.url("/3/chapters.json"))
    feed = rss([unreadable, broken, EP1]).replace(
        b"<itunes:duration>1:00:00</itunes:duration></item>",
        b"<itunes:duration>99999999999999999999999</itunes:duration></item>",
        1,
    )
    world.server.serve("/feed.xml", feed)
    chapters = '{"chapters": [{"startTime": 1e308, "title": "Far"}, {"startTime": Infinity, "title": "Inf"},'
    chapters += (
        ' {"startTime": 99999999999999999999999, "title": "Huge"}, {"startTime": 60, "title": "Main"}]}'
    )
    world.server.serve("/2/chapters.json", chapters.encode(), content_type="application/json")
    vtt = "WEBVTT\n\n99999999999999999999:00:00.000 --> 99999999999999999999:00:01.000\n<v Ana>lost\n\n"
    vtt += "00:00:05.000 --> 00:00:07.000\n<v Ana>Kelp forests grow fast.\n"
    world.server.serve("/2/transcript.vtt", vtt.encode(), content_type="text/vtt")
    world.server.serve("/3/chapters.json", b"[" * 100_000, content_type="application/json")

    with caplog.at_level("INFO", logger="bot.feeds.poller"):
        await world.cycle()

    assert world.channels.titles(CHANNEL_A) == [EP2.title, "Episode 3: Moss"]
    ids = {s.episode.guid: s.id for s in await world.store.catalog.episodes()}
    stored = {guid: (await world.store.catalog.get(i, with_segments=True)) for guid, i in ids.items()}
    assert stored["ep-3"].episode.duration_s is None  # the 23-digit duration, dropped
    assert stored["ep-2"].episode.duration_s == 3600
    assert [(c.start_s, c.title) for c in stored["ep-2"].episode.chapters] == [(60, "Main")]
    assert [(s.start_s, s.text) for s in stored["ep-2"].episode.segments] == [(5, "Kelp forests grow fast.")]
    # The file that is unusable as a whole is reported, and its episode is stored and announced all the same.
    assert any("3/chapters.json" in r.getMessage() and "JSON" in r.getMessage() for r in caplog.records)
    (subscription,) = await world.store.follows.subscriptions(guild_id=GUILD_A)
    assert subscription.feed.failures == 0


async def test_full_collections_wait_while_a_poll_stores_and_come_back_after(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bot.interpreter: a full collection during the store would walk every parsed episode and free none.
    url = world.server.serve("/feed.xml", rss([EP2, EP1]))
    await world.follow(url)
    thresholds_while_storing: list[tuple[int, int, int]] = []
    ingest = world.store.catalog.ingest

    async def watched_ingest(*args: object, **kwargs: object) -> object:
        thresholds_while_storing.append(gc.get_threshold())
        return await ingest(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(world.store.catalog, "ingest", watched_ingest)
    before = gc.get_threshold()

    await world.cycle(minutes=0)

    assert len(thresholds_while_storing) == 1
    assert thresholds_while_storing[0][:2] == before[:2]  # the young generations are still collected
    assert thresholds_while_storing[0][2] > 1_000_000
    assert gc.get_threshold() == before
    assert len(await world.store.catalog.episodes()) == 2
