"""Ingest on each engine: the bundled page, and a generated 500-episode feed (bench.feeds), each stored into a
new SQLite file and into a new PostgreSQL database, parsing excluded (it is the same for both).

Run: python -m bench.store_engines --pg postgresql://user@host:port/postgres
(the URL of a database to connect to for CREATE DATABASE; each run gets a database of its own, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import psycopg

from bench.feeds import cached_feed
from bot.bootstrap import bundled_page
from bot.ingest.detect import parse_source
from bot.models import ParsedSource
from bot.store import Store


async def _ingest_ms(location: str | Path, parsed: ParsedSource) -> float:
    async with await Store.open(location) as store:
        started = time.perf_counter()
        await store.catalog.ingest(parsed)
        return (time.perf_counter() - started) * 1e3


async def measure(admin_url: str, runs: int) -> None:
    sources = {
        "bundled page": parse_source(bundled_page()),
        "500-episode feed (15 MB)": parse_source(cached_feed()),
    }
    base = admin_url.rsplit("/", 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        for label, parsed in sources.items():
            sqlite_ms, pg_ms = [], []
            for run in range(runs):
                sqlite_ms.append(await _ingest_ms(Path(tmp) / f"{len(sqlite_ms)}-{run}.db", parsed))
                name = f"podbot_bench_{run}"
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}".encode())
                    admin.execute(f"CREATE DATABASE {name}".encode())
                try:
                    pg_ms.append(await _ingest_ms(f"{base}/{name}", parsed))
                finally:
                    with psycopg.connect(admin_url, autocommit=True) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {name}".encode())
            s, p = statistics.median(sqlite_ms), statistics.median(pg_ms)
            print(f"{label}, {len(parsed.episodes)} episodes, {runs} runs, each into a new store:")
            print(f"  sqlite      median {s:8.1f} ms   max {max(sqlite_ms):8.1f} ms")
            print(f"  postgresql  median {p:8.1f} ms   max {max(pg_ms):8.1f} ms   ({p / s:.2f}x sqlite)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", required=True, help="a PostgreSQL URL to create the bench databases from")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(measure(args.pg, args.runs))


if __name__ == "__main__":
    main()
