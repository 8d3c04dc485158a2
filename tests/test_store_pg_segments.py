"""PostgreSQL's transcript words made by the store (bot/store/pg_segments.py) are exactly what the
database's own podbot_words() makes of the same text: the query side still asks the database, so any
difference would be a quote that is not found."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import psycopg
import pytest

from bot.bootstrap import bundled_page
from bot.ingest.detect import parse_source
from bot.models import Segment
from bot.store import Store
from bot.store.pg_segments import KEPT_POSITIONS, LAST_POSITION, LONGEST_STEMMED, pg_words
from tests.factories import make_episode, make_source
from tests.test_search_adversarial import ADVERSARIAL

if TYPE_CHECKING:
    from tests.postgres_server import PostgresServer

# Texts at each edge of what the store reproduces, on both sides of it.
EDGES = [
    "Is it as easy as us? By my word, ay. IS AS BY",
    "running runs ran runner 123 007 1st 3d 9am 100k x2 abc123def 12ab34",
    "it's what we'd call Node.js, self-driving cars, bolt.new, $8m ARR, 40,000 users (2024-11-07)",
    "1e5 1E5 5e5e5 1e 2e-3 e5 a1e5",
    " the" * KEPT_POSITIONS + " end",
    " the" * (KEPT_POSITIONS + 1) + " end",
    "x" * LONGEST_STEMMED + " running",
    "x" * (LONGEST_STEMMED + 1) + " running",
    " word" * LAST_POSITION,
    " word" * (LAST_POSITION + 1),
    "",
    "?!",
    "Café au lait, s'il vous plaît",
    "\u00a0non\u2011breaking",
]


@pytest.fixture(scope="module")
def database(postgres_server: PostgresServer) -> str:
    url = postgres_server.create_database()
    asyncio.run(_migrated(url))
    return url


async def _migrated(url: str) -> None:
    await (await Store.open(url)).close()


def _bundled_texts() -> list[str]:
    return [s.text for e in parse_source(bundled_page()).episodes for s in e.segments]


def _differences(url: str, texts: list[str]) -> tuple[int, list[str]]:
    """How many of `texts` the store makes the words of, and those where they differ from the database's."""
    made = [(t, w) for t in texts if (w := pg_words(t)) is not None]
    with psycopg.connect(url) as conn:
        theirs = conn.execute(
            "SELECT podbot_words(t)::text FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i",
            ([t for t, _ in made],),
        ).fetchall()
        ours = conn.execute(
            "SELECT w::tsvector::text FROM unnest(%s::text[]) WITH ORDINALITY AS u(w, i) ORDER BY i",
            ([w for _, w in made],),
        ).fetchall()
    return len(made), [t[:60] for (t, _), (a,), (b,) in zip(made, theirs, ours, strict=True) if a != b]


def test_the_bundled_transcripts_words_are_the_databases(database: str) -> None:
    texts = _bundled_texts()
    made, different = _differences(database, texts)
    assert different == []
    # Nearly all of them are the store's to make: the point of it (the rest is not ASCII).
    assert made >= 0.95 * len(texts), (made, len(texts))


def test_hostile_and_edge_texts_are_the_databases_or_left_to_it(database: str) -> None:
    # Stored text holds no control characters (bot.ingest.html_text drops them; PostgreSQL's text cannot
    # hold a NUL): the hostile queries that do are left out here.
    hostile = [t for t in ADVERSARIAL if "\x00" not in t]
    made, different = _differences(database, hostile + EDGES)
    assert different == []
    assert made > len(EDGES) // 2
    # Each edge is on the side of it that it should be.
    assert pg_words(" the" * KEPT_POSITIONS + " end") is not None
    assert pg_words(" the" * (KEPT_POSITIONS + 1) + " end") is None
    assert pg_words("x" * (LONGEST_STEMMED + 1)) is None
    assert pg_words(" word" * (LAST_POSITION + 1)) is None
    assert pg_words("1e5 things") is None
    assert pg_words("Café") is None


async def test_every_stored_segment_holds_the_databases_words_and_pairs(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    # The store's words, the database's (not ASCII, scientific notation), in one episode.
    segments = (
        Segment(0, "You know what I mean, it just works.", "Ana"),
        Segment(10, "Søren Kierkegaard wrote about anxiety.", "Bo"),
        Segment(20, "We raised 1e6 dollars, give or take.", "Ana"),
        Segment(30, "", "Bo"),
    )
    async with await Store.open(url) as store:
        await store.catalog.ingest(make_source(make_episode("Words", segments=segments)))
        rows = await store.reader.fetch_all(
            "SELECT text, words = podbot_words(text), words IS NULL FROM segments ORDER BY position"
        )
    assert [(text, same, missing) for text, same, missing in rows] == [
        (s.text, True, False) for s in segments
    ]
