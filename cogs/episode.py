"""/episode: find an episode by title or guest and show its card."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from cogs.chapters import AllChaptersButton
from cogs.common.choices import answer_choices
from cogs.common.components import listen_buttons, stateless_view
from cogs.common.cooldowns import per_user_cooldown
from cogs.common.errors import tell
from cogs.common.find import episode_suggestions, find_episode, suggested_titles
from cogs.common.installs import anywhere
from cogs.common.render import episode_embed, md, toc_chapters
from cogs.common.reply import deferred_if_slow, reply
from cogs.common.scope import SHOW_OPTION, autocomplete_scope, scope_or_tell, show_suggestions

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.client import PodBot
    from bot.store import StoredEpisode


def episode_card(
    stored: StoredEpisode, *, alternatives: Sequence[str] = ()
) -> tuple[discord.Embed, discord.ui.View | None]:
    """The embed and buttons for one episode, shared with /latest."""
    view = stateless_view(
        [AllChaptersButton(stored.id) if toc_chapters(stored) else None, *listen_buttons(stored)]
    )
    return episode_embed(stored, alternatives=alternatives), view


class Episode(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot
        per_user_cooldown(self.episode)

    @anywhere
    @app_commands.command(name="episode", description="Find an episode by its title or a guest's name.")
    @app_commands.describe(
        query="Words from the title or a guest's name; pick from the list or type freely.", show=SHOW_OPTION
    )
    async def episode(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        show: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        async with deferred_if_slow(interaction):
            scope = await scope_or_tell(self.bot, interaction, show)
            if scope is None:
                return
            found = await find_episode(self.bot, query, scope=scope)
            if found is None:
                await tell(
                    interaction,
                    f"No episode matches “{md(query)}”. Try a guest's name or fewer words.",
                    suggestions=await suggested_titles(self.bot, query, scope=scope),
                )
                return
            embed, view = episode_card(found.stored, alternatives=found.alternatives)
            await reply(interaction, embeds=[embed], view=view)

    @episode.autocomplete("query")
    async def query_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        scope = await autocomplete_scope(self.bot, interaction)
        return await answer_choices(
            episode_suggestions(self.bot, current, scope=scope), what="/episode query"
        )

    @episode.autocomplete("show")
    async def show_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await answer_choices(show_suggestions(self.bot, interaction, current), what="/episode show")


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Episode(bot))
