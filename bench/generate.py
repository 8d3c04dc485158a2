"""Deterministic synthetic stores for the benchmarks: real-looking titles and names, and transcripts either
of independent Zipf-distributed words (`corpus="zipf"`, the default) or of speech from a trigram model of the
bundled transcripts (`corpus="talk"`, bench.speech: hour-long episodes whose word pairs are as common as
speech makes them).

A store is built through the real ingest path (`store.catalog.ingest`), so it has exactly the schema,
triggers and indexes a podbot store has, and cached under bench/.cache keyed by its parameters.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from bench import speech
from bench.names import (
    ADJECTIVES,
    COMPANY_SUFFIXES,
    CONSONANT_ENDS,
    EVENTS,
    FIRST_NAMES,
    LAST_NAMES,
    SYLLABLES,
    TOPICS,
)
from bot.models import Chapter, Episode, ParsedSource, Person, Role, Segment, Show
from bot.store import Store

CACHE = Path(__file__).parent / ".cache"
# Part of every cached store's name: bump it when a change here changes the stores generated.
GENERATOR_VERSION = 1
# The same for stores of the "talk" corpus (bench.speech), which also change when its model does.
TALK_VERSION = 2
VOCABULARY_SIZE = 120_000
SEGMENT_WORDS = 60
BENCHMARKS = ["SWE-Bench", "MMLU", "HumanEval", "GSM8K", "ARC-AGI", "HellaSwag", "MT-Bench", "LiveCodeBench"]
HOSTS = (Person("Alessio Fanelli", Role.HOST), Person("swyx", Role.HOST))


@dataclass(frozen=True, slots=True)
class Spec:
    episodes: int
    words: int  # transcript words in the whole store
    seed: int = 42
    # "zipf": `words` split evenly over the episodes; "talk": each episode an hour of speech (15–20k
    # words, bench.speech.EPISODE_WORDS), so `words` is about `episodes` x 17,500 (see `talk()`).
    corpus: str = "zipf"

    @property
    def path(self) -> Path:
        if self.corpus == "talk":
            return CACHE / f"store-{self.episodes}ep-{self.words}w-s{self.seed}-talk-v{TALK_VERSION}.db"
        return CACHE / f"store-{self.episodes}ep-{self.words}w-s{self.seed}-v{GENERATOR_VERSION}.db"

    @classmethod
    def talk(cls, words: int, seed: int = 42) -> Spec:
        """A store of about `words` words of generated speech, in hour-long episodes."""
        return cls(max(1, round(words / sum(speech.EPISODE_WORDS) * 2)), words, seed, "talk")


def _pseudo_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)) + rng.choice(CONSONANT_ENDS)


def real_words() -> list[str]:
    """The bundled page's words, most common first."""
    text = resources.files("data").joinpath("latent-space.txt").read_text(encoding="utf-8")
    counts = Counter(w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 1 or w in {"a", "i"})
    return [w for w, _ in counts.most_common()]


def vocabulary(rng: random.Random) -> list[str]:
    """Words ranked by frequency: the bundled transcript's real words first (so "the", "and", "model" are
    the common ones, as in speech), then made-up words for the long tail that a big corpus has."""
    words = real_words()
    seen = set(words)
    while len(words) < VOCABULARY_SIZE:
        word = _pseudo_word(rng, rng.choice((2, 3, 3, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_weights(n: int, s: float = 1.07, q: float = 2.7) -> list[float]:
    # Zipf–Mandelbrot: close to the rank/frequency curve of English text.
    return list(itertools.accumulate(1.0 / (rank + q) ** s for rank in range(1, n + 1)))


class Generator:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.words = vocabulary(self.rng)
        self.cum = zipf_weights(len(self.words))
        self.brands: set[str] = set()
        self.people = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(self.people)
        self.writer: speech.Writer | None = None
        if spec.corpus == "talk":
            # The long tail of speech: the made-up words past the bundled page's own, Zipf-weighted.
            real = len(real_words())
            tail_cum = [c - self.cum[real - 1] for c in self.cum[real:]]
            self.writer = speech.Writer(speech.bundled_model(), self.words[real:], tail_cum)

    def zipf(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def brand(self) -> str:
        while True:
            name = _pseudo_word(self.rng, self.rng.choice((2, 2, 3))).capitalize()
            if name not in self.brands:
                self.brands.add(name)
                return name

    def company(self) -> str:
        return f"{_pseudo_word(self.rng, 2).capitalize()} {self.rng.choice(COMPANY_SUFFIXES)}".strip()

    def title(self, brand: str, guests: list[str], company: str) -> str:
        r = self.rng
        topic, topic2, topic3 = (t.replace("-", " ") if r.random() < 0.1 else t for t in r.sample(TOPICS, 3))
        adjective = r.choice(ADJECTIVES)
        with_guests = " and ".join(g.split()[0] for g in guests) if len(guests) > 1 else guests[0]
        templates = [
            f"{brand}: The {adjective.capitalize()} {topic.capitalize()} for {topic2} - with {with_guests} of {company}",
            f"{brand}, {topic.capitalize()} for {topic2}, and {r.randint(2, 99)}x growth in {r.randint(2, 12)} months",
            f"Why {adjective.capitalize()} {topic} will beat {topic2}",
            f"The new {brand} {r.randint(1, 5)}.{r.randint(0, 9)}, {topic.capitalize()}, and {topic2} — with {guests[0]}, {company}",
            f"{topic.capitalize()}, {topic2.capitalize()} and {topic3.capitalize()} — {r.choice(EVENTS)} {r.randint(2016, 2025)} Part {r.randint(1, 4)}",
            f"{brand} is {adjective} {topic}: {guests[0]} on {topic2}",
        ]
        return r.choice(templates)

    def talk(self, i: int, speakers: list[str], revision: int = 0) -> tuple[Segment, ...]:
        """Episode `i`'s transcript of speech, from a generator of its own (so that one episode can be made
        again, or made anew as `revision` 1, 2, … for a re-ingest, without the others)."""
        assert self.writer is not None
        rng = random.Random(f"talk:{self.spec.seed}:{i}:{revision}")
        return speech.transcript(self.writer, rng, speakers, len(HOSTS), speech.episode_words(rng))

    def episode(self, i: int, words: int, revision: int = 0) -> Episode:
        r = self.rng
        guests = [self.people[(i * 7 + k * 13) % len(self.people)] for k in range(r.choice((1, 1, 1, 2)))]
        brand, company = self.brand(), self.company()
        title = self.title(brand, guests, company)
        notes = (
            f"{guests[0]} of {company} joins us to talk about {brand}. "
            + " ".join(self.zipf(r.randint(60, 150)))
            + f". Also mentioned: {r.choice(BENCHMARKS)} and {self.brand()}."
        )
        chapters = [Chapter(0, "Introductions")]
        start = 0
        for _ in range(r.randint(0, 9)):
            start += r.randint(120, 900)
            kind = r.random()
            if kind < 0.15:
                text = f"{r.choice(BENCHMARKS)} and {r.choice(TOPICS)}"
            elif kind < 0.5:
                text = f"{r.choice(ADJECTIVES).capitalize()} {r.choice(TOPICS)}"
            else:
                text = f"Why {' '.join(self.zipf(r.randint(2, 5)))}?"
            chapters.append(Chapter(start, text))
        if self.writer is not None:
            # Both hosts and every guest speak, as in the bundled episodes.
            segments = list(self.talk(i, [h.name for h in HOSTS] + guests, revision))
        else:
            speakers = [HOSTS[r.randrange(2)].name, guests[0]]
            segments = []
            stream = self.zipf(words)
            for n, at in enumerate(range(0, words, SEGMENT_WORDS)):
                chunk = stream[at : at + SEGMENT_WORDS]
                chunk[0] = chunk[0].capitalize()
                segments.append(Segment(start_s=n * 24, text=" ".join(chunk) + ".", speaker=speakers[n % 2]))
        published = datetime(2025, 6, 1, tzinfo=UTC) - timedelta(hours=3 * i)
        return Episode(
            title=title,
            guid=f"bench-{self.spec.seed}-{i}",
            show_notes=notes,
            duration_s=r.randint(1500, 7800),
            published=published,
            people=(*HOSTS, *(Person(g, Role.GUEST) for g in guests)),
            chapters=tuple(chapters),
            segments=tuple(segments),
            source_order=i,
        )


async def _fill(spec: Spec, path: Path, batch: int = 250) -> None:
    gen = Generator(spec)
    show = Show(title="Synthetic Bench Show", key="bench:show", hosts=tuple(h.name for h in HOSTS))
    per_episode, extra = divmod(spec.words, spec.episodes)
    started = time.perf_counter()
    async with await Store.open(path) as store:
        for first in range(0, spec.episodes, batch):
            episodes = tuple(
                gen.episode(i, per_episode + (1 if i < extra else 0))
                for i in range(first, min(first + batch, spec.episodes))
            )
            await store.catalog.ingest(ParsedSource(format="bench", show=show, episodes=episodes))
            done = first + len(episodes)
            if done % (batch * 20) == 0 or done == spec.episodes:
                print(
                    f"  {done}/{spec.episodes} episodes ({time.perf_counter() - started:.0f} s)", flush=True
                )


async def _upgrade(path: Path) -> None:
    async with await Store.open(path):
        pass


def build(spec: Spec) -> Path:
    """The store for `spec`, generated on first use and cached; a half-built file is never reused."""
    path = spec.path
    if path.exists():
        # A store cached by an older podbot: opening it applies the newer migrations, in place.
        asyncio.run(_upgrade(path))
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    print(f"generating {path.name} (once; cached afterwards)", flush=True)
    asyncio.run(_fill(spec, partial))
    # A long-lived store is merged by FTS5's automerge over time; a bulk load is merged once, here.
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        for table in ("segments_fts", "segment_pairs", "chapters_fts", "notes_fts"):
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    partial.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    return path
