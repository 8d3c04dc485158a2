"""`podbot store copy`: a SQLite store into PostgreSQL and back, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from bot.bootstrap import open_store
from bot.cli import cli
from bot.store import Store
from bot.store.copy import TABLES
from tests.snapshots import dump

if TYPE_CHECKING:
    from pathlib import Path

    from tests.postgres_server import PostgresServer

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def podbot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


async def _fill(path: Path) -> None:
    """The bundled page, a server's choice of show, and a channel following a feed."""
    async with await open_store(path, seed=True) as store:
        [show] = await store.shows.all()
        await store.shows.add_to_server(111, show.id, added_by=5, now=NOW)
        await store.follows.subscribe(
            guild_id=111, channel_id=222, feed_url="https://feeds.example/show.xml", role_id=333, now=NOW
        )


def test_every_column_of_every_table_is_copied(tmp_path: Path) -> None:
    asyncio.run(_open_and_close(tmp_path / "schema.db"))
    with sqlite3.connect(tmp_path / "schema.db") as conn:
        tables = {
            name: tuple(c[1] for c in conn.execute(f'PRAGMA table_info("{name}")'))
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
                " AND name NOT LIKE '%fts_%' AND name NOT LIKE 'segment_pairs_%'"
            )
        }
    tables.pop("catalog_state")  # one row, its generation copied by itself
    # Holds a row only inside an ingest's own transaction (migration 013): there is never one to copy.
    tables.pop("segment_index_deferred")
    assert {name: set(columns) for name, columns, _ in TABLES} == {n: set(c) for n, c in tables.items()}


async def _open_and_close(path: Path) -> None:
    await (await Store.open(path)).close()


def test_a_store_goes_to_postgresql_and_back_with_nothing_lost(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    original = tmp_path / "original.db"
    asyncio.run(_fill(original))
    url = postgres_server.create_database()
    there = podbot("store", "copy", str(original), url)
    assert there.exit_code == 0, there.output
    assert "5 episodes" in there.output
    assert "checked" in there.output
    back = tmp_path / "back.db"
    again = podbot("store", "copy", url, str(back))
    assert again.exit_code == 0, again.output
    # Row for row, index for index: the same store. The FTS5 indexes are rebuilt from the copied rows, so
    # they must hold the same postings, though not in the same b-tree bytes (the original's ingest indexes
    # an episode at a time, the copy row by row in its triggers).
    assert dump(back, index_layout=False) == dump(original, index_layout=False)
    # And it answers as the original does.
    for args in (["episode", "bolt", "--json"], ["quote", "webcontainer", "--json"]):
        assert podbot("--db", str(back), *args).output == podbot("--db", str(original), *args).output


def test_a_copy_into_a_store_that_holds_something_is_refused_and_changes_nothing(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    original = tmp_path / "original.db"
    asyncio.run(_fill(original))
    url = postgres_server.create_database()
    assert podbot("store", "copy", str(original), url).exit_code == 0
    before = dump(url)
    refused = podbot("store", "copy", str(original), url)
    assert refused.exit_code == 1
    assert refused.output.strip() == f"podbot: {url} already holds a store; copy into a new, empty one"
    assert dump(url) == before


def test_a_missing_source_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    result = podbot("store", "copy", str(tmp_path / "nowhere.db"), str(tmp_path / "new.db"))
    assert result.exit_code == 1
    assert result.output.strip() == f"podbot: there is no store at {tmp_path / 'nowhere.db'}"
    assert not (tmp_path / "nowhere.db").exists()
    assert not (tmp_path / "new.db").exists()
