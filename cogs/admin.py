"""/sync: register the slash commands with Discord, for the bot's owners only.

A slash command rather than a prefix command: prefix commands would need the privileged message-content
intent. It is hidden from everyone but server administrators by default (Discord's own permission
gate), and the callback checks that the user is an owner (PODBOT_OWNER_IDS, else the application's
owner or team). The very first sync, before /sync exists on Discord, is `podbot sync`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import sync_commands
from cogs.common.reply import deferred_if_slow, reply

if TYPE_CHECKING:
    from bot.client import PodBot

log = logging.getLogger(__name__)


async def _is_owner(interaction: discord.Interaction) -> bool:
    bot: PodBot = interaction.client  # type: ignore[assignment]
    if await bot.is_owner(interaction.user):
        return True
    raise app_commands.CheckFailure("Only the bot's owners can sync its commands.")


class Admin(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="sync", description="Owners only: register the bot's slash commands with Discord."
    )
    @app_commands.describe(
        scope="here: this server only, instantly; global: every server; clear: remove this server's copies."
    )
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    @app_commands.check(_is_owner)
    async def sync(
        self, interaction: discord.Interaction, scope: Literal["here", "global", "clear"] = "here"
    ) -> None:
        async with deferred_if_slow(interaction, ephemeral=True):
            guild_id = None if scope == "global" else interaction.guild_id
            names = await sync_commands(self.bot, guild_id, clear=scope == "clear")
            log.info(
                "user %s synced commands (%s): %s", interaction.user.id, scope, ", ".join(names) or "none"
            )
            where = {"here": "this server", "global": "every server", "clear": "this server"}[scope]
            listed = ", ".join(f"/{n}" for n in names) if names else "no commands"
            await reply(interaction, content=f"Synced {listed} to {where}.", ephemeral=True)


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Admin(bot))
