"""A catalogue of many shows for the several-shows benchmarks: 1,000 shows × 200 episodes by default.

Each show has its own title, two hosts and a feed URL of its own, and its episodes have real-looking titles
and guests (the same generator as bench/generate.py, so titles read like the bundled ones). People recur
across shows the way guests do on real podcasts: a guest pool shared by all shows, so the same person has
episodes on several of them. Transcripts are short by default: these benchmarks are about finding episodes
and people, not quotes (bench/search.py measures those).

The store is built through the real ingest path, one source per show as a feed would give it, and cached
under bench/.cache keyed by its parameters. `show_source()` makes any one show's source on its own, for a
benchmark that adds or re-ingests a show while others are being looked up.

    python -m bench.shows                  # build (or reuse) the 1,000 × 200 store and describe it
    python -m bench.shows --shows 1 --episodes 2000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.generate import BENCHMARKS, CACHE, SEGMENT_WORDS, Generator, Spec
from bench.names import ADJECTIVES, TOPICS
from bot.models import Chapter, Episode, ParsedSource, Person, Role, Segment, Show
from bot.store import Store

# Part of every cached store's name: bump it when a change here changes the stores generated.
SHOWS_VERSION = 1

SHOW_TEMPLATES = (
    "{Adjective} {Topic}",
    "The {Brand} Podcast",
    "{Topic} Weekly",
    "{First}'s {Topic} Hour",
    "{Brand} Radio",
    "Inside {Topic}",
    "{Topic} & {Topic2}",
    "The {Adjective} {Topic} Show",
    "{Brand}: Conversations on {Topic}",
    "Practical {Topic}",
)


@dataclass(frozen=True, slots=True)
class ShowsSpec:
    shows: int = 1000
    episodes: int = 200  # per show
    words: int = 120  # transcript words per episode: a few segments, enough for /quote to answer
    seed: int = 42

    @property
    def path(self) -> Path:
        return CACHE / (
            f"shows-{self.shows}x{self.episodes}ep-{self.words}w-s{self.seed}-v{SHOWS_VERSION}.db"
        )


class ShowsGenerator:
    """Deterministic: show `n` of a spec is the same whenever and in whatever order it is made."""

    def __init__(self, spec: ShowsSpec) -> None:
        self.spec = spec
        # One word and name generator for all shows; each show draws from its own seeded stream.
        self.base = Generator(Spec(episodes=spec.shows * spec.episodes, words=0, seed=spec.seed))
        self.titles: dict[str, int] = {}

    def show_title(self, rng: random.Random, n: int) -> str:
        topic, topic2 = (t.title() if t.islower() else t for t in rng.sample(TOPICS, 2))
        first = rng.choice(self.base.people).split()[0]
        title = rng.choice(SHOW_TEMPLATES).format(
            Adjective=rng.choice(ADJECTIVES).capitalize(),
            Topic=topic,
            Topic2=topic2,
            Brand=self.base.brand(),
            First=first,
        )
        # Real directories have a few shows with one title; a number keeps ours apart, as feeds' do.
        if title in self.titles:
            title = f"{title} ({n})"
        self.titles[title] = n
        return title

    def source(self, n: int, *, episodes: int | None = None) -> ParsedSource:
        rng = random.Random(f"{self.spec.seed}-show-{n}")
        gen = self.base
        gen.rng = rng  # titles, brands and words of this show from its own stream
        title = self.show_title(rng, n)
        hosts = tuple(Person(name, Role.HOST) for name in rng.sample(gen.people, 2))
        count = self.spec.episodes if episodes is None else episodes
        key = f"https://feeds.bench.example/{n}.rss"
        show = Show(title=title, key=key, feed_url=key, hosts=tuple(h.name for h in hosts))
        newest = datetime(2025, 6, 1, tzinfo=UTC) - timedelta(hours=n)
        made = tuple(self._episode(rng, n, i, hosts, newest) for i in range(count))
        return ParsedSource(format="bench", show=show, episodes=made)

    def _episode(
        self, rng: random.Random, show: int, i: int, hosts: tuple[Person, ...], newest: datetime
    ) -> Episode:
        gen = self.base
        # A guest pool shared by every show: the same people turn up on several shows.
        guests = [rng.choice(gen.people) for _ in range(rng.choice((1, 1, 1, 2)))]
        brand, company = gen.brand(), gen.company()
        title = gen.title(brand, guests, company)
        notes = (
            f"{guests[0]} of {company} joins us to talk about {brand}. "
            + " ".join(gen.zipf(rng.randint(30, 80)))
            + f". Also mentioned: {rng.choice(BENCHMARKS)}."
        )
        chapters = [Chapter(0, "Introductions")]
        start = 0
        for _ in range(rng.randint(0, 6)):
            start += rng.randint(120, 900)
            chapters.append(Chapter(start, f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(TOPICS)}"))
        speakers = [hosts[rng.randrange(2)].name, guests[0]]
        stream = gen.zipf(self.spec.words)
        segments = []
        for k, at in enumerate(range(0, self.spec.words, SEGMENT_WORDS)):
            chunk = stream[at : at + SEGMENT_WORDS]
            chunk[0] = chunk[0].capitalize()
            segments.append(Segment(start_s=k * 24, text=" ".join(chunk) + ".", speaker=speakers[k % 2]))
        return Episode(
            title=title,
            guid=f"bench-show-{show}-{i}",
            show_notes=notes,
            duration_s=rng.randint(1500, 7800),
            published=newest - timedelta(days=3 * i),
            people=(*hosts, *(Person(g, Role.GUEST) for g in guests)),
            chapters=tuple(chapters),
            segments=tuple(segments),
            source_order=i,
        )


def show_source(spec: ShowsSpec, n: int, *, episodes: int | None = None) -> ParsedSource:
    """Show `n` of `spec` (or a show numbered past `spec.shows`, for one that is added later)."""
    return ShowsGenerator(spec).source(n, episodes=episodes)


async def _fill(spec: ShowsSpec, path: Path) -> None:
    gen = ShowsGenerator(spec)
    started = time.perf_counter()
    async with await Store.open(path) as store:
        for n in range(spec.shows):
            await store.catalog.ingest(gen.source(n), label=f"bench show {n}")
            done = n + 1
            if done % 50 == 0 or done == spec.shows:
                print(f"  {done}/{spec.shows} shows ({time.perf_counter() - started:.0f} s)", flush=True)


def build(spec: ShowsSpec) -> Path:
    """The store for `spec`, generated on first use and cached; a half-built file is never reused."""
    path = spec.path
    if path.exists():
        # Cached by an older podbot: opening it applies the newer migrations, in place.
        async def upgrade() -> None:
            async with await Store.open(path):
                pass

        asyncio.run(upgrade())
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    print(f"generating {path.name} (once; cached afterwards)", flush=True)
    asyncio.run(_fill(spec, partial))
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    partial.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    return path


def describe(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        shows, episodes, people = (
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("shows", "episodes", "people")
        )
        on_several = conn.execute(
            "SELECT count(*) FROM (SELECT ep.person_id FROM episode_people ep"
            " JOIN episodes e ON e.id = ep.episode_id GROUP BY ep.person_id HAVING count(DISTINCT e.show_id) > 1)"
        ).fetchone()[0]
    finally:
        conn.close()
    size = path.stat().st_size / 2**20
    return (
        f"{path.name}: {shows} shows, {episodes} episodes, {people} people "
        f"({on_several} on more than one show), {size:.0f} MiB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.shows", description=__doc__.splitlines()[0])
    default = ShowsSpec()
    parser.add_argument("--shows", type=int, default=default.shows)
    parser.add_argument("--episodes", type=int, default=default.episodes, help="episodes per show")
    parser.add_argument("--words", type=int, default=default.words, help="transcript words per episode")
    args = parser.parse_args(argv)
    spec = ShowsSpec(shows=args.shows, episodes=args.episodes, words=args.words)
    started = time.perf_counter()
    path = build(spec)
    print(f"{describe(path)} (ready in {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
