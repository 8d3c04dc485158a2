"""`podbot run` and `podbot sync` as an operator runs them: real processes, a fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import TYPE_CHECKING

import pytest

from bot.bootstrap import open_store
from bot.client import REJECTED_TOKEN
from bot.store import Store
from tests.damage import damage_pages
from tests.fake_discord import GOOD_TOKEN, LAUNCHER, fake_discord

if TYPE_CHECKING:
    from pathlib import Path

EXPECTED_COMMANDS = {"announce", "episode", "quote", "chapters", "guest", "latest", "show", "sync"}


def _env(tmp_path: Path, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODBOT_")}
    env["PODBOT_DB"] = str(tmp_path / "store.db")
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    if token is not None:
        env["PODBOT_TOKEN"] = token
    return env


async def _podbot(
    tmp_path: Path, *args: str, token: str | None, base: str | None = None
) -> asyncio.subprocess.Process:
    argv = (
        [sys.executable, "-m", "bot", *args]
        if base is None
        else [sys.executable, "-c", LAUNCHER, base, *args]
    )
    return await asyncio.create_subprocess_exec(
        *argv,
        cwd=tmp_path,
        env=_env(tmp_path, token),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finish(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


async def test_run_without_a_token_says_so_in_one_line(tmp_path: Path) -> None:
    code, _, err = await _finish(await _podbot(tmp_path, "run", token=None))
    assert code != 0
    assert "PODBOT_TOKEN" in _one_line(err)


@pytest.mark.parametrize("token", ["", "   "])
async def test_run_with_a_blank_token_is_no_token(tmp_path: Path, token: str) -> None:
    code, _, err = await _finish(await _podbot(tmp_path, "run", token=token))
    assert code != 0
    assert "no Discord token" in _one_line(err)


async def test_run_with_a_rejected_token_says_so_in_one_line_and_never_prints_it(tmp_path: Path) -> None:
    secret = "wrong-token.NEVER-PRINT-ME"
    async with fake_discord() as discord:
        code, out, err = await _finish(await _podbot(tmp_path, "run", token=secret, base=discord.base))
    assert code != 0
    assert "rejected the token" in _one_line(err)
    assert secret not in out + err
    assert ("GET", "/api/v10/users/@me") in discord.requests
    assert discord.gateway_connects == 0


async def test_run_with_a_token_rejected_at_the_gateway_says_what_a_rejected_token_says(
    tmp_path: Path,
) -> None:
    # REST accepted the token (a reset between the two, or a token for another shard set-up); the
    # gateway closes with 4004 "authentication failed" at IDENTIFY.
    async with fake_discord(close_at_identify=4004) as discord:
        code, out, err = await _finish(await _podbot(tmp_path, "run", token=GOOD_TOKEN, base=discord.base))
    assert discord.identified
    assert code != 0
    assert _one_line(err) == f"podbot: {REJECTED_TOKEN}"
    assert GOOD_TOKEN not in out + err


async def test_run_on_a_damaged_store_says_so_in_one_line_and_touches_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    await (await open_store(store, seed=True)).close()
    damage_pages(store)
    before = store.read_bytes()
    async with fake_discord() as discord:
        code, out, err = await _finish(await _podbot(tmp_path, "run", token=GOOD_TOKEN, base=discord.base))
    assert code != 0
    assert _one_line(err).startswith(f"podbot: the store {store} is damaged")
    assert "Traceback" not in out
    assert discord.gateway_connects == 0
    assert store.read_bytes() == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_run_serves_until_a_signal_then_shuts_down_cleanly(tmp_path: Path, signum: int) -> None:
    async with fake_discord() as discord:
        process = await _podbot(tmp_path, "run", token=GOOD_TOKEN, base=discord.base)
        for _ in range(600):  # the bot logs in, opens and fills the store, then connects to the gateway
            if discord.gateway_connects or process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        if process.returncode is not None:
            pytest.fail(f"podbot run exited early: {await _finish(process)}")
        assert discord.gateway_connects == 1, "the bot never reached the gateway"
        process.send_signal(signum)
        code, out, err = await _finish(process)
    assert code == 0, err
    assert "Traceback" not in out + err
    assert GOOD_TOKEN not in out + err
    # Logs go to stdout; the store was closed after the cogs were unloaded.
    assert "shutting down" in out
    assert "store closed" in out
    # The interpreter was tuned before the gateway connected (bot.interpreter).
    assert "start-up objects frozen out of the garbage collector's walks" in out
    # Never synced on start: no command registration request was made.
    assert not any(method == "PUT" for method, _ in discord.requests)
    # The first start filled the new store from the bundled page, and closed it properly (no WAL left).
    assert not (tmp_path / "store.db-wal").exists()
    async with await Store.open(tmp_path / "store.db") as store:
        assert await store.catalog.count() == 5


async def test_sync_to_a_guild_registers_every_command_with_descriptions(tmp_path: Path) -> None:
    async with fake_discord() as discord:
        code, out, err = await _finish(
            await _podbot(tmp_path, "sync", "--guild", "123", token=GOOD_TOKEN, base=discord.base)
        )
    assert code == 0, err
    registered = discord.synced["123"]
    assert {c["name"] for c in registered} == EXPECTED_COMMANDS
    assert all(c["description"] for c in registered)
    assert "Synced 8 commands to server 123" in out
    # Sync is a one-shot: it never connects to the gateway, nor creates a store.
    assert discord.gateway_connects == 0
    assert not (tmp_path / "store.db").exists()


async def test_sync_globally(tmp_path: Path) -> None:
    async with fake_discord() as discord:
        code, out, err = await _finish(
            await _podbot(tmp_path, "sync", "--global", token=GOOD_TOKEN, base=discord.base)
        )
    assert code == 0, err
    assert {c["name"] for c in discord.synced["global"]} == EXPECTED_COMMANDS
    assert "every server (global)" in out


async def test_sync_clear_removes_a_guilds_copies(tmp_path: Path) -> None:
    async with fake_discord() as discord:
        code, out, err = await _finish(
            await _podbot(tmp_path, "sync", "--guild", "77", "--clear", token=GOOD_TOKEN, base=discord.base)
        )
    assert code == 0, err
    assert discord.synced["77"] == []
    assert "Removed" in out


async def test_sync_with_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    async with fake_discord() as discord:
        code, _, err = await _finish(
            await _podbot(tmp_path, "sync", "--guild", "1", token="nope", base=discord.base)
        )
    assert code != 0
    assert "rejected the token" in _one_line(err)
    assert not discord.synced


async def test_run_takes_verbose_after_the_subcommand(tmp_path: Path) -> None:
    code, _, err = await _finish(await _podbot(tmp_path, "run", "-v", token=None))
    assert code != 0
    assert "No such option" not in err
    assert "PODBOT_TOKEN" in err


async def test_run_names_impossible_shards_in_one_line(tmp_path: Path) -> None:
    code, _, err = await _finish(
        await _podbot(tmp_path, "run", "--shards", "2-9", "--shard-count", "4", token="not-a-real-token")
    )
    assert code != 0
    assert _one_line(err) == "podbot: bad shards: shard 9 does not exist: with 4 shards they are 0-3"
