"""/guest: a person the show has had on, and their episodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.search import AMBIGUITY_MARGIN
from cogs.common.choices import answer_choices
from cogs.common.errors import tell
from cogs.common.find import MAX_ALTERNATIVES
from cogs.common.installs import anywhere
from cogs.common.render import md, person_embed
from cogs.common.reply import deferred_if_slow, reply
from cogs.common.scope import SHOW_OPTION, autocomplete_scope, scope_or_tell, show_suggestions

if TYPE_CHECKING:
    from bot.client import PodBot

# More would not fit in one embed description anyway; the card says how many were left out.
EPISODES_SHOWN = 40


class Guest(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    @anywhere
    @app_commands.command(name="guest", description="Show the episodes a guest (or host) appears in.")
    @app_commands.describe(
        name="The person's name, or part of it; pick from the list or type freely.", show=SHOW_OPTION
    )
    async def guest(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        show: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        async with deferred_if_slow(interaction):
            scope = await scope_or_tell(self.bot, interaction, show)
            if scope is None:
                return
            people = await self.bot.search.people(
                name, scope=scope, limit=MAX_ALTERNATIVES + 1, episodes=EPISODES_SHOWN
            )
            if not people:
                suggestions = await self.bot.search.suggest_people(name, scope=scope, limit=3)
                await tell(
                    interaction,
                    f"I don't know anyone called “{md(name)}”. Try part of the name.",
                    suggestions=[s.label for s in suggestions],
                )
                return
            best = people[0]
            alternatives = [
                p.name
                for p in people[1:]
                if p.score >= best.score - AMBIGUITY_MARGIN and p.name.casefold() != name.strip().casefold()
            ]
            if best.name.casefold() == name.strip().casefold():
                alternatives = []  # picked from the list, or typed exactly
            refs = [ref.episode_id for ref in best.episodes[:EPISODES_SHOWN]]
            episodes = await self.bot.store.catalog.get_many(refs, scope=scope)
            await reply(interaction, embeds=[person_embed(best, episodes, alternatives=alternatives)])

    @guest.autocomplete("name")
    async def name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        scope = await autocomplete_scope(self.bot, interaction)
        return await answer_choices(
            self.bot.search.suggest_people(current, scope=scope, limit=25), what="/guest name"
        )

    @guest.autocomplete("show")
    async def show_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await answer_choices(show_suggestions(self.bot, interaction, current), what="/guest show")


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Guest(bot))
