"""How long ingesting the bundled page takes: parse it, then store it into a new SQLite file.

Run: python -m bench.ingest_page
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.bootstrap import bundled_page
from bot.ingest.detect import parse_source
from bot.store import Store

RUNS = 10


async def measure() -> None:
    raw = bundled_page()
    parse_ms: list[float] = []
    store_ms: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(RUNS):
            started = time.perf_counter()
            parsed = parse_source(raw)
            parsed_at = time.perf_counter()
            async with await Store.open(Path(tmp) / f"run{run}.db") as store:
                stored_from = time.perf_counter()
                await store.catalog.ingest(parsed)
                stored_at = time.perf_counter()
            parse_ms.append((parsed_at - started) * 1e3)
            store_ms.append((stored_at - stored_from) * 1e3)
    total_ms = [p + s for p, s in zip(parse_ms, store_ms, strict=True)]
    print(f"bundled page ({len(raw) / 1024:.0f} KiB), {RUNS} runs, each into a new store:")
    for name, values in (("parse", parse_ms), ("store", store_ms), ("total", total_ms)):
        print(f"  {name:<6} median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms")


if __name__ == "__main__":
    asyncio.run(measure())
