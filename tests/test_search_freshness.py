"""The lookup index follows the store by itself: episodes another process stores (`podbot ingest` while
the bot runs) reach lookups and autocomplete without anyone calling refresh(), in the thread and in the
process the bot uses; an ingest that changes nothing rebuilds nothing."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from bot.scope import Scope
from bot.search import Search
from bot.store import Store
from tests.factories import make_episode, make_source
from tests.search_data import latent_like

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

if TYPE_CHECKING:
    from pathlib import Path

    from bot.search.results import EpisodeMatch

NEW = "Zanzibar Nights: a Very New Episode"


async def generation(store: Store) -> int:
    row = await store.reader.fetch_one("SELECT generation FROM catalog_state")
    assert row is not None
    return int(row[0])


async def found_within(search: Search, query: str, seconds: float = 10.0) -> list[EpisodeMatch]:
    """Ask as a listener would, again and again, until the answer has something (or time runs out)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await search.episodes(query, scope=EVERYWHERE)
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("isolated", [False, True], ids=["thread", "process"])
async def test_episodes_another_process_stores_reach_lookups_without_a_refresh(
    store_location: str | Path, isolated: bool
) -> None:
    # On either engine: with PostgreSQL, the other process may be a bot on another machine.
    path = store_location
    bot_store = await Store.open(path)
    await bot_store.catalog.ingest(latent_like())
    search = Search(bot_store, isolated=isolated)
    try:
        assert await search.episodes("zanzibar", scope=EVERYWHERE) == []
        # Another process's store (the CLI's): its own connections, and nobody tells the bot.
        cli_store = await Store.open(path)
        try:
            await cli_store.catalog.ingest(make_source(make_episode(NEW)))
        finally:
            await cli_store.close()

        [match] = await found_within(search, "zanzibar")
        assert match.title == NEW
        suggestions = await search.suggest_episodes("zanzib", scope=EVERYWHERE)
        assert suggestions[0].label.startswith(NEW)
    finally:
        await search.close()
        await bot_store.close()


async def test_only_an_ingest_that_changes_the_catalog_moves_its_generation(store: Store) -> None:
    before = await generation(store)
    source = make_source(make_episode(NEW), make_episode("Another Episode"))
    await store.catalog.ingest(source)
    after_first = await generation(store)
    assert after_first == before + 1  # once per ingest, not once per episode

    report = await store.catalog.ingest(source)
    assert not report.changed
    assert await generation(store) == after_first

    await store.catalog.ingest(
        make_source(make_episode(NEW, duration_s=3600), make_episode("Another Episode"))
    )
    assert await generation(store) == after_first + 1
