"""`podbot episodes` on a 10k-episode store: `python -m bench.listing`.

The store is the 15 MB bench feed's 500 episodes (bench/feeds.py, about 78 segments each) ingested as 20
shows, 10,000 episodes and 785k segments, built once through the real ingest path and cached in
bench/.cache/ (about 2.5 minutes and 1 GB the first time). Each command runs as a user runs it, a fresh
`python -m bot` process, and the median of several runs is printed (the machine is shared: wall times
swing; the CPU time of the child is the steadier number).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.feeds import CACHE, cached_feed
from bot.ingest.feed import parse_feed
from bot.store import Store

SHOWS = 20


async def _build(path: Path) -> None:
    parsed = parse_feed(cached_feed())
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    store = await Store.open(partial)
    for n in range(SHOWS):
        show = replace(parsed.show, key=f"bench-show-{n}", title=f"{parsed.show.title} {n}")
        episodes = tuple(replace(e, guid=f"{e.guid}-{n}", title=f"{e.title} ({n})") for e in parsed.episodes)
        await store.catalog.ingest(replace(parsed, show=show, episodes=episodes))
        print(f"  built show {n + 1}/{SHOWS}", flush=True)
    await store.close()
    partial.rename(path)


def cached_store() -> Path:
    path = CACHE / "listing-10k.db"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        asyncio.run(_build(path))
    return path


def _time(args: list[str], runs: int) -> tuple[float, float]:
    """(median wall s, median child CPU s) of `python -m bot ARGS`, output discarded."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", *args], stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = cached_store()
    print(f"store: {path} ({os.path.getsize(path) / 2**20:.0f} MiB)")
    # The first command after an upgrade migrates the store (a cached store from an older podbot).
    for label, command in (
        ("episodes (all 10k)", ["episodes"]),
        ("episodes --json (all 10k)", ["episodes", "--json"]),
        ("episodes --limit 50", ["episodes", "--limit", "50"]),
        ("episodes --limit 50 --offset 9000", ["episodes", "--limit", "50", "--offset", "9000"]),
    ):
        wall, cpu = _time(["--db", str(path), *command], args.runs)
        print(f"{label:<36} median wall {wall:6.2f} s   CPU {cpu:6.2f} s   ({args.runs} runs)")


if __name__ == "__main__":
    main()
