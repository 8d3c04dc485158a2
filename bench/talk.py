"""Quote search on stores that talk like people (bench.speech), beside the Zipf stores, at rest and while
another process re-ingests episodes.

Run: `python -m bench.talk --words 10M` (also 50M, 200M; `--corpus talk` or `zipf` for one of them). Each
corpus's store is generated through the real ingest and cached in bench/.cache. The queries are lines
remembered from the store's own text, the same way for both corpora: 3–8 consecutive words of a random
segment, as said; the same with one word mis-typed; the same with one word in another form ("models" for
"model"); and the rare words of bench.search. Phrases are split by whether every word is common (in at
least bot.search.quotes.COMMON segments, so that no word narrows the search). The queries of the two
corpora are interleaved (one of each in turn), so that the machine's noise falls on both alike.

Then, on a copy of the talk store, the same phrases at rest and while a child process re-ingests episodes
with new transcripts (the real `catalog.ingest`: segments deleted and inserted, both full-text indexes and
the pair index updated by their triggers), alternating at rest / during in rounds.

Prints p50 / p95 / p99 / max in ms, and the store's size per million transcript words.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.generate import CACHE, Generator, Spec, build
from bench.search import _swap, pct, quote_queries
from bot.models import ParsedSource, Show
from bot.search import quotes
from bot.store import Store
from bot.store.index_reads import connect_reader
from bot.store.stems import Stemmer
from bot.store.transcripts import TranscriptReader
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Sequence

# Zipf stores as bench.search and bench.pg_quotes make them: 5,000 words an episode.
ZIPF_WORDS_PER_EPISODE = 5_000
# Episodes a re-ingesting child writes per transaction: about what one feed poll with a few new hour-long
# episodes stores.
REINGEST_BATCH = 4
# Commits of the re-ingesting process that must land while the queries of a round run.
COMMITS_DURING = 3


def zipf_spec(words: int) -> Spec:
    return Spec(max(1, words // ZIPF_WORDS_PER_EPISODE), words)


def spec_for(corpus: str, words: int) -> Spec:
    return Spec.talk(words) if corpus == "talk" else zipf_spec(words)


def parse_words(text: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


# --- queries ------------------------------------------------------------------------------------------------


def _reform(word: str) -> str:
    """The same word in another form, as someone remembers it: "models" for "model", "talking" for
    "talked"."""
    if word.endswith("ing") and len(word) > 5:
        return word[:-3] + "ed"
    if word.endswith("ed") and len(word) > 4:
        return word[:-2] + "ing"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word + "s"


def _mistype(word: str, rng: random.Random) -> str:
    """One slip of the fingers: two letters swapped, one dropped or one doubled."""
    kind = rng.randrange(3)
    if kind == 0:
        swapped = _swap(word, rng)
        if swapped != word:
            return swapped
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if kind == 1 else word[:i] + word[i] + word[i:]


@dataclass
class Queries:
    exact: list[str] = field(default_factory=list)
    typo: list[str] = field(default_factory=list)
    form: list[str] = field(default_factory=list)
    # Which exact phrases (by index) are made only of common words.
    common_only: list[bool] = field(default_factory=list)
    rare: list[str] = field(default_factory=list)

    def sets(self) -> dict[str, list[str]]:
        common = [q for q, c in zip(self.exact, self.common_only, strict=True) if c]
        uncommon = [q for q, c in zip(self.exact, self.common_only, strict=True) if not c]
        return {
            "phrase as said (3–8 words)": self.exact,
            "  …of common words only": common,
            "  …with an uncommon word": uncommon,
            "phrase, one word mis-typed": self.typo,
            "phrase, one word's form changed": self.form,
            "rare word": self.rare,
        }


def remembered_lines(path: Path, n: int, seed: int = 13) -> Queries:
    """`n` phrases of 3–8 words from random segments of the store, each also mis-typed and re-formed."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (max_id,) = conn.execute("SELECT max(id) FROM segments").fetchone()
    out = Queries()
    counts: dict[str, int] = {}

    def common(word: str) -> bool:
        if word not in counts:
            sql = "SELECT count(*) FROM (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? LIMIT ?)"
            counts[word] = conn.execute(sql, (f'"{word}"', quotes.COMMON)).fetchone()[0]
        return counts[word] >= quotes.COMMON

    while len(out.exact) < n:
        row = conn.execute("SELECT text FROM segments WHERE id = ?", (rng.randint(1, max_id),)).fetchone()
        if not row:
            continue
        words = fold(row[0]).split()
        k = rng.randint(3, 8)
        if len(words) <= k:
            continue
        at = rng.randrange(len(words) - k)
        line = words[at : at + k]
        long = [i for i, w in enumerate(line) if len(w) >= 4 and w.isalpha()]
        if not long:
            continue
        out.exact.append(" ".join(line))
        out.common_only.append(all(common(w) for w in line))
        i = rng.choice(long)
        out.typo.append(" ".join([*line[:i], _mistype(line[i], rng), *line[i + 1 :]]))
        i = rng.choice(long)
        out.form.append(" ".join([*line[:i], _reform(line[i]), *line[i + 1 :]]))
    conn.close()
    out.rare = quote_queries(path, n)[0]
    return out


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass
class Engine:
    """The quote plan on a store, as a worker thread of the bot runs it (bot.search.Search)."""

    path: Path
    conn: sqlite3.Connection = field(init=False)
    reader: TranscriptReader = field(init=False)
    stemmer: Stemmer = field(init=False)

    def __post_init__(self) -> None:
        self.conn = connect_reader(self.path)
        self.reader = TranscriptReader(self.conn)
        self.stemmer = Stemmer()

    def ms(self, query: str) -> tuple[float, float, bool, bool]:
        """Wall and CPU milliseconds of one search, and whether its first hit is the words as typed. The
        plan runs SQLite in this thread, so the thread's CPU time is the search's work: on a shared
        machine whose load is several times its cores, wall time is mostly time spent waiting to run.
        Also whether anything was found, and whether the first hit is the words as typed."""
        start, cpu = time.perf_counter(), time.thread_time()
        hits = quotes.search(query, self.reader, self.stemmer, limit=5)
        wall, cpu = (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000
        return wall, cpu, bool(hits), bool(hits) and hits[0].exact

    def close(self) -> None:
        self.conn.close()


def line(name: str, label: str, times: Sequence[tuple[float, float]], note: str = "") -> None:
    s = sorted(t for t, _ in times)
    c = sorted(t for _, t in times)
    print(
        f"  {name:<34} {label:<10} n {len(s):>4}  p50 {pct(s, 50):7.2f}  p95 {pct(s, 95):7.2f}"
        f"  p99 {pct(s, 99):7.2f}  max {s[-1]:7.2f} ms | CPU p50 {pct(c, 50):6.2f}  p95 {pct(c, 95):6.2f}"
        f"  p99 {pct(c, 99):6.2f}  max {c[-1]:7.2f} ms  {note}",
        flush=True,
    )


def measure(stores: dict[str, Path], n: int) -> None:
    """Every query set of every store, interleaved across the stores."""
    queries = {label: remembered_lines(path, n) for label, path in stores.items()}
    engines = {label: Engine(path) for label, path in stores.items()}
    for label, made in queries.items():
        share = sum(made.common_only) / len(made.common_only)
        print(f"  {label}: {share:.0%} of the {len(made.exact)} phrases have no uncommon word", flush=True)
    for label, engine in engines.items():  # the first reads page the indexes in
        for word in queries[label].rare[:20]:
            engine.ms(word)
    names = list(next(iter(queries.values())).sets())
    for name in names:
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in stores}
        first: dict[str, int] = dict.fromkeys(stores, 0)
        found: dict[str, int] = dict.fromkeys(stores, 0)
        slowest: dict[str, tuple[float, str]] = dict.fromkeys(stores, (0.0, ""))
        sets = {label: q.sets()[name] for label, q in queries.items()}
        for i in range(max(len(s) for s in sets.values())):
            for label, engine in engines.items():
                if i < len(sets[label]):
                    t, cpu, hit, exact = engine.ms(sets[label][i])
                    times[label].append((t, cpu))
                    first[label] += exact
                    found[label] += hit
                    slowest[label] = max(slowest[label], (cpu, sets[label][i]))
        for label in stores:
            if times[label]:
                n = len(times[label])
                note = f"found {found[label]}/{n}, as typed first {first[label]}/{n}; slowest (CPU) {slowest[label][1][:40]!r}"
                line(name, label, times[label], note)
    for engine in engines.values():
        engine.close()


# --- while re-ingesting -------------------------------------------------------------------------------------

CHILD = """
import asyncio, sys, time
from bench.generate import Generator, Spec
from bench.talk import reingest
spec = Spec(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
asyncio.run(reingest(sys.argv[1], spec, int(sys.argv[6])))
"""


async def reingest(path: str, spec: Spec, episodes: int) -> None:
    """Re-ingest the first `episodes` episodes with new transcripts, REINGEST_BATCH per transaction, round
    after round, until killed; prints a line per round."""
    show = Show(title="Synthetic Bench Show", key="bench:show", hosts=("Alessio Fanelli", "swyx"))
    async with await Store.open(path) as store:
        revision = 0
        while True:
            revision += 1
            gen = Generator(spec)
            started = time.perf_counter()
            segments = 0
            for first in range(0, episodes, REINGEST_BATCH):
                batch = tuple(
                    gen.episode(i, 0, revision) for i in range(first, min(first + REINGEST_BATCH, episodes))
                )
                segments += sum(len(e.segments) for e in batch)
                await store.catalog.ingest(ParsedSource(format="bench", show=show, episodes=batch))
            took = time.perf_counter() - started
            print(
                f"  re-ingest round {revision}: {episodes} episodes, {segments:,} segments in {took:.1f} s",
                flush=True,
            )


def during(spec: Spec, path: Path, n: int, rounds: int) -> None:
    """Phrases (as said, and mis-typed) on a copy of the talk store, at rest and while another process
    re-ingests episodes, alternating: each round asks `n` new phrases at rest, starts the child, waits
    for its first commit, and asks `n` more while it goes on writing. Every set is new to a reader of its
    own, so that neither side profits from statistics remembered from the other's queries."""
    copy = CACHE / f"reingest-{path.name}"
    print(f"copying {path.name} for the re-ingest (the cached store stays as generated)", flush=True)
    shutil.copyfile(path, copy)
    try:
        queries = remembered_lines(path, n * rounds, seed=29)
        mixed = [q for pair in zip(queries.exact, queries.typo, strict=True) for q in pair]
        sets = [mixed[k * n : (k + 1) * n] for k in range(2 * rounds)]
        warm = Engine(copy)
        for q in queries.rare[:20]:
            warm.ms(q)
        warm.close()
        rest: list[tuple[float, float]] = []
        busy: list[tuple[float, float]] = []
        commits = 0
        episodes = min(spec.episodes, 40)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
        args = [str(copy), str(spec.episodes), str(spec.words), str(spec.seed), spec.corpus, str(episodes)]
        for r in range(rounds):
            # During: passes over the round's set, each by a reader of its own, until the child has
            # committed COMMITS_DURING times while queries ran; at rest, as many passes over the other set.
            passes = 0
            child = subprocess.Popen([sys.executable, "-c", CHILD, *args], env=env, start_new_session=True)
            try:
                watch = Engine(copy)

                def version(engine: Engine = watch) -> int:
                    return int(engine.conn.execute("PRAGMA data_version").fetchone()[0])

                seen = version()
                deadline = time.monotonic() + 300
                while version() == seen and time.monotonic() < deadline and child.poll() is None:
                    time.sleep(0.05)
                landed = 0
                seen = version()
                while landed < COMMITS_DURING and child.poll() is None and time.monotonic() < deadline:
                    engine = Engine(copy)
                    for q in sets[2 * r + 1]:
                        busy.append(engine.ms(q)[:2])
                        now = version()
                        landed += now != seen
                        seen = now
                    engine.close()
                    passes += 1
                commits += landed
                watch.close()
            finally:
                os.killpg(child.pid, signal.SIGTERM)
                child.wait()
            for _ in range(passes):
                engine = Engine(copy)
                rest += [engine.ms(q)[:2] for q in sets[2 * r]]
                engine.close()
            print(f"  round {r + 1}/{rounds}: {passes} passes each way", flush=True)
        line("phrases (as said, mis-typed), at rest", "talk copy", rest)
        line(
            "phrases (as said, mis-typed), during re-ingest",
            "talk copy",
            busy,
            f"{commits} commits of another process's re-ingest landed among them",
        )
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(copy) + suffix).unlink()


# --- size ---------------------------------------------------------------------------------------------------


def size_report(label: str, path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (words,) = conn.execute(
        "SELECT sum(length(text) - length(replace(text, ' ', '')) + 1) FROM segments"
    ).fetchone()
    (segments,) = conn.execute("SELECT count(*) FROM segments").fetchone()
    (text_bytes,) = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM segments").fetchone()
    sizes = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    # Pages FTS5's merges freed, which the file keeps until a VACUUM.
    (free,) = conn.execute("PRAGMA freelist_count").fetchone()
    (page,) = conn.execute("PRAGMA page_size").fetchone()
    (pairs_terms,) = (
        conn.execute("SELECT count(*) FROM segment_pairs_vocab").fetchone()
        if _has(conn, "segment_pairs_vocab")
        else (None,)
    )
    conn.close()
    million = words / 1e6
    fts = sum(v for k, v in sizes.items() if k.startswith("segments_fts"))
    pairs = sum(v for k, v in sizes.items() if k.startswith("segment_pairs"))
    mib = 2**20
    print(
        f"  size {label}: {path.stat().st_size / mib:.0f} MiB for {words:,} words in {segments:,} segments:"
        f" {path.stat().st_size / mib / million:.1f} MiB/M words (raw text {text_bytes / mib / million:.1f},"
        f" word index {fts / mib / million:.1f}, pair index {pairs / mib / million:.1f},"
        f" free pages {free * page / mib / million:.1f} MiB/M words)"
        + (f"; {pairs_terms:,} distinct pairs" if pairs_terms is not None else ""),
        flush=True,
    )


def _has(conn: sqlite3.Connection, table: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone())


# --- main ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.talk", description=__doc__)
    parser.add_argument("--words", default="10M", help="transcript words per store: 10M, 50M, 200M")
    parser.add_argument("--corpus", choices=("both", "talk", "zipf"), default="both")
    parser.add_argument("--queries", type=int, default=200, help="phrases per store (and rare words)")
    parser.add_argument("--rounds", type=int, default=3, help="at rest / during re-ingest rounds")
    parser.add_argument("--only", default="quotes,during,size", help="comma-separated parts to run")
    args = parser.parse_args(argv)
    words = parse_words(args.words)
    parts = set(args.only.split(","))
    corpora = ("zipf", "talk") if args.corpus == "both" else (args.corpus,)
    specs = {c: spec_for(c, words) for c in corpora}
    paths = {c: build(s) for c, s in specs.items()}
    loop_ms = []
    for _ in range(5):
        start = time.perf_counter()
        sum(range(3_000_000))
        loop_ms.append((time.perf_counter() - start) * 1000)
    print(
        f"machine steadiness (one fixed loop, 5 runs): {min(loop_ms):.0f}–{max(loop_ms):.0f} ms; load {os.getloadavg()[0]:.1f}"
    )
    if "size" in parts:
        for c, p in paths.items():
            size_report(f"{c} {args.words}", p)
    if "quotes" in parts:
        print(f"quote search, {args.words} words", flush=True)
        measure({f"{c} {args.words}": p for c, p in paths.items()}, args.queries)
    if "during" in parts and "talk" in paths:
        print(f"quote search while re-ingesting, {args.words} words", flush=True)
        during(specs["talk"], paths["talk"], args.queries // 2, args.rounds)


if __name__ == "__main__":
    main()
