"""A store file with damaged pages under a running bot: users get one clear sentence, the log the cause."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from bot.bootstrap import open_store
from bot.store import Store, is_damage
from cogs.common.errors import STORE_DAMAGED
from tests.damage import damage_pages

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from bot.client import PodBot
    from tests.cogs.conftest import MakeBot, World


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    path = tmp_path / "damaged.db"
    await (await open_store(path, seed=True)).close()
    store = await Store.open(path)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def simcord_bot(store: Store, make_bot: MakeBot) -> PodBot:
    # The disk fails under a bot that started on a sound store (one that will not start on a damaged file
    # says so on the command line instead: tests/test_cli_bot.py).
    bot = await make_bot(store)
    damage_pages(store.path)
    return bot


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
