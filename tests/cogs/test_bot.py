"""The bot as a whole: extensions, command metadata, sync, intents, sharding, errors and the 3-second rule."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import TYPE_CHECKING, Any

import discord
import pytest
import simcord
from discord import app_commands

from bot.client import EXTENSIONS, PodBot, sync_commands
from bot.search.engine import LookupsStopped
from bot.search.results import EmptyQuery
from tests.cogs.helpers import callback_types

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.store import Store
    from tests.cogs.conftest import MakeBot, World


def _walk_options(command: app_commands.Command[Any, ..., Any]) -> list[app_commands.Parameter]:
    return list(command.parameters)


async def test_every_cog_loads_and_every_command_and_option_is_unique_and_described(
    simcord_env: simcord.Env,
) -> None:
    bot: PodBot = simcord_env.bot  # type: ignore[assignment]
    assert set(bot.extensions) == set(EXTENSIONS)
    top_level = bot.tree.get_commands()
    names = [c.name for c in top_level]
    assert (
        sorted(names)
        == sorted(set(names))
        == [
            "announce",
            "chapters",
            "episode",
            "guest",
            "latest",
            "quote",
            "show",
            "sync",
        ]
    )
    commands: list[app_commands.Command[Any, ..., Any]] = []
    for entry in top_level:
        if isinstance(entry, app_commands.Group):
            assert entry.description, entry.name
            commands.extend(c for c in entry.commands if isinstance(c, app_commands.Command))
        else:
            assert isinstance(entry, app_commands.Command)
            commands.append(entry)
    for command in commands:
        assert command.description, command.qualified_name
        assert command.description != "…", command.qualified_name
        options = [p.name for p in _walk_options(command)]
        assert len(options) == len(set(options)), command.qualified_name
        for parameter in _walk_options(command):
            assert parameter.description, f"/{command.qualified_name} {parameter.name}"
            assert parameter.description != "…", f"/{command.qualified_name} {parameter.name}"
    # What Discord receives: within its limits.
    for entry in top_level:
        payload = entry.to_dict(bot.tree)
        assert 1 <= len(payload["description"]) <= 100
        for option in payload.get("options", []):
            assert 1 <= len(option["description"]) <= 100
            for sub_option in option.get("options", []):
                assert 1 <= len(sub_option["description"]) <= 100


async def test_the_bot_asks_for_no_privileged_intents_and_pings_no_one_by_default(
    simcord_env: simcord.Env,
) -> None:
    bot = simcord_env.bot
    assert isinstance(bot, discord.AutoShardedClient)
    assert bot.intents.guilds
    assert not bot.intents.members
    assert not bot.intents.presences
    assert not bot.intents.message_content
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == discord.AllowedMentions.none().to_dict()


async def test_starting_the_bot_never_syncs_commands(simcord_env: simcord.Env) -> None:
    assert not [r for r in simcord_env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    # As on Discord: a command that was never synced cannot be used.
    with pytest.raises(simcord.SetupError, match="never synced"):
        await alice.slash(channel, "latest")


@pytest.mark.simcord(shard_count=2)
async def test_commands_work_on_every_shard(bundled_store: Store, make_bot: MakeBot) -> None:
    bot = await make_bot(bundled_store, shard_count=2)
    async with simcord.run(bot) as env:
        for shard_id in (0, 1):
            guild = env.create_guild(f"shard {shard_id}", shard_id=shard_id)
            channel = guild.create_text_channel("general")
            member = guild.add_member(env.create_user(f"user{shard_id}"))
            await sync_commands(bot, guild.id)
            result = await member.slash(channel, "latest")
            assert result.response.embeds[0].title
            assert bot.get_guild(guild.id).shard_id == shard_id


# --- errors ---------------------------------------------------------------------------------------------


async def test_a_discord_failure_gets_something_went_wrong_and_a_logged_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord fails the first answer; the error handler's own answer then gets through.
    world.env.inject_error("POST", "/interactions/*/*/callback", status=500)
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        result = await world.alice.slash(world.channel, "latest")

    assert result.ephemeral
    assert result.response.content.startswith("Something went wrong")
    assert "Traceback" not in result.response.content
    (record,) = [r for r in caplog.records if r.name == "cogs.errors"]
    assert "/latest" in record.getMessage()
    assert record.exc_info
    assert isinstance(record.exc_info[1], discord.HTTPException)
    # simcord saw the error reach the handler; acknowledged here so the test does not fail on it.
    assert any(isinstance(e, app_commands.CommandInvokeError) for e in world.env.errors)


async def test_a_bug_in_the_core_gets_something_went_wrong_and_a_logged_traceback(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(world.env.bot.search, "resolve_episode", broken)
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        result = await world.alice.slash(world.channel, "episode", query="windsurf")

    assert result.ephemeral
    assert result.response.content == (
        "Something went wrong on our side while answering that. It has been logged; please try again in a moment."
    )
    (record,) = [r for r in caplog.records if r.name == "cogs.errors"]
    assert isinstance(record.exc_info[1], ZeroDivisionError)
    assert "ZeroDivisionError" in caplog.text
    # simcord saw the error reach the handler (and this acknowledges it).
    assert any(isinstance(getattr(e, "original", e), ZeroDivisionError) for e in world.env.errors)


async def test_a_failing_button_is_reported_like_a_command(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = await world.alice.slash(world.channel, "episode", query="windsurf")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store gone")

    monkeypatch.setattr(world.env.bot.store.catalog, "get", broken)
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        clicked = await world.bob.click(card.response, label="All chapters")

    assert clicked.ephemeral
    assert clicked.response.content.startswith("Something went wrong")
    assert "component 'podbot:allchapters:" in caplog.text
    assert any(isinstance(e, RuntimeError) for e in world.env.errors)


async def test_a_blank_query_is_one_sentence_of_bad_input(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="   ")
    assert result.ephemeral
    assert result.response.content == "Type a few words to search for."
    assert any(isinstance(getattr(e, "original", e), EmptyQuery) for e in world.env.errors)


async def test_a_failing_autocomplete_answers_with_no_choices(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index corrupt")

    monkeypatch.setattr(world.env.bot.search, "suggest_people", broken)
    with caplog.at_level(logging.ERROR):
        choices = await world.alice.autocomplete(world.channel, "guest", "name", "er")
    assert choices == []
    assert "autocomplete for /guest name failed" in caplog.text


# --- the 3-second rule ----------------------------------------------------------------------------------


class SlowSearch:
    """The real search, but every call takes `delay` seconds first (of simcord's virtual time)."""

    def __init__(self, search: Any, delay: float) -> None:
        self._search, self._delay = search, delay

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._search, name)

        async def slow(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(self._delay)
            return await target(*args, **kwargs)

        return slow


async def test_fast_answers_are_not_deferred(world: World) -> None:
    await world.alice.slash(world.channel, "episode", query="windsurf")
    assert callback_types(world.env) == [4]  # one request: the reply itself


# Timers further away than the settle timeout wait for advance_time(), so virtual seconds cost no real ones.
@pytest.mark.simcord(settle_timeout=1.0)
@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("episode", {"query": "windsurf"}),
        ("quote", {"text": "webcontainer"}),
        ("chapters", {"episode": "windsurf"}),
        ("guest", {"name": "Erik"}),
        ("latest", {}),
    ],
)
async def test_slow_answers_are_deferred_before_three_seconds(
    world: World, monkeypatch: pytest.MonkeyPatch, command: str, options: dict[str, str]
) -> None:
    bot: PodBot = world.env.bot  # type: ignore[assignment]
    monkeypatch.setattr(bot.core, "search", SlowSearch(bot.search, delay=4.0))

    result = await world.alice.slash(world.channel, command, **options)
    await world.env.advance_time(10)  # simcord's virtual clock: Discord's 3 s deadline is enforced on it

    # "Thinking…" went out in time (type 5), and the answer replaced it when the work was done.
    assert callback_types(world.env)[0] == 5
    assert result.response is not None
    assert result.response.embeds, result.response.content


@pytest.mark.simcord(settle_timeout=1.0)
async def test_a_slow_page_turn_is_deferred_then_edited_in_place(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await world.alice.slash(world.channel, "quote", text="agents")
    bot: PodBot = world.env.bot  # type: ignore[assignment]
    monkeypatch.setattr(bot.core, "search", SlowSearch(bot.search, delay=4.0))

    await world.alice.click(result.response, label="Next ▶")
    await world.env.advance_time(10)

    assert callback_types(world.env)[-1] == 6  # "deferred update": the click is acknowledged in time
    assert "Match 2" in result.response.embeds[0].footer.text  # the same message, edited


@pytest.mark.simcord(settle_timeout=1.0)
async def test_slow_autocomplete_answers_in_time_with_no_choices(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot: PodBot = world.env.bot  # type: ignore[assignment]
    monkeypatch.setattr(bot.core, "search", SlowSearch(bot.search, delay=10.0))
    with caplog.at_level(logging.WARNING):
        await world.alice.autocomplete(world.channel, "guest", "name", "erik")
        await world.env.advance_time(2.5)

    answers = [r.json for r in world.env.http_requests if r.path.endswith("/callback")]
    # Answered (with no choices) before Discord's 3 s, rather than left to fail.
    assert answers == [{"type": 8, "data": {"choices": []}}]
    assert "took longer than" in caplog.text


# --- /sync ----------------------------------------------------------------------------------------------


def test_owner_ids_come_from_settings(bot_settings: Settings) -> None:
    from bot.client import create_bot

    bot = create_bot(bot_settings.model_copy(update={"owner_ids": [11, 22]}))
    assert bot.owner_ids == {11, 22}


async def test_sync_is_hidden_from_members_and_refused_to_admins_who_are_not_owners(world: World) -> None:
    assert "sync" not in world.alice.available_commands(world.channel)
    assert "episode" in world.alice.available_commands(world.channel)

    admins = world.guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    admin = world.guild.add_member(world.env.create_user("admin"), roles=[admins])
    puts_before = _command_puts(world.env)
    result = await admin.slash(world.channel, "sync")

    assert result.ephemeral
    assert result.response.content == "Only the bot's owners can sync its commands."
    assert _command_puts(world.env) == puts_before
    assert any(isinstance(e, app_commands.CheckFailure) for e in world.env.errors)


@pytest.mark.parametrize(("scope", "where"), [("here", "this server"), ("global", "every server")])
async def test_an_owner_syncs_the_commands(world: World, scope: str, where: str) -> None:
    admins = world.guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    owner = world.guild.add_member(world.env.create_user("owner"), roles=[admins])
    world.env.bot.owner_ids = {owner.id}  # as PODBOT_OWNER_IDS would say
    puts_before = _command_puts(world.env)

    result = await owner.slash(world.channel, "sync", scope=scope)

    assert result.ephemeral
    assert result.response.content == (
        f"Synced /announce, /chapters, /episode, /guest, /latest, /quote, /show, /sync to {where}."
    )
    new_puts = _command_puts(world.env)[len(puts_before) :]
    assert len(new_puts) == 1
    assert ("/guilds/" in new_puts[0]) == (scope == "here")


def _command_puts(env: simcord.Env) -> list[str]:
    return [r.path for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_a_lookup_process_that_keeps_dying_gets_try_again_then_answers_again(
    bundled_store: Store, bot_settings: Settings
) -> None:
    # As `podbot run` builds it: lookups in a process of their own.
    from bot.client import create_bot
    from bot.search import Search

    search = Search(bundled_store, isolated=True)
    # The lookup process is started here, outside the bot's own work, as setup_hook starts it in
    # production (simcord would otherwise count its reader task as work the bot never finishes).
    await search.refresh()
    try:
        bot = create_bot(bot_settings, bundled_store, search, shard_count=1)
        async with simcord.run(bot) as env:
            guild = env.create_guild("listeners")
            channel = guild.create_text_channel("general")
            member = guild.add_member(env.create_user("ana"))
            await sync_commands(bot, guild.id)
            assert (await member.slash(channel, "episode", query="bolt")).response.embeds

            async def kill_lookups() -> None:
                os.kill(search._lookups.pid, signal.SIGKILL)  # type: ignore[attr-defined]
                for _ in range(500):
                    if search._lookups.pid is None:  # type: ignore[attr-defined]
                        return
                    await asyncio.sleep(0.01)

            await kill_lookups()
            await search.refresh()  # a first death is repaired at once
            await kill_lookups()  # a second in a row waits a moment
            result = await member.slash(channel, "episode", query="windsurf")
            assert result.ephemeral
            assert result.response.content == "Search is restarting; please try again in a moment."
            assert any(isinstance(getattr(e, "original", e), LookupsStopped) for e in env.errors)

            await asyncio.sleep(1.1)
            await search.refresh()
            result = await member.slash(channel, "episode", query="windsurf")
            assert "Windsurf" in result.response.embeds[0].title
    finally:
        await search.close()
