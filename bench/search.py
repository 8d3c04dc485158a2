"""Search benchmarks on synthetic stores: latency percentiles against naive baselines, event-loop stalls,
quote search at 50M words, cold start, store size and peak memory. Run: `python -m bench` (README).

Wall-clock numbers, printed as a table; nothing here is asserted (tests check correctness, not speed).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bench.generate import Spec, build
from bot.interpreter import prefer_the_event_loop
from bot.scope import Scope
from bot.search import Search
from bot.search.build import build_index
from bot.search.quotes import COMMON
from bot.store import Store
from bot.store.index_reads import LookupReader, connect_reader
from bot.text import fold

if TYPE_CHECKING:
    from bot.search.index import EpisodeIndex

# The bench's store is one catalogue: every question is asked of all of it.
EVERYWHERE = Scope.everything()

# How long the bench waits after a refresh before measuring lookups (see bench_lookup).
SETTLE_S = 2.0
# One round of the idle stall probe: about as long as a round of 20 lookups.
IDLE_S = 0.08
FULL = {"small": Spec(10_000, 50_000_000), "large": Spec(100_000, 10_000_000)}
QUICK = {"small": Spec(2_000, 1_000_000), "large": Spec(10_000, 2_000_000)}


@dataclass
class Row:
    what: str
    store: str
    n: int
    p50: float
    p95: float
    p99: float
    max: float
    baseline: str = ""
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, what: str, store: str, times: Sequence[float], baseline: str = "", note: str = "") -> Row:
        ms = sorted(t * 1000 for t in times)
        row = Row(what, store, len(ms), pct(ms, 50), pct(ms, 95), pct(ms, 99), ms[-1], baseline, note)
        self.rows.append(row)
        print(
            f"  {what:<34} {store:<6} p50 {row.p50:7.2f}  p95 {row.p95:7.2f}  max {row.max:7.2f} ms  {note}",
            flush=True,
        )
        return row

    def fact(self, name: str, value: str) -> None:
        self.facts.append((name, value))
        print(f"  {name}: {value}", flush=True)

    def table(self) -> str:
        head = f"| {'measure':<36} | {'store':<6} | {'n':>4} | {'p50 ms':>8} | {'p95 ms':>8} | {'p99 ms':>8} | {'max ms':>8} | baseline (same queries) | notes |"
        lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
        for r in self.rows:
            lines.append(
                f"| {r.what:<36} | {r.store:<6} | {r.n:>4} | {r.p50:8.2f} | {r.p95:8.2f} | {r.p99:8.2f} | {r.max:8.2f} | {r.baseline} | {r.note} |"
            )
        lines.append("")
        lines.extend(f"- {name}: {value}" for name, value in self.facts)
        return "\n".join(lines)


def pct(sorted_ms: Sequence[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = (len(sorted_ms) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (k - lo)


async def timed(fn: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    start = time.perf_counter()
    result = await fn()
    return time.perf_counter() - start, result


# --- queries ------------------------------------------------------------------------------------------------


def _swap(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@dataclass(frozen=True)
class LookupQuery:
    kind: str
    text: str
    episode_id: int  # the episode the query was made from: the one a listener means
    title_query: bool  # whether the words come from the title (a title-only baseline can find it)


def bench_index(path: Path) -> EpisodeIndex:
    """The lookup index of a store, built in this process: the bench makes its queries from it (the
    search itself may keep its index in another process)."""
    conn = connect_reader(path)
    try:
        reader = LookupReader(conn)
        with reader.snapshot():
            # The generated stores hold one show (bench.generate); bench.shows measures many.
            show = max(reader.show_generations(), key=lambda s: s.show_id)
            return build_index(reader.index_rows(show))
    finally:
        conn.close()


def lookup_queries(index: EpisodeIndex, n: int, seed: int = 7) -> list[LookupQuery]:
    """Queries a listener would type, each made from one episode and naming it unambiguously (a store of
    100k made-up episodes repeats every topic word and guest name, so the query must carry the episode's
    own word, as "bolt" or "windsurf" do): title words around that word, that word misspelt or cut short,
    the guest's name in the other order where the guest was on that one episode only."""
    rng = random.Random(seed)
    postings = index.title_postings
    queries: list[LookupQuery] = []
    kinds = ["words", "typo", "partial", "fragment", "guest"]
    while len(queries) < n:
        ep = index.episodes[rng.randrange(len(index.episodes))]
        words = fold(ep.title).split()
        own = [w for w in words if len(w) >= 5 and not w.isdigit() and len(postings.get(w)) == 1]
        if not own:
            continue
        brand = own[0]
        kind = kinds[len(queries) % len(kinds)]
        others = [w for w in words if w != brand and len(w) > 3]
        if kind == "words" and others:
            picked = [brand, *rng.sample(others, min(2, len(others)))]
            rng.shuffle(picked)
            text, title_query = " ".join(picked), True
        elif kind == "typo":
            text, title_query = _swap(brand, rng), True
        elif kind == "partial":
            text, title_query = brand[: max(4, len(brand) - 2)], True
        elif kind == "fragment":
            at = words.index(brand)
            lo = max(0, at - rng.randint(1, 3))
            text, title_query = " ".join(words[lo : lo + 4]), True
        else:
            if not ep.guests:
                continue
            first, *rest = ep.guests[0].split()
            # Synthetic names repeat across episodes: any episode with this guest is the one meant.
            text, title_query = " ".join([*rest, first]).lower(), False
        queries.append(LookupQuery(kind, text, ep.id, title_query))
    return queries


def autocomplete_inputs(index: EpisodeIndex, n: int, seed: int = 11) -> list[str]:
    """What is in the box while someone types a title: 2 to 10 characters of it."""
    rng = random.Random(seed)
    return [index.episodes[rng.randrange(len(index.episodes))].title[: rng.randint(2, 10)] for _ in range(n)]


# --- episode lookup -----------------------------------------------------------------------------------------


async def bench_lookup(
    report: Report, label: str, path: Path, n: int, baseline_n: int, *, isolated: bool
) -> None:
    where = "own process (bot)" if isolated else "thread (CLI)"
    print(f"lookup on {label} ({path.name}), {where}", flush=True)
    index = bench_index(path)
    # The bench's own copy of the index is millions of objects that the bot's process never holds: out of
    # the collector's way, so that no collection of them lands in a measured lookup.
    gc.collect()
    gc.freeze()
    async with await Store.open(path) as store:
        search = Search(store, isolated=isolated)
        refresh, _ = await timed(search.refresh)
        # The index answers at once; its typo and substring parts are made right after. Measure after.
        await asyncio.sleep(SETTLE_S)
        report.fact(
            f"index build ({label}, {len(index.episodes)} episodes, {len(index.people)} people, {where})",
            f"{refresh:.2f} s (off the event loop)",
        )
        queries = lookup_queries(index, n)
        typed = autocomplete_inputs(index, n)
        for q in queries[:20]:  # warm up caches and the worker threads
            await search.episodes(q.text, scope=EVERYWHERE)

        times, ours = [], []
        for q in queries:
            t, found = await timed(lambda q=q: search.episodes(q.text, limit=10, scope=EVERYWHERE))
            times.append(t)
            ours.append(found)

        def meant(q: LookupQuery, episode_id: int) -> bool:
            if q.kind != "guest":
                return episode_id == q.episode_id
            guest = index.episodes[index.by_id[q.episode_id]].guests[0]
            return guest in index.episodes[index.by_id[episode_id]].guests

        hit = sum(1 for q, f in zip(queries, ours, strict=True) if f and meant(q, f[0].episode_id))

        titles = [e.folded for e in index.episodes]
        base_times, same_top, base_hit, base_n, agree_right = [], 0, 0, 0, 0
        for q, found in list(zip(queries, ours, strict=True))[:baseline_n]:
            if not q.title_query:
                continue
            base_n += 1
            start = time.perf_counter()
            top = process.extract(fold(q.text), titles, scorer=fuzz.WRatio, limit=10)
            base_times.append(time.perf_counter() - start)
            best = top[0][1] if top else None
            # Ties at the best score are the same answer to a WRatio ranking; ours must be one of them.
            tied = {index.episodes[i].id for _, s, i in top if s == best}
            ours_top = found[0].episode_id if found else None
            same_top += ours_top in tied
            if top and index.episodes[top[0][2]].id == q.episode_id:
                base_hit += 1
                agree_right += ours_top == q.episode_id
        b = sorted(t * 1000 for t in base_times)
        ratio = pct(b, 50) / pct(sorted(t * 1000 for t in times), 50)
        report.add(
            f"episode lookup, {where}",
            label,
            times,
            baseline=f"extract(WRatio) p50 {pct(b, 50):.1f} / p95 {pct(b, 95):.1f} ms ({ratio:.0f}x slower)",
            note=(
                f"intended episode first: ours {hit}/{len(queries)}; on the {base_n} title queries WRatio "
                f"gets {base_hit} right and ours has the same top on {agree_right} of those "
                f"({same_top}/{base_n} same top overall)"
            ),
        )
        per_kind = {}
        for q, f in zip(queries, ours, strict=True):
            ok, total = per_kind.get(q.kind, (0, 0))
            per_kind[q.kind] = (ok + bool(f and meant(q, f[0].episode_id)), total + 1)
        report.fact(
            f"intended episode first by kind ({label}, {where})",
            ", ".join(f"{k} {a}/{b}" for k, (a, b) in per_kind.items()),
        )

        times = []
        for text in typed:
            t, _ = await timed(lambda text=text: search.suggest_episodes(text, scope=EVERYWHERE))
            times.append(t)
        report.add(f"autocomplete, {where}", label, times, note="2–10 typed characters of a title")
        times = []
        for q in queries[: n // 2]:
            t, _ = await timed(lambda q=q: search.suggest_people(q.text[:5], scope=EVERYWHERE))
            times.append(t)
        report.add(f"people autocomplete, {where}", label, times)
        await search.close()


# --- event loop stalls --------------------------------------------------------------------------------------


async def _watch(stop: asyncio.Event, gaps: list[float], tick: float = 0.001) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(tick)
        now = time.perf_counter()
        gaps.append(now - last - tick)
        last = now


async def _stalls(
    queries: list[str], lookup: Callable[[str], Awaitable[object]], rounds: int
) -> tuple[list[float], float]:
    """The event loop's gaps (beyond its 1 ms tick) while `rounds` batches of 20 lookups run at once."""
    gaps: list[float] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(stop, gaps))
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    for r in range(rounds):
        await asyncio.gather(*(lookup(q) for q in queries[r * 20 : (r + 1) * 20]))
    elapsed = time.perf_counter() - start
    stop.set()
    await watcher
    return gaps, elapsed


async def bench_stall(report: Report, label: str, path: Path, rounds: int = 30) -> None:
    print(f"event loop stalls on {label}", flush=True)
    index = bench_index(path)
    queries = [q.text for q in lookup_queries(index, 20 * rounds, seed=99)]
    titles = [e.folded for e in index.episodes]
    del index
    # The bench's own objects (its copy of the index was millions) are not the search's: out of the
    # collector's way, so that the probe measures lookups, not a collection of the bench's leftovers.
    gc.collect()
    gc.freeze()
    # What the machine itself does to a loop that waits on nothing else, for as long as a probe below:
    # the floor of any stall.
    gaps, _ = await _stalls(queries, lambda q: asyncio.sleep(IDLE_S), rounds)
    report.add(
        "loop stall, idle (no lookups)", label, gaps, note=f"the machine's own noise, {rounds * IDLE_S:.1f} s"
    )
    async with await Store.open(path) as store:
        for isolated, note in ((True, "own process (bot)"), (False, "thread (CLI)")):
            search = Search(store, isolated=isolated)
            await search.refresh()
            await asyncio.sleep(SETTLE_S)
            for q in queries[:40]:  # warm up
                await search.episodes(q, scope=EVERYWHERE)
            gaps, elapsed = await _stalls(queries, search.episodes, rounds)
            report.add(
                f"loop stall, 20 lookups, {note}",
                label,
                gaps,
                note=f"{rounds} rounds of 20 in {elapsed:.2f} s, 5 ms switch interval; the number that matters is max",
            )
            if not isolated:
                default = sys.getswitchinterval()
                prefer_the_event_loop()
                gaps, elapsed = await _stalls(queries, search.episodes, rounds)
                sys.setswitchinterval(default)
                report.add(
                    f"loop stall, 20 lookups, {note}, prefer_the_event_loop()",
                    label,
                    gaps,
                    note=f"{rounds} rounds of 20 in {elapsed:.2f} s with a 1 ms switch interval",
                )
            await search.close()

    def naive(q: str) -> object:
        return process.extract(fold(q), titles, scorer=fuzz.WRatio, limit=10)

    # Each naive lookup takes ~0.5 s at 100k: one round of 20 shows the stall.
    gaps, elapsed = await _stalls(queries, lambda q: asyncio.to_thread(naive, q), 1)
    report.add(
        "loop stall, baseline extract in threads",
        label,
        gaps,
        note=f"1 round of 20 in {elapsed:.2f} s (extract holds the GIL)",
    )


# --- quotes -------------------------------------------------------------------------------------------------


def quote_queries(path: Path, n: int, seed: int = 5) -> tuple[list[str], list[str], list[str]]:
    """Rare words and 4–8-word phrases taken from real segments (specific), and the hard cases."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (max_id,) = conn.execute("SELECT max(id) FROM segments").fetchone()
    rare, phrases = [], []
    while len(rare) < n or len(phrases) < n:
        row = conn.execute("SELECT text FROM segments WHERE id = ?", (rng.randint(1, max_id),)).fetchone()
        if not row:
            continue
        words = fold(row[0]).split()
        if len(phrases) < n and len(words) > 8:
            k = rng.randint(4, 8)
            at = rng.randrange(len(words) - k)
            phrases.append(" ".join(words[at : at + k]))
        # A rare word: in at most 200 of the store's segments (Zipf's long tail, as names and jargon are).
        if len(rare) < n:
            for word in sorted(set(words), key=lambda w: (-len(w), w))[:3]:  # no hash-seed order
                docs = conn.execute("SELECT doc FROM segments_vocab WHERE term = ?", (word,)).fetchone()
                if docs and docs[0] <= 200 and word not in rare:
                    rare.append(word)
                    break
    conn.close()
    misspelt = [w[:3] + w[4:] for w in rare[:10]] + [_swap(w, rng) for w in rare[10:20]]
    hard = [
        "the",  # the most common word
        "and",
        "th",  # two-letter prefixes, as typed
        "wo",
        "of the",  # a phrase of the two commonest words
        '"of the"',
        "the and of to a in",
        "you know like",
        "I mean the thing is",
        "AND OR NOT NEAR(",
        "webcontaner",
        "modle",
        "x" * 1000,
        ("the model " * 100)[:1000],
        "don't",
        "$40,000",
        *misspelt,
    ]
    return rare, phrases, hard


async def bench_quotes(report: Report, label: str, path: Path, n: int, baseline_n: int) -> None:
    print(f"quotes on {label}", flush=True)
    rare, phrases, hard = quote_queries(path, n)
    async with await Store.open(path) as store:
        (words,) = await store.reader.fetch_one("SELECT count(*) FROM segments") or (0,)
        search = Search(store)
        for q in rare[:10]:
            await search.quotes(q, scope=EVERYWHERE)
        # Phrases split by whether any word is uncommon (under bot.search.quotes.COMMON segments): a phrase
        # of common words only must walk their long doclists.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

        def uncommon(word: str) -> bool:
            sql = "SELECT count(*) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? LIMIT ?)"
            return conn.execute(sql, (f'"{word}"', COMMON)).fetchone()[0] < COMMON

        with_rare = [p for p in phrases if any(uncommon(w) for w in p.split())]
        all_common = [p for p in phrases if p not in with_rare]
        conn.close()
        results = {}
        for name, queries in (
            ("rare word", rare),
            ("4–8-word phrase", phrases),
            ("  …with an uncommon word", with_rare),
            ("  …of common words only", all_common),
            ("hard (common, prefix, typo, long)", hard),
        ):
            times, found, exact = [], 0, 0
            for q in queries:
                t, hits = await timed(lambda q=q: search.quotes(q, limit=5, scope=EVERYWHERE))
                times.append(t)
                found += bool(hits)
                exact += bool(hits) and hits[0].exact  # type: ignore[index,attr-defined]
            results[name] = (times, found, exact)
        slowest = max(zip(results["hard (common, prefix, typo, long)"][0], hard, strict=True))
        await search.close()

    # Baseline: a plain substring scan over the same segment text.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    base = []
    for q in rare[: baseline_n // 2] + phrases[: baseline_n // 2]:
        # Every segment containing the text (what ranking them needs), by scanning all of it.
        start = time.perf_counter()
        conn.execute("SELECT id FROM segments WHERE instr(lower(text), ?) > 0", (q,)).fetchall()
        base.append(time.perf_counter() - start)
    conn.close()
    b = sorted(t * 1000 for t in base)
    for name, (times, found, exact) in results.items():
        if not times:
            continue  # a small store may have no phrase made only of common words
        report.add(
            f"quote search: {name}",
            label,
            times,
            baseline=f"substring scan p50 {pct(b, 50):.0f} ms"
            if name != "hard (common, prefix, typo, long)"
            else "",
            note=f"{found}/{len(times)} found"
            + (f"; slowest {slowest[1][:20]!r}" if name.startswith("hard") else "")
            + ("" if name.startswith("hard") else f"; the words as typed first {exact}/{len(times)}"),
        )
    report.fact(f"segments in {label}", f"{words:,} (about {path_words(path):,} transcript words)")


def path_words(path: Path) -> int:
    return int(path.name.split("ep-")[1].split("w-")[0])


# --- cold start and memory ----------------------------------------------------------------------------------

COLD = """
import asyncio, json, resource, sys, time
t0 = time.perf_counter()
from bot.search import Search
from bot.search.quotes import COMMON
from bot.store import Store
t_import = time.perf_counter() - t0
def hwm(pid="self"):
    # VmHWM: a process's own peak resident memory (ru_maxrss would include the forking parent's peak).
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
async def main():
    t1 = time.perf_counter()
    store = await Store.open(sys.argv[1])
    search = Search(store, isolated=sys.argv[3] == "isolated")
    found = await search.episodes(sys.argv[2], scope=EVERYWHERE)
    t_first = time.perf_counter() - t1
    quotes = await search.quotes("the model", scope=EVERYWHERE)
    pid = getattr(search._lookups, "pid", None)
    child = hwm(pid) if pid else 0.0
    await search.close(); await store.close()
    return t_first, len(found), len(quotes), child
t_first, n, q, child = asyncio.run(main())
print(json.dumps({"import": t_import, "first": t_first, "found": n, "rss_mb": hwm(), "child_mb": child}))
"""


def bench_cold(report: Report, label: str, path: Path, runs: int = 5) -> None:
    print(f"cold start on {label}", flush=True)
    for mode, where in (("thread", "thread (CLI)"), ("isolated", "own process (bot)")):
        firsts, out = [], {}
        for _ in range(runs):
            proc = subprocess.run(
                [sys.executable, "-c", COLD, str(path), "data engineering", mode],
                capture_output=True,
                text=True,
                check=True,
            )
            out = json.loads(proc.stdout)
            firsts.append(out["first"])
        report.add(
            f"cold start: open store -> first answer, {where}",
            label,
            firsts,
            note=f"imports {out['import'] * 1000:.0f} ms more",
        )
        memory = f"{out['rss_mb']:.0f} MB (VmHWM)"
        if out["child_mb"]:
            memory += f" + lookup process {out['child_mb']:.0f} MB"
        report.fact(
            f"peak memory ({label}, {where}: fresh process, open + index + a lookup + a quote search)", memory
        )
    size = path.stat().st_size
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sizes = (
        dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
        if _has_dbstat(conn)
        else {}
    )
    conn.close()
    fts = sum(v for k, v in sizes.items() if "_fts" in k)
    pairs = sum(v for k, v in sizes.items() if k.startswith("segment_pairs"))
    report.fact(
        f"store size ({label})",
        f"{size / 2**20:.0f} MiB"
        + (
            f", of which full-text indexes {fts / 2**20:.0f} MiB and the phrase index (segment_pairs) "
            f"{pairs / 2**20:.0f} MiB"
            if sizes
            else ""
        ),
    )


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1")
    except sqlite3.OperationalError:
        return False
    return True


# --- main ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small stores (2k/10k episodes) for a fast look")
    parser.add_argument("--queries", type=int, default=200, help="queries per measurement")
    parser.add_argument("--only", default="lookup,stall,quotes,cold", help="comma-separated parts to run")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    specs = QUICK if args.quick else FULL
    parts = set(args.only.split(","))
    paths = {label: build(spec) for label, spec in specs.items()}
    names = {label: f"{spec.episodes // 1000}k" for label, spec in specs.items()}
    report = Report()
    # The same pure-Python loop, timed a few times: how steady this machine's CPU is right now.
    loop_ms = []
    for _ in range(5):
        start = time.perf_counter()
        sum(range(3_000_000))
        loop_ms.append((time.perf_counter() - start) * 1000)
    report.fact("machine steadiness (one fixed loop, 5 runs)", f"{min(loop_ms):.0f}–{max(loop_ms):.0f} ms")
    if "lookup" in parts:
        for label in ("small", "large"):
            for isolated in (True, False):
                asyncio.run(
                    bench_lookup(
                        report, names[label], paths[label], args.queries, baseline_n=100, isolated=isolated
                    )
                )
    if "stall" in parts:
        asyncio.run(bench_stall(report, names["large"], paths["large"]))
    if "quotes" in parts:
        asyncio.run(bench_quotes(report, names["small"], paths["small"], args.queries // 2, baseline_n=6))
    if "cold" in parts:
        bench_cold(report, names["small"], paths["small"])
        bench_cold(report, names["large"], paths["large"])
    report.fact(
        "bench process peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    table = report.table()
    print()
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
