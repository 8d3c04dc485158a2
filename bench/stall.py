"""How long the bot's event loop stalls while a poll reads and stores a big feed: `python -m bench.stall`.

The 15 MB bench feed (bench.feeds: 500 episodes whose show notes hold a transcript, 39k segments) is
served by another process on 127.0.0.1, its chapter and transcript files answered 404 there. One
subscription, one poll cycle of the real Poller (fetch, parse in a thread, store, record) into a new
store, while a ticker on the same loop asks to wake every millisecond: each wake's lateness is how long
something else held the loop (or the GIL). Prints the poll's time and the lateness's p50 / p99 / max,
on SQLite, and on PostgreSQL with --pg URL (a database to CREATE DATABASE from).

Each engine's poll is measured twice: the first in a process that has not polled yet (it pays for the
parsers' imports), and again into another new store. The interpreter is first tuned as `podbot run`
tunes it after its set-up (bot.interpreter: start-up objects frozen, a 1 ms GIL switch interval);
--untuned measures CPython's defaults. Measured with gc.callbacks around each poll: untuned, every poll
of this feed set off one or two full garbage collections of 40-120 ms, and the max lateness was the
longest of them. The p99 is the worker threads' share of the GIL.

Run: python -m bench.stall [--pg postgresql://postgres@127.0.0.1:55432/postgres] [--untuned]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from aiohttp import web

from bench.feeds import cached_feed
from bot.feeds.announce import Announcement, PostResult
from bot.feeds.files import FileReader
from bot.feeds.poller import Poller, PollerConfig
from bot.interpreter import tune_for_serving
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy
from bot.store import Store

TICK_S = 0.001


def _serve(ports: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def main() -> None:
        # The port is known only once the server listens: the feed names it for its files.
        body: list[bytes] = []

        async def feed(request: web.Request) -> web.Response:
            return web.Response(body=body[0], headers={"Content-Type": "application/rss+xml"})

        app = web.Application()
        app.router.add_get("/feed.xml", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        body.append(cached_feed().replace(b"https://bench.example/", f"http://127.0.0.1:{port}/".encode()))
        ports.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


@dataclass
class SilentAnnouncer:
    async def announce(self, announcement: Announcement) -> PostResult:
        return PostResult.sent(None)

    async def warn(self, channel_id: int, text: str) -> PostResult:
        return PostResult.sent(None)


async def _ticker(lateness: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        asked = loop.time()
        await asyncio.sleep(TICK_S)
        lateness.append((loop.time() - asked - TICK_S) * 1000)


async def _poll_once(location: str | Path, url: str) -> tuple[float, list[float], int]:
    async with await Store.open(location) as store:
        now = datetime(2025, 1, 1, tzinfo=UTC)
        await store.follows.subscribe(guild_id=1, channel_id=1, feed_url=url, role_id=None, now=now)
        async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
            poller = Poller(
                store, fetcher, FileReader(fetcher), SilentAnnouncer(), PollerConfig(), clock=lambda: now
            )
            lateness: list[float] = []
            stop = asyncio.Event()
            ticker = asyncio.create_task(_ticker(lateness, stop))
            started = time.perf_counter()
            report = await poller.run_cycle()
            elapsed = time.perf_counter() - started
            stop.set()
            await ticker
        return elapsed, lateness, report.stored


def _print(label: str, elapsed: float, lateness: list[float], stored: int) -> None:
    ordered = sorted(lateness)
    p99 = ordered[int(len(ordered) * 0.99)]
    print(
        f"{label:<16} poll {elapsed:6.2f} s, {stored} episodes stored; loop lateness over {len(ordered)} ticks:"
        f" p50 {statistics.median(ordered):5.2f} ms, p99 {p99:6.2f} ms, max {ordered[-1]:6.2f} ms"
    )


async def _measure(url: str, admin_url: str | None) -> None:
    for run in ("first", "again"):
        with tempfile.TemporaryDirectory() as tmp:
            _print(f"sqlite {run}", *await _poll_once(Path(tmp) / "stall.db", url))
    if admin_url:
        name = "podbot_bench_stall"
        for run in ("first", "again"):
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name}".encode())
                admin.execute(f"CREATE DATABASE {name}".encode())
            try:
                _print(f"postgresql {run}", *await _poll_once(f"{admin_url.rsplit('/', 1)[0]}/{name}", url))
            finally:
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}".encode())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", help="a PostgreSQL URL to create the bench database from")
    parser.add_argument(
        "--untuned", action="store_true", help="CPython's defaults, not bot.interpreter's settings"
    )
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    server = context.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=60)
        if not args.untuned:
            tune_for_serving()
        asyncio.run(_measure(f"http://127.0.0.1:{port}/feed.xml", args.pg))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
