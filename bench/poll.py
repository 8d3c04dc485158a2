"""One poll cycle over 1,000 feeds served locally: `python -m bench.feeds --poll` (or `python -m bench.poll`).

The feeds are served by a separate process on 127.0.0.1 (ten ports, standing in for ten hosts), so the
numbers are podbot's work: fetching, reading, triage, storing, recording. Three cycles are timed:
  cold     the first poll of every feed (10 episodes each stored, nothing announced)
  304      nothing changed: every feed answers 304 Not Modified
  new      every feed has one new episode: stored, and one announcement per feed delivered
"""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from bot.feeds.announce import Announcement, PostResult
from bot.feeds.files import FileReader
from bot.feeds.poller import Poller, PollerConfig
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy
from bot.store import Store

FEEDS = 1000
PORTS = 10
ITEMS = 10


def _feed(number: int, generation: int) -> bytes:
    items = []
    for n in range(ITEMS + generation, 0, -1):
        published = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=7 * n)
        items.append(
            f"<item><title>Show {number} episode {n}</title><guid>s{number}-e{n}</guid>"
            f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<enclosure url='https://cdn.example/{number}/{n}.mp3' type='audio/mpeg' length='1'/>"
            f"<itunes:duration>{1800 + n}</itunes:duration>"
            f"<description><![CDATA[<p>Notes for episode {n} of show {number}. "
            + "Words " * 60
            + "</p>]]></description></item>"
        )
    return (
        "<?xml version='1.0'?><rss xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel>"
        f"<title>Bench show {number}</title>{''.join(items)}</channel></rss>"
    ).encode()


def _serve(ports: multiprocessing.Queue, generation: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    async def handler(request: web.Request) -> web.Response:
        number = int(request.match_info["number"])
        etag = f'"{number}-{generation.value}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=_feed(number, generation.value),
            headers={"ETag": etag, "Content-Type": "application/rss+xml"},
        )

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{number}.xml", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for _ in range(PORTS):
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
        for address in runner.addresses:
            ports.put(address[1])
        await asyncio.Event().wait()

    asyncio.run(main())


@dataclass
class CountingAnnouncer:
    sent: int = 0

    async def announce(self, announcement: Announcement) -> PostResult:
        self.sent += 1
        return PostResult.sent(self.sent)

    async def warn(self, channel_id: int, text: str) -> PostResult:
        return PostResult.sent(None)


async def _run(ports: list[int], generation: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    clock_now = [datetime(2024, 6, 1, tzinfo=UTC)]
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.db")
        announcer = CountingAnnouncer()
        async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
            poller = Poller(
                store, fetcher, FileReader(fetcher), announcer, PollerConfig(), clock=lambda: clock_now[0]
            )
            for number in range(FEEDS):
                url = f"http://127.0.0.1:{ports[number % PORTS]}/feed/{number}.xml"
                await store.follows.subscribe(
                    guild_id=number, channel_id=number, feed_url=url, role_id=None, now=clock_now[0]
                )
            for label, bump in (("cold", False), ("304", False), ("new", True)):
                if bump:
                    generation.value += 1
                clock_now[0] += timedelta(minutes=20)
                start = time.perf_counter()
                report = await poller.run_cycle()
                elapsed = time.perf_counter() - start
                print(
                    f"poll cycle {label:<5} {elapsed * 1000:8.0f} ms   checked {report.checked}, "
                    f"unchanged {report.unchanged}, failed {report.failed}, stored {report.stored}, "
                    f"announced {report.delivered}"
                )
        print(f"store: {(await store.catalog.count())} episodes")
        await store.close()


def bench_poll() -> None:
    context = multiprocessing.get_context("spawn")
    ports_queue = context.Queue()
    generation = context.Value("i", 0)
    server = context.Process(target=_serve, args=(ports_queue, generation), daemon=True)
    server.start()
    try:
        ports = [ports_queue.get(timeout=30) for _ in range(PORTS)]
        print(f"poll: {FEEDS} feeds of {ITEMS} items on {PORTS} local ports, served by another process")
        asyncio.run(_run(ports, generation))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    bench_poll()
