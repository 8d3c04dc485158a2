"""The several-shows targets (issue 11), on the 1,000 × 200-episode catalogue of bench/shows.py, through
the search the bot uses (lookups in a process of their own):

- autocomplete within one show: p95;
- lookups in other shows while one show is re-ingested again and again, by this process and by another: p99
  and worst;
- a newly added 500-episode show: from the end of its ingest until a lookup finds it, with the refresh the
  bot makes after an ingest, and without it (the lookups noticing the change by themselves);
- memory of the processes (this one, holding the store and quote threads, and the lookup process);
- intended episode first within one 2,000-episode show (typos and partial titles, 40 of each).

    python -m bench.scoped              # the whole set (builds the catalogues on first use)
    python -m bench.scoped --quick      # 100 shows × 200, for a quick look
    python -m bench.scoped --untuned    # without bot.interpreter's settings, which `podbot run` makes

The interpreter is tuned as `podbot run` tunes it after its set-up (bot.interpreter): start-up objects
frozen out of the garbage collector's walks, a 1 ms GIL switch interval.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.search import LookupQuery, lookup_queries, pct
from bench.shows import ShowsSpec, build, show_source
from bot.interpreter import tune_for_serving
from bot.scope import Scope
from bot.search import Search
from bot.search.build import build_index
from bot.search.index import EpisodeIndex
from bot.store import Store
from bot.store.index_reads import LookupReader, connect_reader
from bot.text import fold


def rss_mib(pid: int) -> float:
    """Resident memory now (VmRSS), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ms(times: list[float]) -> list[float]:
    return sorted(t * 1000 for t in times)


def summary(name: str, times: list[float]) -> str:
    s = ms(times)
    return f"{name}: n={len(s)} p50 {pct(s, 50):.2f} ms, p95 {pct(s, 95):.2f} ms, p99 {pct(s, 99):.2f} ms, max {s[-1]:.2f} ms"


async def timed(call: object) -> float:
    start = time.perf_counter()
    await call  # type: ignore[misc]
    return time.perf_counter() - start


async def measure_catalogue(spec: ShowsSpec, path: Path, samples: int, *, tuned: bool) -> None:
    rng = random.Random(3)
    async with await Store.open(path) as store:
        if tuned:
            tune_for_serving()
        shows = await store.shows.all()
        titles: dict[int, list[str]] = {}
        for show in rng.sample(shows, min(200, len(shows))):
            listed = await store.catalog.episodes(scope=Scope.of(show.id), limit=50)
            titles[show.id] = [s.episode.title for s in listed]
        search = Search(store, isolated=True)
        start = time.perf_counter()
        await search.refresh()
        print(f"index build, {len(shows)} shows: {time.perf_counter() - start:.1f} s (off the event loop)")
        await asyncio.sleep(2.0)  # the indexes' typo parts are made right after the first answer
        pid = search._lookups.pid  # type: ignore[attr-defined]
        import os

        here, there = rss_mib(os.getpid()), rss_mib(pid) if pid else 0.0
        print(
            f"memory: this process {here:.0f} MiB + lookup process {there:.0f} MiB = {here + there:.0f} MiB"
        )

        picks = list(titles.items())
        typed = []
        for _ in range(samples):
            show_id, names = rng.choice(picks)
            title = rng.choice(names)
            typed.append((show_id, title[: rng.randint(2, 10)]))
        for show_id, text in typed[:20]:  # warm-up
            await search.suggest_episodes(text, scope=Scope.of(show_id))
        times = [await timed(search.suggest_episodes(t, scope=Scope.of(s))) for s, t in typed]
        print(summary("autocomplete within one show (2-10 typed characters)", times))
        lookups = [(s, " ".join(rng.choice(titles[s]).split()[:3])) for s, _ in typed]
        times = [await timed(search.episodes(t, scope=Scope.of(s))) for s, t in lookups]
        print(summary("episode lookup within one show, at rest", times))

        # One show re-ingested over and over (a feed whose every item changed), lookups elsewhere meanwhile.
        victim = shows[0]
        source = show_source(spec, 0)
        stop = asyncio.Event()
        rounds = 0

        async def churn() -> None:
            nonlocal rounds
            while not stop.is_set():
                changed = dataclasses.replace(
                    source,
                    episodes=tuple(
                        dataclasses.replace(e, title=f"{e.title} (take {rounds})") for e in source.episodes
                    ),
                )
                await store.catalog.ingest(changed)
                await search.refresh()
                rounds += 1

        task = asyncio.create_task(churn())
        others = [(s, t) for s, t in lookups if s != victim.id]
        times = []
        deadline = time.perf_counter() + 20
        i = 0
        while time.perf_counter() < deadline:
            s, t = others[i % len(others)]
            times.append(await timed(search.episodes(t, scope=Scope.of(s))))
            s, t = typed[i % len(typed)]
            if s != victim.id:
                times.append(await timed(search.suggest_episodes(t, scope=Scope.of(s))))
            i += 1
        stop.set()
        await task
        print(summary(f"lookups in other shows while one show was re-ingested {rounds} times", times))

        # The same churn from another process (`podbot ingest` while the bot runs): the lookups notice the
        # change by themselves. Set beside the numbers above, it says whose CPU work the lookups wait for.
        churner = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.scoped", "--churn", str(path), "--spec-shows", str(spec.shows)
        )
        await asyncio.sleep(1.0)  # its imports and first ingest
        times = []
        deadline = time.perf_counter() + 20
        i = 0
        while time.perf_counter() < deadline:
            s, t = others[i % len(others)]
            times.append(await timed(search.episodes(t, scope=Scope.of(s))))
            s, t = typed[i % len(typed)]
            if s != victim.id:
                times.append(await timed(search.suggest_episodes(t, scope=Scope.of(s))))
            i += 1
        churner.terminate()
        await churner.wait()
        print(summary("lookups in other shows while another process re-ingested one show", times))

        # A new 500-episode show: findable how long after its ingest finished?
        for explicit in (True, False):
            n = spec.shows + (1 if explicit else 2)
            new = show_source(spec, n, episodes=500)
            probe = new.episodes[7].title
            report = await store.catalog.ingest(new)
            done = time.perf_counter()
            if explicit:
                await search.refresh()
            scope = Scope.of(report.show_id)
            while True:
                found = await search.episodes(probe, scope=scope, limit=1)
                if found and found[0].title == probe:
                    break
                await asyncio.sleep(0.01)
            how = "refresh() after the ingest, as the bot does" if explicit else "noticed by the lookups"
            print(
                f"new 500-episode show findable {time.perf_counter() - done:.3f} s after its ingest ({how})"
            )
        here, there = rss_mib(os.getpid()), rss_mib(pid) if pid else 0.0
        print(
            f"memory after: this process {here:.0f} MiB + lookup process {there:.0f} MiB = {here + there:.0f} MiB"
        )
        await search.close()


async def churn_forever(spec: ShowsSpec, path: Path) -> None:
    """Re-ingest show 0 with every title changed, round after round, until killed."""
    source = show_source(spec, 0)
    async with await Store.open(path) as store:
        for rounds in itertools.count(1000):
            changed = dataclasses.replace(
                source,
                episodes=tuple(
                    dataclasses.replace(e, title=f"{e.title} (take {rounds})") for e in source.episodes
                ),
            )
            await store.catalog.ingest(changed)


def _starts_another(index: EpisodeIndex, query: LookupQuery) -> bool:
    """Whether the query's text starts a word of another episode's title or guests."""
    return any(
        word.startswith(query.text)
        for e in index.episodes
        if e.id != query.episode_id
        for word in fold(" ".join((e.title, *e.guests))).split()
    )


async def measure_one_big_show(path: Path) -> None:
    conn = connect_reader(path)
    try:
        reader = LookupReader(conn)
        with reader.snapshot():
            [show] = reader.show_generations()
            index = build_index(reader.index_rows(show))
    finally:
        conn.close()
    queries = [q for q in lookup_queries(index, 400) if q.kind in ("typo", "partial")]
    by_kind: dict[str, list[object]] = {"typo": [], "partial": []}
    for q in queries:
        if len(by_kind[q.kind]) < 40:
            by_kind[q.kind].append(q)
    async with await Store.open(path) as store:
        search = Search(store, isolated=True)
        scope = Scope.of(show.show_id)
        for kind, chosen in by_kind.items():
            hits = 0
            # A query cut short can be the start of another episode's word as well ("rowe": "Rowet", and
            # "Rowe" whole in another title): the typed text does not say which is meant. Counted apart,
            # so that a miss of a query naming one episode only is seen for what it is.
            shared = unshared_hits = 0
            for q in chosen:
                found = await search.episodes(q.text, scope=scope, limit=1)  # type: ignore[attr-defined]
                hit = bool(found) and found[0].episode_id == q.episode_id  # type: ignore[attr-defined]
                hits += hit
                if kind == "partial" and _starts_another(index, q):  # type: ignore[arg-type]
                    shared += 1
                else:
                    unshared_hits += hit
            line = f"intended episode first within a 2,000-episode show, {kind}: {hits}/{len(chosen)}"
            if kind == "partial":
                line += f" ({shared} also start another episode's word; the rest: {unshared_hits}/{len(chosen) - shared})"
            print(line)
        await search.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scoped", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 shows instead of 1,000")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument(
        "--untuned", action="store_true", help="CPython's defaults, not bot.interpreter's settings"
    )
    # Internal: the other process of the churn measurement.
    parser.add_argument("--churn", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spec-shows", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.churn:
        asyncio.run(churn_forever(ShowsSpec(shows=args.spec_shows), args.churn))
        return
    spec = ShowsSpec(shows=100) if args.quick else ShowsSpec()
    # build() runs its own event loop (generating, or upgrading a cached store in place): before ours.
    cached = build(spec)
    # On a copy: the churn retitles a show and the findability step adds two, which would leave every
    # later run a different catalogue, and its "new" shows already stored.
    with tempfile.TemporaryDirectory(dir=cached.parent) as scratch:
        copy = Path(scratch) / cached.name
        shutil.copyfile(cached, copy)
        asyncio.run(measure_catalogue(spec, copy, args.samples, tuned=not args.untuned))
    asyncio.run(measure_one_big_show(build(ShowsSpec(shows=1, episodes=2000, seed=7))))


if __name__ == "__main__":
    main()
