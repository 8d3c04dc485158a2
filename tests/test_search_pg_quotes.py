"""Quote search on PostgreSQL gives the answers it gives on SQLite: the same hits, in the same order,
with the same words marked, for the suite's quotes (word forms, joined and split words, misspellings,
phrases of common words, hostile strings).

Each test ingests the same sources into a real SQLite store and a real PostgreSQL 15 store (the tests'
own server, tests/postgres_server.py) and asks both through the same `Search`. The suite's quote tests
themselves also run on both engines (the parametrized `store`); these compare the answers directly.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
import pytest

from bot.models import ParsedSource, Segment
from bot.scope import Scope
from bot.search import Search, quotes
from bot.store import Store
from bot.store.pg_quotes import PgTranscriptReader
from bot.store.pg_reads import connect_reader
from bot.store.pg_segments import LONGEST_STEMMED
from bot.store.pg_stems import TERMS, PgStemmer
from tests.factories import make_episode, make_source
from tests.search_data import latent_like
from tests.test_search_adversarial import ADVERSARIAL

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from bot.search import QuoteHit
    from tests.postgres_server import PostgresServer

EVERYWHERE = Scope.everything()

# Every quote the suite asks of the small show (tests/test_search_quotes.py and the adversarial strings).
SUITE_QUOTES = [
    "webcontainer",
    "WebContainers",
    "WEBCONTAINER",
    "web container",
    "webcontaner",
    "wbecontainer",
    "node.js inside the browser",
    '"node.js inside the browser"',
    '"inside the browser" node',
    "reach eight million dollars",
    "run node",
    '"self healing"',
    "self healing",
    '"healing self"',
    "healing self",
    "welcome",
    "kubernetes",
    "webcontainer kubernetes",
    "stackblitz",
    "sora turbo",
    "the",
    "in two months",
    '"node.js"',
    *ADVERSARIAL,
]


@dataclass
class Stores:
    sqlite: Store
    postgresql: Store

    async def ingest(self, source: ParsedSource) -> None:
        for store in (self.sqlite, self.postgresql):
            await store.catalog.ingest(source)


@pytest.fixture
async def stores(
    tmp_path: Path, postgres_server: PostgresServer, postgres_template: str
) -> AsyncIterator[Stores]:
    sqlite = await Store.open(tmp_path / "store.db")
    try:
        pg = await Store.open(postgres_server.create_database(template=postgres_template))
        try:
            yield Stores(sqlite, pg)
        finally:
            await pg.close()
    finally:
        await sqlite.close()


@contextlib.asynccontextmanager
async def both(stores: Stores) -> AsyncIterator[tuple[Search, Search]]:
    sqlite, pg = Search(stores.sqlite), Search(stores.postgresql)
    try:
        yield sqlite, pg
    finally:
        await sqlite.close()
        await pg.close()


def band(score: float) -> str:
    """The score's meaning (bot/search/quotes.py): the words as typed, all of them, or some. Within "all
    of them" the number comes from the engine's ranking, bm25 on SQLite and ts_rank on PostgreSQL."""
    return (
        "as typed"
        if score == quotes.EXACT_SCORE
        else "all words"
        if score >= quotes.ALL_WORDS_SCORE
        else "some"
    )


def seen(hits: list[QuoteHit]) -> list[tuple[object, ...]]:
    """What a listener sees of each hit: the line, who, when, what is marked, exact or not, the score's band."""
    return [
        (
            h.episode_title,
            h.speaker,
            h.start_s,
            h.text,
            [h.text[a:b] for a, b in h.highlights],
            h.exact,
            band(h.score),
        )
        for h in hits
    ]


async def test_every_suite_quote_answers_the_same_on_both_engines(stores: Stores) -> None:
    await stores.ingest(latent_like())
    async with both(stores) as (sqlite, pg):
        found = 0
        for query in SUITE_QUOTES:
            expected = seen(await sqlite.quotes(query, limit=10, scope=EVERYWHERE))
            assert seen(await pg.quotes(query, limit=10, scope=EVERYWHERE)) == expected, query
            found += bool(expected)
        # The comparison is about answers, not about two empty lists.
        assert found > len(SUITE_QUOTES) // 3


async def test_pages_and_one_episode_answer_the_same(stores: Stores) -> None:
    await stores.ingest(latent_like())
    async with both(stores) as (sqlite, pg):
        for offset in range(4):
            a = await sqlite.quotes("webcontainer", limit=1, offset=offset, scope=EVERYWHERE)
            assert seen(await pg.quotes("webcontainer", limit=1, offset=offset, scope=EVERYWHERE)) == seen(a)
        [episode, *_] = [h.episode_id for h in await sqlite.quotes("welcome", scope=EVERYWHERE)]
        for query in ("welcome", "webcontainer", "the"):
            a = await sqlite.quotes(query, episode_id=episode, scope=EVERYWHERE)
            assert seen(await pg.quotes(query, episode_id=episode, scope=EVERYWHERE)) == seen(a)
        # A server that chose no show with transcripts sees none on either engine.
        nothing = Scope.of(10_000)
        assert (
            await pg.quotes("welcome", scope=nothing) == await sqlite.quotes("welcome", scope=nothing) == []
        )


async def test_a_misspelling_is_corrected_towards_the_same_word(stores: Stores) -> None:
    segments = (
        Segment(0, "The grade of the work was high.", "Ana"),
        Segment(10, "Every grade counts.", "Ana"),
        Segment(20, "A grape, not a grade.", "Bo"),
        Segment(30, "Just a grape here.", "Bo"),
    )
    await stores.ingest(make_source(make_episode("Grades", segments=segments)))
    async with both(stores) as (sqlite, pg):
        hits = await pg.quotes("grase", limit=10, scope=EVERYWHERE)
        assert {h.start_s for h in hits} == {0, 10, 20}
        assert seen(hits) == seen(await sqlite.quotes("grase", limit=10, scope=EVERYWHERE))


@pytest.mark.parametrize("common", [quotes.COMMON, 50])
async def test_a_line_among_350_that_scatter_its_words_answers_the_same(
    stores: Stores, monkeypatch: pytest.MonkeyPatch, common: int
) -> None:
    # As in tests/test_search_quotes.py: with the default COMMON the 350 are too many to rank; with 50,
    # every word is common, as at scale, and the phrase is found whole.
    monkeypatch.setattr(quotes, "COMMON", common)
    said = Segment(0, "Honestly, you know what I mean by that?", "Ana")
    scattered = tuple(
        Segment(10 + i, f"I know you mean {i} things, what a day number {i}.", "Bo") for i in range(350)
    )
    await stores.ingest(make_source(make_episode("Busy", segments=(said, *scattered))))
    async with both(stores) as (sqlite, pg):
        for query, limit, offset in (
            ("you know what I mean", 3, 0),
            ("you know what I mean", 50, 60),
            ('"know what i mean"', 5, 0),
            ('"you know"', 5, 0),
        ):
            hits = await pg.quotes(query, limit=limit, offset=offset, scope=EVERYWHERE)
            assert seen(hits) == seen(
                await sqlite.quotes(query, limit=limit, offset=offset, scope=EVERYWHERE)
            )
        [first, *_] = await pg.quotes("you know what I mean", limit=3, scope=EVERYWHERE)
        assert first.text == said.text
        assert first.exact


async def test_accents_symbols_and_joined_words_answer_the_same(stores: Stores) -> None:
    segments = (
        Segment(0, "Un CAFÉ crème, déjà vu.", "Ana"),
        Segment(10, "Cafe creme is not what I said.", "Bo"),
        Segment(20, "I still write C++ every day, on Bolt.new.", "Ana"),
        Segment(30, "Plan C is the class C option, the cheap one.", "Bo"),
        Segment(40, "We raised $40,000 from friends for self-driving cars.", "Ana"),
        Segment(50, "About 40 000 people listened, and 40,000 more later.", "Bo"),
    )
    await stores.ingest(make_source(make_episode("Symbols", segments=segments)))
    async with both(stores) as (sqlite, pg):
        for query in (
            "cafe creme deja vu",
            '"déjà vu"',
            "c++",
            '"C++"',
            "$40,000",
            "bolt new",
            "boltnew",
            "self driving",
            "selfdriving",
            "self-driving cars",
        ):
            expected = seen(await sqlite.quotes(query, scope=EVERYWHERE))
            assert seen(await pg.quotes(query, scope=EVERYWHERE)) == expected, query


async def test_the_index_follows_a_transcript_read_again(stores: Stores) -> None:
    # A transcript read again replaces its segments, words and pairs with them: a line read again is found
    # by its new words only.
    for text in ("An old line.", "A brand new sentence."):
        await stores.ingest(make_source(make_episode("Edited", segments=(Segment(0, text, "Ana"),))))
    async with both(stores) as (sqlite, pg):
        for search in (sqlite, pg):
            assert [h.text for h in await search.quotes("brand new", scope=EVERYWHERE)] == [
                "A brand new sentence."
            ]
            assert await search.quotes("old line", scope=EVERYWHERE) == []


def _zebra_episode(lines: int) -> ParsedSource:
    # One episode whose `lines` segments all hold "zebra" (a word in that many segments), the first 40 of
    # them "okapi" too, with filler.
    segments = tuple(
        Segment(i * 10, f"The zebra{' and okapi' * (i < 40)} line {i} of {lines}.", "Ana")
        for i in range(lines)
    )
    return make_source(make_episode("Zebras", guid="zebras", segments=segments))


async def test_word_counts_from_statistics_never_cross_a_cap_the_store_has_moved_past(
    tmp_path: Path, postgres_server: PostgresServer, postgres_template: str
) -> None:
    # ANALYZE's counts (migration postgres/005's statistics object) stand in for counting a word only
    # while no segment stored or removed since could move the word to the other side of the cap asked.
    url = postgres_server.create_database(template=postgres_template)
    store = await Store.open(url)
    try:
        await store.catalog.ingest(_zebra_episode(700))
    finally:
        await store.close()
    conn = connect_reader(url)
    try:
        conn.execute("ANALYZE segments")
        reader = PgTranscriptReader(conn, PgStemmer(conn))
        reader.fresh()
        # Every segment was sampled, nothing has changed since: the counts are the statistics' own.
        assert reader._bounds == (0, 0)
        assert reader.count('"zebra"', cap=3000) == 700
        assert reader.count('"zebra"', cap=650) == 650
        assert reader.count('"okapi"', cap=3000) == 40
        # Read again with fewer lines: 700 removed, 600 stored, and the statistics still say 700.
        store = await Store.open(url)
        try:
            await store.catalog.ingest(_zebra_episode(600))
        finally:
            await store.close()
        reader.fresh()
        assert reader._bounds == (600, 700)
        assert reader.count('"zebra"', cap=650) == 600
        assert reader.count('"zebra"', cap=3000) == 600
        # Still 40, but no longer known without counting: the statistics' 40 might be anyone's now.
        assert reader.count('"okapi"', cap=3000) == 40
    finally:
        conn.close()


async def test_terms_made_without_a_statement_are_the_terms_the_database_gives(
    postgres_server: PostgresServer, postgres_template: str
) -> None:
    # A query's ASCII words get their terms from bot.store.pg_segments.pg_terms, as the segments' words
    # were made (migration postgres/006), costing no statement: each must be what the database gives.
    texts = (
        "Is it us, as I said? Running runners ran 40,000 laps; $40,000 is a lot. 1e5 ys s 2s",
        "I still write C++ every day, on Bolt.new, with self-driving cars (and cars).",
        "Un CAFÉ crème, déjà vu: naïve words are the database's.",
    )
    words = [*re.findall(r"[^\W_]+", " ".join(texts)), "x" * (LONGEST_STEMMED + 1)]
    url = postgres_server.create_database(template=postgres_template)
    conn = connect_reader(url)
    offline = connect_reader(url)
    offline.close()
    try:
        given = [list(row[0]) for row in conn.execute(TERMS, (words,)).fetchall()]
        assert PgStemmer(conn).terms(words) == given
        # Only what the parser reads its own way ("1e5"), a word too long to stem, and other scripts
        # are asked of the database.
        asked = {"1e5", "x" * (LONGEST_STEMMED + 1)}
        plain = [w for w in words if w.isascii() and w not in asked]
        assert {"Is", "Running", "40", "000", "C", "ys", "s", "2s"} <= set(plain)
        assert PgStemmer(offline).terms(plain) == [given[words.index(w)] for w in plain]
        for word in (*asked, "CAFÉ"):
            with pytest.raises(psycopg.Error):
                PgStemmer(offline).terms([word])
    finally:
        conn.close()
