"""Which shows an interaction may be answered from, and the `show` option that narrows them.

The scope comes from where the command was used: a server's chosen shows (or the instance's defaults),
the defaults in a direct message. Every listener command derives it here, once, and passes it to search;
nothing below the cog decides it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.search.results import Suggestion
from bot.shows import ShowError
from bot.text import fold
from cogs.common.errors import tell
from cogs.common.render import md

if TYPE_CHECKING:
    import discord

    from bot.client import PodBot
    from bot.scope import Scope

SHOW_OPTION = "Only this show (when the server has several)."


async def scope_of(bot: PodBot, interaction: discord.Interaction, show: str | None = None) -> Scope:
    """The interaction's scope, narrowed to `show` when one is given (ShowError if none in scope matches:
    its sentence names what was typed, never a show from outside the scope)."""
    scope = await bot.shows.scope_for(interaction.guild_id)
    narrowed, _ = await bot.shows.narrowed(scope, show)
    return narrowed


async def scope_or_tell(bot: PodBot, interaction: discord.Interaction, show: str | None) -> Scope | None:
    """`scope_of` for a command: a `show` that matches none of the interaction's shows is an expected dead
    end, told to the user in one private sentence (then None), not an error."""
    try:
        return await scope_of(bot, interaction, show)
    except ShowError as error:
        await tell(interaction, md(str(error)))
        return None


async def show_suggestions(bot: PodBot, interaction: discord.Interaction, typed: str) -> list[Suggestion]:
    """Autocomplete for a `show` option: the interaction's shows whose titles hold what was typed."""
    scope = await bot.shows.scope_for(interaction.guild_id)
    shows = await bot.shows.shows_in(scope)
    wanted = fold(typed)
    picked = [s for s in shows if wanted in fold(s.title)] if wanted else shows
    return [Suggestion(label=s.title, value=str(s.id)) for s in picked[:25]]


async def autocomplete_scope(bot: PodBot, interaction: discord.Interaction) -> Scope:
    """An autocomplete's scope: narrowed to the `show` option as filled so far (Discord sends every option
    typed), so that the list narrows to that show before the command is sent; the whole scope while what
    is typed there matches no show yet."""
    value = getattr(interaction.namespace, "show", None)
    typed = value if isinstance(value, str) and value.strip() else None
    try:
        return await scope_of(bot, interaction, typed)
    except ShowError:
        return await scope_of(bot, interaction)
