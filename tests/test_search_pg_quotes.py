"""Quote search on PostgreSQL gives the answers it gives on SQLite: the same hits, in the same order,
with the same words marked, for the suite's quotes (word forms, joined and split words, misspellings,
phrases of common words, hostile strings).

Each test fills a real SQLite store through the real ingest, copies its rows into a real PostgreSQL 15
(migration postgres/002 on top of the tables it needs), and asks both engines through the same `Search`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from bot.models import Segment
from bot.scope import Scope
from bot.search import Search, quotes
from tests import pgserver
from tests.factories import make_episode, make_source
from tests.search_data import latent_like
from tests.test_search_adversarial import ADVERSARIAL

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from bot.search import QuoteHit
    from bot.store import Store

EVERYWHERE = Scope.everything()
MIGRATION = Path(__file__).parents[1] / "data/migrations/postgres/002_search.sql"
# The tables quote search reads, as SQLite's migrations 001 and 010 define them.
# TODO(pg12): the PostgreSQL store's own migrations replace this once they land.
TABLES = """
CREATE TABLE shows (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE episodes (id bigint PRIMARY KEY, show_id bigint NOT NULL REFERENCES shows ON DELETE CASCADE,
                       title text NOT NULL, show_notes text NOT NULL DEFAULT '');
CREATE TABLE chapters (id bigint PRIMARY KEY, episode_id bigint NOT NULL REFERENCES episodes ON DELETE CASCADE,
                       title text NOT NULL, toc integer NOT NULL DEFAULT 1);
CREATE TABLE segments (id bigint PRIMARY KEY, episode_id bigint NOT NULL REFERENCES episodes ON DELETE CASCADE,
                       position integer NOT NULL, start_s integer NOT NULL, speaker text, text text NOT NULL,
                       cue_times text, UNIQUE (episode_id, position));
CREATE TABLE catalog_state (id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL);
INSERT INTO catalog_state VALUES (1, 0);
"""
COPIED = {
    "shows": "id, title",
    "episodes": "id, show_id, title, show_notes",
    "chapters": "id, episode_id, title, toc",
    "segments": "id, episode_id, position, start_s, speaker, text, cue_times",
}

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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with pgserver.running() as dsn:
        yield dsn


_databases = iter(range(1_000_000))


@pytest.fixture
def pg_dsn(pg_server: str) -> str:
    """An empty database of its own for each test, with the search migration applied."""
    name = f"quotes_{next(_databases)}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    dsn = pg_server.replace("dbname=postgres", f"dbname={name}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(TABLES)
        conn.execute(MIGRATION.read_text(encoding="utf-8"))
    return dsn


def copy_store(path: Path, dsn: str) -> None:
    """Every row quote search reads, from the SQLite store at `path` into PostgreSQL, then ANALYZE."""
    with contextlib.closing(sqlite3.connect(path)) as src, psycopg.connect(dsn, autocommit=True) as pg:
        with pg.cursor() as cur:
            cur.execute("TRUNCATE shows, episodes, chapters, segments")
            cur.execute("UPDATE catalog_state SET generation = generation + 1")
            for table, columns in COPIED.items():
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in src.execute(f"SELECT {columns} FROM {table}"):
                        copy.write_row(row)
        pg.execute("ANALYZE")


@dataclass(frozen=True)
class _Engine:
    dsn: str
    name: str = "postgresql"


class _OnPostgres:
    """What quote search reads of a store on PostgreSQL: its engine's DSN (and a path, for the lookups
    these tests do not ask for). TODO(pg12): the PostgreSQL store itself, once it lands."""

    def __init__(self, path: Path, dsn: str) -> None:
        self.path = path
        self.engine = _Engine(dsn)


@contextlib.asynccontextmanager
async def both(store: Store, dsn: str) -> AsyncIterator[tuple[Search, Search]]:
    copy_store(store.path, dsn)
    sqlite, pg = Search(store), Search(_OnPostgres(store.path, dsn))  # type: ignore[arg-type]
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


async def test_every_suite_quote_answers_the_same_on_both_engines(store: Store, pg_dsn: str) -> None:
    await store.catalog.ingest(latent_like())
    async with both(store, pg_dsn) as (sqlite, pg):
        found = 0
        for query in SUITE_QUOTES:
            expected = seen(await sqlite.quotes(query, limit=10, scope=EVERYWHERE))
            assert seen(await pg.quotes(query, limit=10, scope=EVERYWHERE)) == expected, query
            found += bool(expected)
        # The comparison is about answers, not about two empty lists.
        assert found > len(SUITE_QUOTES) // 3


async def test_pages_and_one_episode_answer_the_same(store: Store, pg_dsn: str) -> None:
    await store.catalog.ingest(latent_like())
    async with both(store, pg_dsn) as (sqlite, pg):
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


async def test_a_misspelling_is_corrected_towards_the_same_word(store: Store, pg_dsn: str) -> None:
    segments = (
        Segment(0, "The grade of the work was high.", "Ana"),
        Segment(10, "Every grade counts.", "Ana"),
        Segment(20, "A grape, not a grade.", "Bo"),
        Segment(30, "Just a grape here.", "Bo"),
    )
    await store.catalog.ingest(make_source(make_episode("Grades", segments=segments)))
    async with both(store, pg_dsn) as (sqlite, pg):
        hits = await pg.quotes("grase", limit=10, scope=EVERYWHERE)
        assert {h.start_s for h in hits} == {0, 10, 20}
        assert seen(hits) == seen(await sqlite.quotes("grase", limit=10, scope=EVERYWHERE))


@pytest.mark.parametrize("common", [quotes.COMMON, 50])
async def test_a_line_among_350_that_scatter_its_words_answers_the_same(
    store: Store, pg_dsn: str, monkeypatch: pytest.MonkeyPatch, common: int
) -> None:
    # As in tests/test_search_quotes.py: with the default COMMON the 350 are too many to rank; with 50,
    # every word is common, as at scale, and the phrase is found whole.
    monkeypatch.setattr(quotes, "COMMON", common)
    said = Segment(0, "Honestly, you know what I mean by that?", "Ana")
    scattered = tuple(
        Segment(10 + i, f"I know you mean {i} things, what a day number {i}.", "Bo") for i in range(350)
    )
    await store.catalog.ingest(make_source(make_episode("Busy", segments=(said, *scattered))))
    async with both(store, pg_dsn) as (sqlite, pg):
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


async def test_accents_symbols_and_joined_words_answer_the_same(store: Store, pg_dsn: str) -> None:
    segments = (
        Segment(0, "Un CAFÉ crème, déjà vu.", "Ana"),
        Segment(10, "Cafe creme is not what I said.", "Bo"),
        Segment(20, "I still write C++ every day, on Bolt.new.", "Ana"),
        Segment(30, "Plan C is the class C option, the cheap one.", "Bo"),
        Segment(40, "We raised $40,000 from friends for self-driving cars.", "Ana"),
        Segment(50, "About 40 000 people listened, and 40,000 more later.", "Bo"),
    )
    await store.catalog.ingest(make_source(make_episode("Symbols", segments=segments)))
    async with both(store, pg_dsn) as (sqlite, pg):
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


async def test_the_index_follows_a_transcript_read_again(store: Store, pg_dsn: str) -> None:
    # The generated column is rewritten with the text: an edited line is found by its new words only.
    await store.catalog.ingest(
        make_source(make_episode("Edited", segments=(Segment(0, "An old line.", "Ana"),)))
    )
    copy_store(store.path, pg_dsn)
    # As an ingest does: the text and the catalog's generation in one transaction (committed on exit).
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("UPDATE segments SET text = 'A brand new sentence.'")
        conn.execute("UPDATE catalog_state SET generation = generation + 1")
    async with contextlib.AsyncExitStack() as stack:
        pg = Search(_OnPostgres(store.path, pg_dsn))  # type: ignore[arg-type]
        stack.push_async_callback(pg.close)
        assert [h.text for h in await pg.quotes("brand new", scope=EVERYWHERE)] == ["A brand new sentence."]
        assert await pg.quotes("old line", scope=EVERYWHERE) == []
