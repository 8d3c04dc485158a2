"""A store file with damaged pages under a running bot: users get one clear sentence, the log the cause."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from bot.bootstrap import open_store
from bot.client import create_bot
from bot.search import Search
from bot.store import Store, is_damage
from cogs.common.errors import STORE_DAMAGED
from tests.damage import damage_pages

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from bot.client import PodBot
    from bot.config import Settings
    from tests.cogs.conftest import World


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    path = tmp_path / "damaged.db"
    await (await open_store(path, seed=True)).close()
    store = await Store.open(path)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=["lookups on a thread", "lookups in their own process"])
async def simcord_bot(
    request: pytest.FixtureRequest, store: Store, bot_settings: Settings
) -> AsyncIterator[PodBot]:
    # The disk fails under a bot that started on a sound store (one that will not start on a damaged file
    # says so on the command line instead: tests/test_cli_bot.py). In the bot's own set-up, the lookups run
    # in a process of their own, and the damage reaches the cog as an error rebuilt from a pickle.
    search = Search(store, isolated=request.param.endswith("process"))
    try:
        await search.refresh()
        bot = create_bot(bot_settings, store, search, shard_count=1)
        damage_pages(store.path)
        yield bot
    finally:
        await search.close()


@pytest.mark.parametrize(
    ("command", "options"),
    [("episode", {"query": "bolt"}), ("quote", {"text": "webcontainer"}), ("latest", {})],
)
async def test_a_damaged_store_is_told_to_users_and_logged(
    world: World, caplog: pytest.LogCaptureFixture, command: str, options: dict[str, str]
) -> None:
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        result = await world.alice.slash(world.channel, command, **options)

    assert result.ephemeral
    assert result.response.content == STORE_DAMAGED
    assert not result.response.embeds
    assert any("store file is damaged" in r.getMessage() and r.exc_info for r in caplog.records)
    # simcord saw the damage reach the error handler (and this acknowledges it).
    assert any(is_damage(getattr(e, "original", e)) for e in world.env.errors)
