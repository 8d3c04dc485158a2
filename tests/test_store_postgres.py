"""What is PostgreSQL's own in the store: its migrations and their bookkeeping, its URL, and a server that is
not there. (Everything the engines share is tested on both by the store fixture.)"""

from __future__ import annotations

import asyncio
import json

import psycopg
import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.models import Segment
from bot.store import Store, StoreError
from bot.store.migrations import Migration
from bot.store.pairs import pg_segment_pairs
from bot.store.pg_migrations import bundled_migrations, migrate
from bot.store.placeholders import to_pyformat
from tests.factories import make_episode, make_source
from tests.postgres_server import PostgresServer


def _migrations(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()


async def test_a_new_database_gets_the_whole_schema_once_and_keeps_its_data(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    async with await Store.open(url) as store:
        await store.catalog.ingest(make_source(make_episode("Kept", words=30)))
    expected = [(m.version, m.name) for m in bundled_migrations()]
    assert _migrations(url) == expected
    # Opening it again migrates nothing and loses nothing.
    async with await Store.open(url) as store:
        assert [e.episode.title for e in await store.catalog.episodes()] == ["Kept"]
    assert _migrations(url) == expected


async def test_two_processes_starting_at_once_migrate_once(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    stores = await asyncio.gather(Store.open(url), Store.open(url))
    for store in stores:
        await store.close()
    assert _migrations(url) == [(m.version, m.name) for m in bundled_migrations()]


async def test_a_failing_migration_leaves_the_database_at_the_version_before(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    broken = Migration(
        len(bundled_migrations()) + 1, "999_broken.sql", "CREATE TABLE half (x int); SELEC oops;"
    )
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.SyntaxError):
            await migrate(conn, [*bundled_migrations(), broken])
        found = await (await conn.execute("SELECT to_regclass('half')")).fetchone()
    assert found == (None,)
    assert _migrations(url) == [(m.version, m.name) for m in bundled_migrations()]


async def test_a_database_of_a_newer_podbot_is_refused(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    await (await Store.open(url)).close()
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')")
    with pytest.raises(StoreError, match="newer than this podbot understands"):
        await Store.open(url)


def test_an_unreachable_server_is_one_line_without_the_password(postgres_server: PostgresServer) -> None:
    # A port nobody listens on: the server is down, or was never there.
    url = f"postgresql://podbot:s3cret-word@127.0.0.1:{postgres_server.port + 1}/podbot"
    result = CliRunner().invoke(cli, ["--db", url, "episodes"], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "cannot use the PostgreSQL store postgresql://podbot@127.0.0.1" in lines[0]
    assert "s3cret-word" not in result.output
    assert "Traceback" not in result.output


def test_placeholders_are_translated_outside_literals_names_and_comments() -> None:
    sql = "SELECT '?', \"a?\", x LIKE '50%' FROM t WHERE a = ? -- why?\n AND b = ?"
    assert to_pyformat(sql) == "SELECT '?', \"a?\", x LIKE '50%%' FROM t WHERE a = %s -- why?\n AND b = %s"


async def test_a_server_that_goes_away_mid_command_is_one_sentence_and_loses_nothing() -> None:
    # A server of its own: this test stops it.
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database()
        store = await Store.open(url)
        try:
            await store.catalog.ingest(make_source(make_episode("Before", words=30)))
            server.stop(keep=True)
            with pytest.raises(StoreError) as stopped:
                await store.catalog.ingest(
                    make_source(make_episode("Before", words=30), make_episode("During"))
                )
            message = str(stopped.value)
            assert message.startswith(f"the PostgreSQL store {url} stopped answering")
            assert "try again once it is back" in message
            server.start()
            # The same store object connects again by itself (the bot keeps running through a restart).
            assert [e.episode.title for e in await store.catalog.episodes()] == ["Before"]
            report = await store.catalog.ingest(
                make_source(make_episode("Before", words=30), make_episode("After"))
            )
            assert report.added == ["After"]
        finally:
            await store.close()
    finally:
        server.stop()


# Segments as podbot stored them before the store made the phrase index's terms (migration postgres/006):
# plain English, other scripts (whose terms the database folded otherwise: "ø" by `unaccent`, Greek kept
# as it is), and two long words whose pair was too long for a lexeme.
OLD_SEGMENTS = (
    "You know what I mean, it just works.",
    "Søren Kierkegaard wrote about anxiety.",
    "Ελληνικά λέξη εδώ, και λίγο ακόμα.",
    "a" * 1500 + " " + "b" * 1500 + " and then some",
)
OLD_TIME = "2025-01-01T00:00:00+00:00"


@pytest.mark.parametrize("version", [4, 5])
async def test_a_store_from_before_the_pair_terms_moved_to_the_store_upgrades_and_finds_its_phrases(
    postgres_server: PostgresServer, version: int
) -> None:
    url = postgres_server.create_database()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await migrate(conn, bundled_migrations()[:version])
        (show,) = await (
            await conn.execute("INSERT INTO shows (key, title) VALUES ('old-show', 'Old Show') RETURNING id")
        ).fetchone()
        (episode,) = await (
            await conn.execute(
                "INSERT INTO episodes (show_id, guid, title, title_key, added_at, updated_at)"
                " VALUES (%s, 'g1', 'Old Times', 'old times', %s, %s) RETURNING id",
                (show, OLD_TIME, OLD_TIME),
            )
        ).fetchone()
        for position, text in enumerate(OLD_SEGMENTS):
            await conn.execute(
                "INSERT INTO segments (episode_id, position, start_s, speaker, text) VALUES (%s, %s, %s, 'Ana', %s)",
                (episode, position, position * 60, text),
            )
    async with await Store.open(url) as store:
        rows = await store.reader.fetch_all("SELECT text, pairs::text FROM segments ORDER BY position")
        # Nothing lost, and every segment holds the terms the store makes now, the query side's own.
        assert [text for text, _ in rows] == list(OLD_SEGMENTS)
        for text, pairs in rows:
            expected = await store.reader.fetch_one("SELECT ?::tsvector::text", (pg_segment_pairs(text),))
            assert expected is not None
            assert pairs == expected[0], text[:40]
    assert _migrations(url) == [(m.version, m.name) for m in bundled_migrations()]
    # The phrases are found as typed. (Not the Greek one: the tests' server runs in the C locale, where
    # the words of migration postgres/004 hold Latin letters only.)
    for phrase, segment in (
        ('"kierkegaard wrote about"', 1),
        ('"Søren Kierkegaard"', 1),
        ('"what I mean"', 0),
        ('"and then some"', 3),
    ):
        args = ["--db", url, "quote", phrase, "--json"]
        # The CLI runs its own event loop: in a thread of its own, as from a terminal.
        result = await asyncio.to_thread(CliRunner().invoke, cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        [hit, *_] = json.loads(result.output)
        assert hit["text"] == OLD_SEGMENTS[segment], phrase


async def test_a_pair_of_words_too_long_for_a_lexeme_is_stored_and_found(
    postgres_server: PostgresServer,
) -> None:
    # A lexeme holds at most 2,046 bytes: a pair of two 1,500-letter words (a feed's run of letters with no
    # space) is hashed on both sides rather than stored with its length cut short, which matched nothing.
    url = postgres_server.create_database()
    long_words = "x" * 1500 + " " + "y" * 1500
    segments = (Segment(0, f"before {long_words} after", "Ana"), Segment(10, "Nothing long here.", "Bo"))
    async with await Store.open(url) as store:
        await store.catalog.ingest(make_source(make_episode("Long words", segments=segments)))
        rows = await store.reader.fetch_all(
            "SELECT max(length(l)) FROM segments, unnest(tsvector_to_array(pairs)) AS l GROUP BY id ORDER BY id"
        )
        assert all(n <= 2046 for (n,) in rows)
    args = ["--db", url, "quote", f'"{long_words}"', "--json"]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [hit["text"] for hit in json.loads(result.output)] == [segments[0].text]


async def test_a_statement_the_server_refuses_is_not_called_the_server_going_away(
    postgres_server: PostgresServer,
) -> None:
    # A limit exceeded (here a tsvector over 1 MiB) is an OperationalError to psycopg, as a lost
    # connection is: the sentence says which it was.
    url = postgres_server.create_database()
    async with await Store.open(url) as store:
        too_long = " ".join(f"w{i}" for i in range(200_000))
        with pytest.raises(StoreError) as refused:
            await store.reader.fetch_one("SELECT ?::tsvector", (too_long,))
        message = str(refused.value)
        assert message.startswith(
            f"the PostgreSQL store {url} refused a statement (string is too long for tsvector"
        )
        assert "stopped answering" not in message
        # And the store goes on answering.
        assert await store.reader.fetch_one("SELECT 1") == (1,)
