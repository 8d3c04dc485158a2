"""/chapters: every chapter of an episode with its timestamp, paged so that 70 chapters still fit.

Also the "All chapters" button under /episode and /latest cards, which shows the same pages privately.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.common.choices import answer_choices
from cogs.common.components import GuardedCallback, only_for, stateless_view
from cogs.common.errors import tell
from cogs.common.find import episode_suggestions, find_episode, suggested_titles
from cogs.common.installs import anywhere
from cogs.common.render import chapter_pages, chapters_embed, md
from cogs.common.reply import deferred_if_slow, reply, update
from cogs.common.scope import SHOW_OPTION, autocomplete_scope, scope_of, scope_or_tell, show_suggestions

if TYPE_CHECKING:
    from bot.client import PodBot
    from bot.store import StoredEpisode

# An episode a button points at that is gone, or not one of this server's shows: the same words for both.
GONE = "That episode is not available here any more."


def chapters_message(
    stored: StoredEpisode, page: int, owner_id: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    pages = chapter_pages(stored)
    page = max(0, min(page, len(pages) - 1))
    embed = chapters_embed(stored, page, pages)
    if len(pages) == 1:
        return embed, None
    previous = ChapterPageButton(stored.id, owner_id, page - 1, label="◀ Previous", disabled=page == 0)
    following = ChapterPageButton(
        stored.id, owner_id, page + 1, label="Next ▶", disabled=page == len(pages) - 1
    )
    return embed, stateless_view([previous, following])


async def _chapters_of(
    interaction: discord.Interaction, episode_id: int, page: int, owner_id: int
) -> tuple[discord.Embed, discord.ui.View | None] | None:
    """A button's chapter page for the episode, or None (the user told) when it has left the store."""
    bot: PodBot = interaction.client  # type: ignore[assignment]
    # The scope of where the button is pressed: a message forwarded elsewhere reaches nothing new.
    stored = await bot.store.catalog.get(episode_id, scope=await scope_of(bot, interaction))
    if stored is None:
        await tell(interaction, GONE)
        return None
    return chapters_message(stored, page, owner_id)


class ChapterPageButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"podbot:chapters:(?P<episode>\d+):(?P<owner>\d+):(?P<page>-?\d+)",
):
    def __init__(
        self, episode_id: int, owner_id: int, page: int, *, label: str = "", disabled: bool = False
    ) -> None:
        self.episode_id, self.owner_id, self.page = episode_id, owner_id, page
        super().__init__(
            discord.ui.Button(
                label=label or "Page",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"podbot:chapters:{episode_id}:{owner_id}:{page}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChapterPageButton:
        return cls(int(match["episode"]), int(match["owner"]), int(match["page"]))

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await only_for(interaction, self.owner_id, command="/chapters")

    async def on_click(self, interaction: discord.Interaction) -> None:
        message = await _chapters_of(interaction, self.episode_id, self.page, self.owner_id)
        if message is not None:
            embed, view = message
            await update(interaction, embeds=[embed], view=view)


class AllChaptersButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"podbot:allchapters:(?P<episode>\d+)",
):
    """Under an episode card: anyone may press it and gets the chapter list just for them."""

    def __init__(self, episode_id: int) -> None:
        self.episode_id = episode_id
        super().__init__(
            discord.ui.Button(
                label="All chapters",
                style=discord.ButtonStyle.primary,
                custom_id=f"podbot:allchapters:{episode_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AllChaptersButton:
        return cls(int(match["episode"]))

    async def on_click(self, interaction: discord.Interaction) -> None:
        message = await _chapters_of(interaction, self.episode_id, 0, interaction.user.id)
        if message is not None:
            embed, view = message
            await reply(interaction, embeds=[embed], view=view, ephemeral=True)


class Chapters(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    @anywhere
    @app_commands.command(name="chapters", description="List every chapter of an episode, with timestamps.")
    @app_commands.describe(
        episode="The episode: pick one from the list, or type words from its title.", show=SHOW_OPTION
    )
    async def chapters(
        self,
        interaction: discord.Interaction,
        episode: app_commands.Range[str, 1, 200],
        show: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        async with deferred_if_slow(interaction):
            scope = await scope_or_tell(self.bot, interaction, show)
            if scope is None:
                return
            found = await find_episode(self.bot, episode, scope=scope, with_alternatives=False)
            if found is None:
                await tell(
                    interaction,
                    f"No episode matches “{md(episode)}”. Pick one from the list as you type.",
                    suggestions=await suggested_titles(self.bot, episode, scope=scope),
                )
                return
            if not any(c.toc for c in found.stored.episode.chapters):
                await tell(interaction, f"“{md(found.stored.episode.title)}” has no chapters.")
                return
            embed, view = chapters_message(found.stored, 0, interaction.user.id)
            await reply(interaction, embeds=[embed], view=view)

    @chapters.autocomplete("episode")
    async def episode_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        scope = await autocomplete_scope(self.bot, interaction)
        return await answer_choices(
            episode_suggestions(self.bot, current, scope=scope), what="/chapters episode"
        )

    @chapters.autocomplete("show")
    async def show_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await answer_choices(show_suggestions(self.bot, interaction, current), what="/chapters show")


async def teardown(bot: PodBot) -> None:
    bot.remove_dynamic_items(ChapterPageButton, AllChaptersButton)


async def setup(bot: PodBot) -> None:
    bot.add_dynamic_items(ChapterPageButton, AllChaptersButton)
    await bot.add_cog(Chapters(bot))
