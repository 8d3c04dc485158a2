"""/latest: the newest episode, as /episode shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs.common.errors import tell
from cogs.common.reply import deferred_if_slow, reply
from cogs.episode import episode_card

if TYPE_CHECKING:
    from bot.client import PodBot


class Latest(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    @app_commands.command(name="latest", description="Show the newest episode.")
    async def latest(self, interaction: discord.Interaction) -> None:
        async with deferred_if_slow(interaction):
            newest = await self.bot.search.latest()
            if newest is None:
                await tell(
                    interaction, "There are no episodes yet. An operator can add some with `podbot ingest`."
                )
                return
            embed, view = episode_card(newest)
            await reply(interaction, embeds=[embed], view=view)


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Latest(bot))
