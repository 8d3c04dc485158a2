"""Several bot processes on one store (issue 12): each feed is polled once per interval across them, each
new episode announced exactly once per subscription, by the process that holds the server's shard, and a
process that dies mid-poll or mid-send loses its claim when the lease ends. Each "process" here is a
Poller over a Store of its own (its own connections), on either engine; one is a real process, killed."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.feeds.files import FileReader
from bot.feeds.poller import CycleReport, Poller, PollerConfig
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy
from bot.shards import Shards
from bot.store import Store
from tests.feedkit import Clock, FakeChannels, Item, Posted, day, rss
from tests.feedserver import stalls

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.feedserver import FeedServer

# Where `python -m tests.lease_child` finds its modules.
REPOSITORY = Path(__file__).resolve().parents[1]
# Servers on shard 0 and shard 1 of 2 (a server's shard is (id >> 22) % count).
GUILD_ON_0, GUILD_ON_1 = 10 << 22, 11 << 22
CHANNEL_ON_0, CHANNEL_ON_1 = 100, 111
CONFIG = PollerConfig(interval=timedelta(minutes=15))
EP1 = Item("ep-1", "Episode 1: Kelp", day(0), "https://cdn.example/1.mp3")
EP2 = Item("ep-2", "Episode 2: Gliders", day(7), "https://cdn.example/2.mp3")


@dataclass
class Process:
    """What one bot process has: its own store connections, its own poller, the channels of its servers."""

    name: str
    store: Store
    poller: Poller
    channels: FakeChannels = field(default_factory=FakeChannels)


@dataclass
class Cluster:
    location: str | Path
    server: FeedServer
    clock: Clock
    fetcher: Fetcher
    processes: list[Process] = field(default_factory=list)

    async def start(self, name: str, shards: Shards) -> Process:
        store = await Store.open(self.location)
        channels = FakeChannels()
        poller = Poller(
            store,
            self.fetcher,
            FileReader(self.fetcher),
            channels,
            CONFIG,
            clock=self.clock,
            shards=shards,
            owner=name,
        )
        process = Process(name, store, poller, channels)
        self.processes.append(process)
        return process

    async def follow(self, process: Process, url: str, guild: int, channel: int) -> None:
        await process.store.follows.subscribe(
            guild_id=guild, channel_id=channel, feed_url=url, role_id=None, now=self.clock()
        )

    async def survivor_following(self) -> tuple[Process, str]:
        """A process of every shard following a feed whose first episode it has read (announcing nothing
        old); the feed's URL."""
        survivor = await self.start("survivor", Shards((0, 1), 2))
        url = self.server.serve("/feed.xml", rss([EP1]))
        await self.follow(survivor, url, GUILD_ON_0, CHANNEL_ON_0)
        await survivor.poller.run_cycle()
        return survivor, url

    def posted(self) -> list[tuple[str, int, str]]:
        return sorted((p.name, m.channel_id, m.title) for p in self.processes for m in p.channels.posted)


@pytest.fixture
async def cluster(store_location: str | Path, feed_server: FeedServer) -> AsyncIterator[Cluster]:
    async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
        made = Cluster(store_location, feed_server, Clock(), fetcher)
        try:
            yield made
        finally:
            for process in made.processes:
                await process.store.close()


async def test_two_processes_on_different_shards_announce_each_episode_once(cluster: Cluster) -> None:
    zero = await cluster.start("zero", Shards((0,), 2))
    one = await cluster.start("one", Shards((1,), 2))
    url = cluster.server.serve("/feed.xml", rss([EP1]))
    await cluster.follow(zero, url, GUILD_ON_0, CHANNEL_ON_0)
    await cluster.follow(one, url, GUILD_ON_1, CHANNEL_ON_1)
    await zero.poller.run_cycle()  # the first poll: a baseline, nothing announced
    assert cluster.server.hits("/feed.xml") == 1

    cluster.server.serve("/feed.xml", rss([EP2, EP1]))
    cluster.clock.advance(17)
    await asyncio.gather(zero.poller.run_cycle(), one.poller.run_cycle())
    # Whichever delivered before the other had stored the news delivers on its next look.
    await asyncio.gather(zero.poller.deliver(), one.poller.deliver())
    await asyncio.gather(zero.poller.deliver(), one.poller.deliver())

    # One fetch for the interval, whichever process made it; each server told once, by its own shard.
    assert cluster.server.hits("/feed.xml") == 2
    assert cluster.posted() == [("one", CHANNEL_ON_1, EP2.title), ("zero", CHANNEL_ON_0, EP2.title)]


async def test_a_process_that_dies_mid_poll_loses_the_feed_when_its_lease_ends(cluster: Cluster) -> None:
    survivor, url = await cluster.survivor_following()
    cluster.server.serve("/feed.xml", rss([EP2, EP1]))
    cluster.clock.advance(17)

    # Another process claims the due feed and dies before it records anything.
    doomed = await Store.open(cluster.location)
    claimed = await doomed.follows.claim_due_feeds(cluster.clock(), owner="doomed", lease=CONFIG.poll_lease)
    await doomed.close()
    assert [f.url for f in claimed] == [url]

    await survivor.poller.run_cycle()
    assert cluster.server.hits("/feed.xml") == 1  # not its feed while the claim holds
    cluster.clock.advance(CONFIG.poll_lease.total_seconds() / 60 - 1)
    await survivor.poller.run_cycle()
    assert cluster.server.hits("/feed.xml") == 1

    cluster.clock.advance(2)  # the lease has ended
    await survivor.poller.run_cycle()
    await survivor.poller.run_cycle()
    assert cluster.server.hits("/feed.xml") == 2
    assert cluster.posted() == [("survivor", CHANNEL_ON_0, EP2.title)]


async def test_a_send_left_claimed_by_a_dead_process_goes_out_once(cluster: Cluster) -> None:
    survivor, _ = await cluster.survivor_following()
    cluster.server.serve("/feed.xml", rss([EP2, EP1]))
    cluster.clock.advance(17)
    # Store the news without delivering it: a process that polls and then crashes while posting.
    feed = (await survivor.store.follows.claim_due_feeds(cluster.clock(), owner="x", lease=timedelta(0)))[0]
    await survivor.poller.poll_feed(feed, CycleReport())
    (pending,) = await survivor.store.follows.pending_announcements()

    # The dead process had claimed the send and posted the message, but never recorded it as sent.
    attempts = await survivor.store.follows.claim_announcement(
        pending.id, owner="doomed", now=cluster.clock(), lease=CONFIG.send_lease
    )
    assert attempts == 1
    survivor.channels.posted.append(Posted(CHANNEL_ON_0, EP2.title, None, pending.nonce))

    await survivor.poller.deliver()
    assert survivor.channels.seen_maybe_sent == []  # still the dead process's to send
    cluster.clock.advance(CONFIG.send_lease.total_seconds() / 60 + 1)
    await survivor.poller.deliver()

    # Resent as "maybe sent": the announcer found the first copy, and posted no second.
    assert survivor.channels.seen_maybe_sent == [pending.nonce]
    assert survivor.channels.titles(CHANNEL_ON_0) == [EP2.title]
    assert await survivor.store.follows.pending_announcements() == []


async def test_kill_9_mid_poll_then_the_other_process_takes_the_feed_over(cluster: Cluster) -> None:
    survivor, _ = await cluster.survivor_following()
    # The next fetch hangs: the real process below is in the middle of it when it is killed.
    cluster.server.route("/feed.xml", stalls)
    # The child runs on the real clock, by which the feed is long due; it claims it for CONFIG.poll_lease.
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.lease_child",
        str(cluster.location),
        stdout=asyncio.subprocess.PIPE,
        cwd=REPOSITORY,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        assert line.strip() == b"polling"
        for _ in range(600):  # until its request has reached the feed server
            if cluster.server.hits("/feed.xml") == 2:
                break
            await asyncio.sleep(0.05)
        # kill -9: nothing runs in the child after this, no release, no cleanup.
        child.kill()
        await child.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
    assert cluster.server.hits("/feed.xml") == 2

    cluster.server.serve("/feed.xml", rss([EP2, EP1]))
    cluster.clock.now = datetime.now(UTC) + timedelta(minutes=1)
    await survivor.poller.run_cycle()
    assert cluster.server.hits("/feed.xml") == 2  # the dead process's claim still holds
    cluster.clock.advance(CONFIG.poll_lease.total_seconds() / 60 + 1)
    await survivor.poller.run_cycle()
    await survivor.poller.run_cycle()
    assert cluster.server.hits("/feed.xml") == 3
    assert cluster.posted() == [("survivor", CHANNEL_ON_0, EP2.title)]
