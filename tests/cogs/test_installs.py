"""User-installable listener commands: what podbot registers with Discord, and answers in a direct message.

simcord models the guild and bot-DM contexts (0 and 1) and checks `contexts` when a command is invoked; it
does not model a user install in a server without the bot, nor group DMs (context 2), nor
`authorizing_integration_owners`. Those are Discord's side of the `integration_types` checked here.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from bot.client import sync_commands

if TYPE_CHECKING:
    import simcord

LISTENER = {"chapters", "episode", "guest", "latest", "quote"}
CONFIGURATION = {"announce", "show", "sync"}
GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2


@pytest.fixture
async def synced(simcord_env: simcord.Env) -> dict[str, dict]:
    # User installs need global commands: what `podbot sync` does without --guild.
    await sync_commands(simcord_env.bot)
    return {c["name"]: c for c in simcord_env.backend.commands[None].values()}


async def test_listener_commands_install_anywhere_and_configuration_stays_in_servers(
    synced: dict[str, dict],
) -> None:
    assert set(synced) >= LISTENER | CONFIGURATION
    for name in LISTENER:
        assert sorted(synced[name]["integration_types"]) == [GUILD_INSTALL, USER_INSTALL], name
        assert sorted(synced[name]["contexts"]) == [GUILD, BOT_DM, PRIVATE_CHANNEL], name
    for name in CONFIGURATION:
        assert synced[name]["integration_types"] == [GUILD_INSTALL], name
        assert synced[name]["contexts"] == [GUILD], name
        # And still hidden from members without the permission (Manage Server, or Administrator for /sync).
        assert synced[name]["default_member_permissions"] not in (None, "0"), name


async def test_a_listener_uses_the_commands_in_a_direct_message(
    simcord_env: simcord.Env, synced: dict[str, dict]
) -> None:
    carol = simcord_env.create_user("carol")
    available = set(carol.available_commands())
    assert available >= LISTENER
    assert not available & CONFIGURATION

    found = await carol.slash("episode", query="bolt")
    assert found.response.embeds[0].title.startswith("Bolt.new")
    latest = await carol.slash("latest")
    assert latest.response.embeds
    quote = await carol.slash("quote", text="webcontainer")
    assert "WebContainer" in quote.response.embeds[0].description
    shared = await carol.click(quote.response, label="Share as image")
    (attachment,) = shared.response.attachments
    assert Image.open(io.BytesIO(await attachment.read())).format == "PNG"
