"""Shows as first-class records: the upgrade of an older store, the instance's defaults, scopes enforced
by the store and search, and `podbot shows` / `--show` on the command line."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import aiosqlite
import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from bot.scope import Scope
from bot.search import Search
from bot.shows import ShowService
from bot.store import Store
from bot.store.migrations import bundled_migrations, migrate
from bot.store.pairs import register as register_functions
from tests.factories import make_episode, make_source
from tests.snapshots import dump

if TYPE_CHECKING:
    from pathlib import Path


async def test_an_older_store_upgrades_in_place_and_its_shows_stay_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    async with aiosqlite.connect(path) as conn:
        await register_functions(conn)
        assert await migrate(conn, bundled_migrations()[:5]) == 5
        await conn.execute(
            "INSERT INTO shows (id, key, title, feed_url) VALUES (7, 'https://old.example/feed', 'Old Show',"
            " 'https://old.example/feed')"
        )
        await conn.execute(
            "INSERT INTO episodes (show_id, guid, title, title_key, added_at, updated_at)"
            " VALUES (7, 'g1', 'Harbour Lights', 'harbour lights', '2024-01-01', '2024-01-01')"
        )
        await conn.commit()
    async with await Store.open(path) as store:
        [show] = await store.shows.all()
        assert (show.id, show.title, show.origin, show.episode_count) == (7, "Old Show", "operator", 1)
        assert show.source == "https://old.example/feed"
        service = ShowService(Settings(db=path), store, Search(store))
        assert await service.scope_for(guild_id=1) == Scope.of(7)
        [episode] = await store.catalog.episodes(scope=Scope.of(7))
        assert (episode.show_id, episode.episode.title) == (7, "Harbour Lights")


async def test_default_shows_come_from_the_setting(store: Store) -> None:
    one = await store.catalog.ingest(
        make_source(make_episode("A"), title="First Show"), location="/srv/one.xml"
    )
    two = await store.catalog.ingest(make_source(make_episode("B"), title="Second Show"))
    server = await store.catalog.ingest(make_source(make_episode("C"), title="Their Show"), origin="server")
    search = Search(store)
    try:

        def service(value: str | None) -> ShowService:
            return ShowService(Settings(db=store.address, default_shows=value), store, search)

        # Unset: what the operator ingested, never what a server added.
        assert await service(None).defaults() == Scope.of(one.show_id, two.show_id)
        assert await service("none").defaults() == Scope.of()
        assert await service("/srv/one.xml").defaults() == Scope.of(one.show_id)
        assert await service("second show, Their Show").defaults() == Scope.of(two.show_id, server.show_id)
        # A server that chose shows answers from those; one that chose none, from the defaults.
        await store.shows.add_to_server(42, server.show_id)
        assert await service(None).scope_for(42) == Scope.of(server.show_id)
        assert await service(None).scope_for(43) == Scope.of(one.show_id, two.show_id)
        assert await service(None).scope_for(None) == Scope.of(one.show_id, two.show_id)
    finally:
        await search.close()


@pytest.mark.sqlite_only(
    "episode lookups weigh chapter and notes matches: PostgreSQL full-text search is not built yet"
)
async def test_nothing_outside_the_scope_is_answered(store: Store) -> None:
    ours = await store.catalog.ingest(
        make_source(make_episode("Harbour Lights", words=40), title="Ours"), origin="server"
    )
    theirs = await store.catalog.ingest(
        make_source(make_episode("Harbour Lights Again", words=40), title="Theirs"), origin="server"
    )
    scope = Scope.of(ours.show_id)
    search = Search(store)
    try:
        assert {m.show_id for m in await search.episodes("harbour", scope=scope)} == {ours.show_id}
        assert {s.value for s in await search.suggest_episodes("", scope=scope)} == {str(ours.episode_ids[0])}
        # An id typed (or sent back by a button) from the other show resolves to nothing here.
        assert await search.resolve_episode(str(theirs.episode_ids[0]), scope=scope) is None
        assert await store.catalog.get(theirs.episode_ids[0], scope=scope) is None
        hits = await search.quotes("word1x3", scope=scope, limit=10)
        assert hits
        assert {h.show_id for h in hits} == {ours.show_id}
        assert await search.quotes("word1x3", scope=scope, episode_id=theirs.episode_ids[0]) == []
        [person] = await search.people("bo guest", scope=scope)
        assert [e.show_id for e in person.episodes] == [ours.show_id]
        assert person.episode_count == 1
        # The same person across both shows is one person with the episodes of each.
        [both] = await search.people("bo guest", scope=Scope.of(ours.show_id, theirs.show_id))
        assert both.episode_count == 2
        assert await search.episodes("harbour", scope=Scope.of()) == []
        latest = await search.latest(scope=Scope.of(theirs.show_id))
        assert latest is not None
        assert latest.show_id == theirs.show_id
    finally:
        await search.close()


def podbot(db: str | Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


async def _two_shows(location: str | Path) -> None:
    async with await Store.open(location) as store:
        await store.catalog.ingest(make_source(make_episode("Kelp Forests"), title="Kelp Cast"))
        await store.catalog.ingest(make_source(make_episode("Sonar Pings"), title="Sonar Hour"))


def test_the_cli_lists_shows_and_narrows_to_one(store_location: str | Path) -> None:
    db = store_location
    asyncio.run(_two_shows(db))
    listed = podbot(db, "shows", "--json")
    shows = json.loads(listed.stdout)  # type: ignore[attr-defined]
    titles = [s["title"] for s in shows]
    assert titles == ["Kelp Cast", "Sonar Hour"]
    assert all(s["episodes"] >= 1 and s["last_read"] for s in shows)
    found = json.loads(podbot(db, "episode", "pings", "--show", "sonar hour", "--json").stdout)  # type: ignore[attr-defined]
    assert [(e["title"], e["show"]["title"]) for e in found] == [("Sonar Pings", "Sonar Hour")]
    assert json.loads(podbot(db, "episode", "pings", "--show", "kelp", "--json").stdout) == []  # type: ignore[attr-defined]
    episodes = json.loads(podbot(db, "episodes", "--show", "Kelp Cast", "--json").stdout)  # type: ignore[attr-defined]
    assert [e["title"] for e in episodes] == ["Kelp Forests"]
    text = podbot(db, "episode", "pings").stdout  # type: ignore[attr-defined]
    assert "on Sonar Hour" in text  # several shows in scope: each answer names its show


def test_an_unknown_show_on_the_cli_is_one_sentence_and_exit_1(store_location: str | Path) -> None:
    db = store_location
    asyncio.run(_two_shows(db))
    before = dump(db)
    result = podbot(db, "quote", "pings", "--show", "zzzz qqqq")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.strip() == "podbot: no show matches 'zzzz qqqq'; `podbot shows` lists them"  # type: ignore[attr-defined]
    assert dump(db) == before
