"""Feed benchmarks, run by hand: `python -m bench.feeds` (add `--poll` for the poll cycle over 1,000 feeds).

Parse: a generated 15 MB RSS feed of 500 episodes whose show notes carry a chapter list and a whole
transcript in HTML, as Latent Space's feed does; prints the median of repeated parses, wall and CPU (on a
shared machine the process's CPU time is the steadier of the two).

Stall (`--stall`): how late an event loop's 1 ms timer fires while the poller's two worker-thread steps
run on that feed (read + hash, then every item's notes), against the same loop idle. A worker thread
holds the GIL while it runs Python or a C call that keeps it (lxml's parse of the whole feed, a regex
over megabytes), and the loop waits for it: the number that matters is the max.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.ingest.feed import parse_feed, read_feed

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

CACHE = Path(__file__).parent / ".cache"
WORDS = [
    "model",
    "agent",
    "latency",
    "token",
    "context",
    "window",
    "inference",
    "eval",
    "benchmark",
    "retrieval",
    "vector",
    "embedding",
    "prompt",
    "fine-tune",
    "GPU",
    "cluster",
    "open",
    "source",
    "weights",
    "scaling",
    "law",
    "data",
    "quality",
    "product",
    "user",
    "engineer",
    "research",
    "paper",
    "startup",
    "compute",
    "memory",
    "reasoning",
    "tool",
    "call",
]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 22))).capitalize() + "."


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _item(rng: random.Random, number: int, notes_bytes: int) -> str:
    speakers = ["Alessio", "swyx", f"Guest{number}"]
    paragraphs = [f"<p>{_sentence(rng)} {_sentence(rng)}</p>"]
    paragraphs.append("<p><strong>Chapters</strong></p>")
    paragraphs.extend(f"<p>{_clock(i * 300)} {_sentence(rng)[:60]}</p>" for i in range(15))
    paragraphs.append("<p><strong>Transcript</strong></p>")
    size = sum(map(len, paragraphs))
    second = 0
    while size < notes_bytes:
        turn = f"<p>{rng.choice(speakers)} [{_clock(second)}]: {_sentence(rng)} {_sentence(rng)} {_sentence(rng)}</p>"
        paragraphs.append(turn)
        size += len(turn)
        second += rng.randint(5, 40)
    day = 1 + number % 28
    return f"""<item>
<title><![CDATA[Episode {number}: {_sentence(rng)[:70]}]]></title>
<guid isPermaLink="false">bench-{number}</guid>
<link>https://bench.example/p/{number}</link>
<pubDate>Mon, {day:02d} Jan 2024 10:00:00 GMT</pubDate>
<enclosure url="https://bench.example/audio/{number}.mp3" length="1" type="audio/mpeg"/>
<itunes:duration>{second}</itunes:duration>
<podcast:person role="guest">Guest{number}</podcast:person>
<podcast:chapters url="https://bench.example/{number}/chapters.json" type="application/json+chapters"/>
<podcast:transcript url="https://bench.example/{number}/t.vtt" type="text/vtt"/>
<description><![CDATA[{_sentence(rng)}]]></description>
<content:encoded><![CDATA[{"".join(paragraphs)}]]></content:encoded>
</item>"""


def generate_feed(items: int = 500, total_bytes: int = 15_000_000, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    notes_bytes = total_bytes // items - 900
    body = "\n".join(_item(rng, n, notes_bytes) for n in range(items, 0, -1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Bench Space</title><link>https://bench.example/</link>
<description>Generated for benchmarks.</description>
<podcast:person role="host">Alessio</podcast:person><podcast:person role="host">swyx</podcast:person>
{body}
</channel></rss>
""".encode()


def cached_feed() -> bytes:
    path = CACHE / "feed-15mb.xml"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        path.write_bytes(generate_feed())
    return path.read_bytes()


def _median_ms(work: object, repeats: int) -> tuple[float, float, float]:
    """(median wall ms, fastest wall ms, median CPU ms) of `repeats` runs."""
    timings = []
    cpu = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(timings) * 1000, min(timings) * 1000, statistics.median(cpu) * 1000


def bench_parse(repeats: int) -> None:
    raw = cached_feed()
    parsed = parse_feed(raw)  # warm-up: imports, regex compilation
    episodes = parsed.episodes
    notes = sum(len(item.markup) for item in read_feed(raw).items)
    print(
        f"feed: {len(raw) / 1e6:.1f} MB, {len(episodes)} episodes, {notes / 1e6:.1f} MB of HTML show notes, "
        f"{sum(len(e.segments) for e in episodes)} segments, {sum(len(e.chapters) for e in episodes)} chapters"
    )

    def poll_read() -> None:
        # What every poll of a changed feed does: read all items and fingerprint them.
        for item in read_feed(raw).items:
            _ = item.fingerprint

    for label, work in (
        ("read + fingerprint (each poll)", poll_read),
        ("full parse, every item's notes", lambda: parse_feed(raw)),
    ):
        median, fastest, cpu = _median_ms(work, repeats)
        print(
            f"{label:<32} median {median:7.1f} ms   min {fastest:7.1f} ms   CPU median {cpu:7.1f} ms"
            f"   ({repeats} runs)"
        )


async def _lateness(busy: Callable[[], Awaitable[object]] | None, seconds: float) -> list[float]:
    """How late (ms) each 1 ms sleep of the loop wakes, while `busy` runs (or for `seconds` when None)."""
    late: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            late.append((time.perf_counter() - start - 0.001) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    if busy is None:
        await asyncio.sleep(seconds)
    else:
        await busy()
    done.set()
    await task
    return late


def bench_stall(repeats: int) -> None:
    raw = cached_feed()
    parse_feed(raw)  # warm-up

    async def poll_parse() -> None:
        # What Poller.poll_feed does with a changed feed: read + hash in a thread, then complete the items.
        def read() -> object:
            hashlib.sha256(raw).hexdigest()
            return read_feed(raw, feed_url="https://bench.example/feed.xml")

        document = await asyncio.to_thread(read)
        await asyncio.to_thread(lambda: [document.complete(item) for item in document.items])  # type: ignore[attr-defined]

    async def measure() -> None:
        idle = await _lateness(None, 2.0)
        busy: list[float] = []
        started = time.perf_counter()
        for _ in range(repeats):
            busy.extend(await _lateness(poll_parse, 0))
        elapsed = time.perf_counter() - started
        for label, values in (("idle loop", idle), (f"poll parse x{repeats} ({elapsed:.1f} s)", busy)):
            ordered = sorted(values)
            p99 = ordered[int(len(ordered) * 0.99)]
            print(
                f"loop stall, {label:<26} n {len(values):5d}   p50 {statistics.median(values):6.2f} ms"
                f"   p99 {p99:6.2f} ms   max {ordered[-1]:6.2f} ms"
            )

    asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--poll", action="store_true", help="also time a poll cycle over 1,000 local feeds")
    parser.add_argument(
        "--stall", action="store_true", help="also measure the loop's stalls while a poll parses"
    )
    args = parser.parse_args()
    bench_parse(args.repeats)
    if args.stall:
        bench_stall(max(1, args.repeats // 5))
    if args.poll:
        from bench.poll import bench_poll

        bench_poll()


if __name__ == "__main__":
    main()
