"""A synced guild with a channel and two members, for driving the bot's commands through simcord."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from bot.client import sync_commands

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    import simcord

    from bot.client import PodBot

    # The `make_bot` fixture (tests/conftest.py): the real bot over a given store.
    MakeBot = Callable[..., Awaitable[PodBot]]


@dataclass
class World:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor


async def make_world(env: simcord.Env) -> World:
    guild = env.create_guild("Podcast Fans")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    # Commands are synced on purpose, as an operator would with `podbot sync --guild`.
    await sync_commands(env.bot, guild.id)
    return World(env, guild, channel, alice, bob)


@pytest.fixture
async def world(simcord_env: simcord.Env) -> World:
    return await make_world(simcord_env)
