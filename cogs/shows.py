"""/show: the shows this server's commands answer from (Manage Server only).

`/show add` takes a feed URL or a podcast's name (looked up in the podcast directory; several matches are
offered to pick from) and reads the show at once, reporting progress in its deferred reply. `/show
remove` takes a show out of this server's answers, at once, leaving it for the servers that chose it.
`/show list` says what the server has. The work is in bot.shows; this cog parses, calls, renders.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.links import redact_credentials
from bot.scope import Scope
from bot.search.results import Suggestion
from bot.shows import Added, Choices, ShowError
from bot.text import fold
from cogs.common.choices import answer_choices
from cogs.common.errors import report_error
from cogs.common.limits import EMBED_FIELDS, FIELD_NAME, FIELD_VALUE, SELECT_OPTION, shorten
from cogs.common.render import ACCENT, md, md_within
from cogs.common.reply import NO_PINGS

if TYPE_CHECKING:
    from bot.client import PodBot
    from bot.directory import DirectoryShow

log = logging.getLogger(__name__)

# How long the list of directory matches can be picked from.
PICK_TIMEOUT_S = 300.0


def _when(moment: object) -> str:
    return discord.utils.format_dt(moment, style="R") if moment else "never"  # type: ignore[arg-type]


def added_sentence(added: Added) -> str:
    report, show = added.report, added.show
    title = f"**{md(shorten(show.title, 200))}**"
    if not added.new_for_server:
        head = f"{title} was already one of this server's shows; I read it again"
    else:
        head = f"Added {title} to this server's shows"
    counts = f"{show.episode_count} episodes ({len(report.added)} new, {len(report.updated)} updated)"
    tail = (
        f" {added.files_failed} chapter or transcript files could not be read; those episodes are there without them."
        if added.files_failed
        else ""
    )
    return f"{head}: {counts}. Every command here now answers from it; try `/latest`.{tail}"


async def _edit(interaction: discord.Interaction, content: str, view: discord.ui.View | None = None) -> None:
    kwargs: dict[str, object] = {"content": content, "allowed_mentions": NO_PINGS}
    kwargs["view"] = view
    await interaction.edit_original_response(**kwargs)  # type: ignore[arg-type]


class DirectoryPick(discord.ui.View):
    """The directory's matches for a name, for the manager who asked; picking one adds it."""

    def __init__(self, cog: ShowCog, owner_id: int, matches: tuple[DirectoryShow, ...]) -> None:
        super().__init__(timeout=PICK_TIMEOUT_S)
        self.cog, self.owner_id, self.matches = cog, owner_id, matches
        select: discord.ui.Select[DirectoryPick] = discord.ui.Select(
            placeholder="Pick the show",
            options=[
                discord.SelectOption(
                    label=shorten(m.title, SELECT_OPTION) or "Untitled",
                    description=shorten(m.author, SELECT_OPTION) if m.author else None,
                    value=str(i),
                )
                for i, m in enumerate(matches)
            ],
        )
        select.callback = self._picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Only the manager who ran /show add can pick here.", ephemeral=True
            )
            return False
        return True

    async def _picked(self, interaction: discord.Interaction) -> None:
        chosen = self.matches[int(self.select.values[0])]
        self.stop()
        await interaction.response.edit_message(
            content=f"Reading **{md(shorten(chosen.title, 200))}** …", view=None, allowed_mentions=NO_PINGS
        )
        await self.cog.add_and_report(interaction, chosen.feed_url)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[DirectoryPick], /
    ) -> None:
        await report_error(interaction, error)


class ShowCog(commands.Cog, name="Shows"):
    show = app_commands.Group(
        name="show",
        description="Choose the shows this server's commands answer from (Manage Server only).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage
        if not interaction.permissions.manage_guild:
            raise app_commands.CheckFailure(
                "Only members with the Manage Server permission can choose shows."
            )
        return True

    # --- /show add ----------------------------------------------------------------------------------------

    @show.command(name="add", description="Add a show: its feed URL, or its name to look up in a directory.")
    @app_commands.describe(source="The show's RSS feed URL, or the podcast's name.")
    async def add(self, interaction: discord.Interaction, source: app_commands.Range[str, 1, 500]) -> None:
        # Always deferred: reading a long feed with its chapter and transcript files takes a while, and
        # the deferred reply is where its progress shows.
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild_id
        assert guild_id is not None
        try:
            outcome = await self.bot.shows.add(
                guild_id, source, added_by=interaction.user.id, progress=lambda text: _edit(interaction, text)
            )
        except ShowError as error:
            await _edit(interaction, md(str(error)))
            return
        if isinstance(outcome, Choices):
            view = DirectoryPick(self, interaction.user.id, outcome.shows)
            await _edit(
                interaction,
                f"Several podcasts are called “{md(shorten(outcome.name, 100))}”; pick the one to add:",
                view,
            )
            return
        await _edit(interaction, added_sentence(outcome))

    async def add_and_report(self, interaction: discord.Interaction, feed_url: str) -> None:
        """After a pick from the directory's matches: add that feed, reporting in the same message."""
        guild_id = interaction.guild_id
        assert guild_id is not None
        try:
            outcome = await self.bot.shows.add(
                guild_id,
                feed_url,
                added_by=interaction.user.id,
                progress=lambda text: _edit(interaction, text),
            )
        except ShowError as error:
            await _edit(interaction, md(str(error)))
            return
        assert isinstance(outcome, Added)  # a feed URL is read, not looked up
        await _edit(interaction, added_sentence(outcome))

    # --- /show remove -------------------------------------------------------------------------------------

    @show.command(name="remove", description="Stop answering from one of this server's shows.")
    @app_commands.describe(show="One of this server's shows.")
    async def remove(self, interaction: discord.Interaction, show: app_commands.Range[str, 1, 100]) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        chosen = Scope(frozenset(s.id for s in await self.bot.shows.of_server(guild_id)))
        found = await self.bot.shows.find(chosen, show)
        if found is None:
            await interaction.response.send_message(
                f"“{md(shorten(show, 100))}” is not one of this server's shows; `/show list` says which are.",
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        await self.bot.shows.remove(guild_id, found.id)
        left = await self.bot.shows.of_server(guild_id)
        after = (
            "The server has no shows of its own now: commands answer from this bot's default shows."
            if not left
            else f"{len(left)} show{'s' if len(left) != 1 else ''} left."
        )
        await interaction.response.send_message(
            f"Removed **{md(shorten(found.title, 200))}** from this server's shows. {after}",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @remove.autocomplete("show")
    async def remove_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        async def chosen() -> list[Suggestion]:
            assert interaction.guild_id is not None
            wanted = fold(current)
            shows = await self.bot.shows.of_server(interaction.guild_id)
            return [Suggestion(s.title, str(s.id)) for s in shows if wanted in fold(s.title)]

        return await answer_choices(chosen(), what="/show remove show")

    # --- /show list ---------------------------------------------------------------------------------------

    @show.command(name="list", description="The shows this server's commands answer from.")
    async def list_(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        own = await self.bot.shows.of_server(guild_id)
        shows = own or await self.bot.shows.shows_in(await self.bot.shows.defaults())
        if not shows:
            await interaction.response.send_message(
                "This server has no shows yet. Add one with `/show add`.", ephemeral=True
            )
            return
        title = "This server's shows" if own else "This bot's default shows (the server chose none)"
        embed = discord.Embed(title=title, colour=ACCENT)
        shown = shows[: EMBED_FIELDS - 1] if len(shows) > EMBED_FIELDS else shows
        for s in shown:
            lines = [f"{s.episode_count} episodes · last read {_when(s.last_read_at)}"]
            if s.feed_url:
                lines.append(md(shorten(redact_credentials(s.feed_url), 200)))
            embed.add_field(
                name=md_within(s.title, FIELD_NAME) or "Untitled",
                value=shorten("\n".join(lines), FIELD_VALUE),
                inline=False,
            )
        if len(shown) < len(shows):
            embed.add_field(name="…", value=f"and {len(shows) - len(shown)} more", inline=False)
        if not own:
            embed.set_footer(text="Add this server's own with /show add.")
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: PodBot) -> None:
    await bot.add_cog(ShowCog(bot))
