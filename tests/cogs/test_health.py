"""The heartbeat of the real bot under simcord, read by `podbot health` as the image's HEALTHCHECK runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
import simcord

from bot.client import create_bot
from bot.health import HEARTBEAT_SECONDS, heartbeat_path, read_heartbeat
from bot.search import Search

if TYPE_CHECKING:
    from pathlib import Path

    from bot.config import Settings
    from bot.store import Store
    from tests.cogs.conftest import MakeBot, World


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    # The rate `podbot run` has by default, not the suite's hourly one (tests/conftest.py _isolated_env).
    from bot.config import Settings

    return Settings(db=tmp_path / "unused.db", heartbeat_seconds=HEARTBEAT_SECONDS)


def podbot_health(settings: Settings) -> tuple[int, str, str]:
    """`podbot health` in a process of its own, with the bot's settings (as the container passes them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODBOT_")}
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(settings.db), "health"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=env,
    )
    return completed.returncode, completed.stdout, completed.stderr


def one_line(text: str) -> str:
    (line,) = text.splitlines()
    return line


async def test_a_connected_bot_with_a_readable_store_is_healthy(world: World, bot_settings: Settings) -> None:
    beat = read_heartbeat(heartbeat_path(bot_settings))
    assert beat is not None
    assert beat.problems == ()
    assert beat.pid == os.getpid()
    assert beat.every_s == HEARTBEAT_SECONDS

    code, out, err = podbot_health(bot_settings)

    assert code == 0, err
    assert one_line(out).startswith("podbot is serving: connected to Discord, store readable")
    assert err == ""


async def test_the_heartbeat_is_refreshed_while_the_bot_runs(world: World, bot_settings: Settings) -> None:
    first = read_heartbeat(heartbeat_path(bot_settings))
    await world.env.advance_time(HEARTBEAT_SECONDS)
    second = read_heartbeat(heartbeat_path(bot_settings))
    assert first is not None
    assert second is not None
    assert second.at > first.at


async def test_a_dropped_gateway_connection_is_unhealthy_until_it_is_back(
    world: World, bot_settings: Settings
) -> None:
    shard = world.env.bot.get_shard(0)
    assert shard is not None
    await shard.disconnect()
    await world.env.advance_time(HEARTBEAT_SECONDS)

    code, out, err = podbot_health(bot_settings)
    assert code == 1
    assert out == ""
    assert one_line(err) == (
        "podbot: podbot is not serving: shard 0 of 1 is not connected to Discord's gateway"
    )

    await shard.reconnect()
    await world.env.advance_time(HEARTBEAT_SECONDS)
    code, out, err = podbot_health(bot_settings)
    assert code == 0, err


async def test_a_store_the_bot_cannot_read_is_unhealthy(
    world: World, bundled_store: Store, bot_settings: Settings
) -> None:
    # The store's connections are gone under the running bot (the fixture's own close comes after).
    await bundled_store.close()
    await world.env.advance_time(HEARTBEAT_SECONDS)

    code, _, err = podbot_health(bot_settings)

    assert code == 1
    line = one_line(err)
    if bundled_store.path:
        assert line.startswith(
            f"podbot: podbot is not serving: the store {bundled_store.path} cannot be read ("
        )
    else:
        assert line.startswith(
            f"podbot: podbot is not serving: the PostgreSQL store {bundled_store.location} stopped answering"
        )
    assert "Traceback" not in err


async def test_a_stopped_bot_leaves_no_heartbeat(
    bundled_store: Store, bot_settings: Settings, tmp_path: Path
) -> None:
    search = Search(bundled_store, isolated=True)
    await search.refresh()
    try:
        bot = create_bot(bot_settings, bundled_store, search, shard_count=1)
        async with simcord.run(bot):
            assert podbot_health(bot_settings)[0] == 0
        # As `podbot run` stops on SIGTERM (bot.client.serve): the bot closes, its cogs unloaded first.
        await bot.close()
    finally:
        await search.close()

    assert not heartbeat_path(bot_settings).exists()
    code, _, err = podbot_health(bot_settings)
    assert code == 1
    assert one_line(err) == (
        f"podbot: no heartbeat at {heartbeat_path(bot_settings)}: `podbot run` is not running, "
        "or has not connected to Discord yet"
    )


async def test_one_dropped_shard_of_two_is_named(
    bundled_store: Store, make_bot: MakeBot, bot_settings: Settings
) -> None:
    bot = await make_bot(bundled_store, shard_count=2)
    async with simcord.run(bot) as env:
        assert podbot_health(bot_settings)[0] == 0
        shard = bot.get_shard(1)
        assert shard is not None
        await shard.disconnect()
        await env.advance_time(HEARTBEAT_SECONDS)

        code, _, err = podbot_health(bot_settings)

    assert code == 1
    assert (
        one_line(err) == "podbot: podbot is not serving: shard 1 of 2 is not connected to Discord's gateway"
    )
