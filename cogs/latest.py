"""/latest: the newest episode, as /episode shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs.common.choices import answer_choices
from cogs.common.errors import tell
from cogs.common.installs import anywhere
from cogs.common.reply import deferred_if_slow, reply
from cogs.common.scope import SHOW_OPTION, scope_or_tell, show_suggestions
from cogs.episode import episode_card

if TYPE_CHECKING:
    from bot.client import PodBot


class Latest(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    @anywhere
    @app_commands.command(name="latest", description="Show the newest episode.")
    @app_commands.describe(show=SHOW_OPTION)
    async def latest(
        self, interaction: discord.Interaction, show: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        async with deferred_if_slow(interaction):
            scope = await scope_or_tell(self.bot, interaction, show)
            if scope is None:
                return
            newest = await self.bot.search.latest(scope=scope)
            if newest is None:
                await tell(interaction, no_episodes_sentence(interaction))
                return
            embed, view = episode_card(newest)
            await reply(interaction, embeds=[embed], view=view)

    @latest.autocomplete("show")
    async def show_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await answer_choices(show_suggestions(self.bot, interaction, current), what="/latest show")


def no_episodes_sentence(interaction: discord.Interaction) -> str:
    if interaction.guild_id is not None:
        return "There are no episodes yet in this server's shows. A manager can add a show with `/show add`."
    return "There are no episodes yet. An operator can add some with `podbot ingest`."


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Latest(bot))
