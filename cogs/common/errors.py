"""What a user is told when a command cannot give them what they asked for.

Two kinds of outcome, kept apart on purpose:
- expected ones (nothing matched, input that cannot mean anything) are answered by the cog itself with
  `tell`: a short private sentence saying what to do next;
- exceptions end up in `report_error`, called by the command tree's error handler and by button
  callbacks: bad input discord.py caught gets one sentence, anything unexpected gets "something went
  wrong" while the traceback goes to the log. A user never sees a traceback.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.search.engine import LookupsStopped
from bot.search.results import EmptyQuery
from bot.shows import ShowError
from bot.store.errors import is_damage
from cogs.common.limits import shorten
from cogs.common.render import md
from cogs.common.reply import reply

if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger("cogs.errors")

SOMETHING_WENT_WRONG = (
    "Something went wrong on our side while answering that. It has been logged; please try again in a moment."
)

STORE_DAMAGED = (
    "The bot's episode store is damaged, so it cannot answer right now. "
    "The bot's operator has been told; they need to restore or rebuild it."
)


def did_you_mean(options: Sequence[str], *, limit: int = 5) -> str:
    """ "Did you mean: a, b or c?" for up to `limit` options; empty when there are none."""
    shown = [f"**{md(o)}**" for o in list(dict.fromkeys(options))[:limit]]
    if not shown:
        return ""
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"Did you mean {listed}?"


async def tell(interaction: discord.Interaction, sentence: str, *, suggestions: Sequence[str] = ()) -> None:
    """A private answer for an expected dead end, with suggestions of what to try instead."""
    text = sentence
    hint = did_you_mean(suggestions)
    if hint:
        text = f"{sentence}\n{hint}"
    await reply(interaction, content=text, ephemeral=True)


def explain(error: BaseException) -> str | None:
    """The sentence for an error the user caused and can fix, or that passes by itself; None when the
    fault is ours and needs its traceback in the log."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, EmptyQuery):
        return "Type a few words to search for."
    if isinstance(error, ShowError):
        return md(str(error))
    if isinstance(error, LookupsStopped):
        # Ours, but already logged where it happened, and over by the next try.
        return "Search is restarting; please try again in a moment."
    if isinstance(error, app_commands.TransformerError):
        return f"“{md(shorten(str(error.value), 100))}” is not a valid value there."
    if isinstance(error, app_commands.CommandOnCooldown):
        # Rounded up: "try again in 0 s" would be answered with the same refusal.
        return f"Slow down a little: try that again in {max(1, math.ceil(error.retry_after))} s."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, app_commands.MissingPermissions):
        return "You need more permissions in this server to do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        return "I am missing permissions in this channel to do that."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use that command here."
    if isinstance(error, app_commands.CommandNotFound):
        return "That command no longer exists here; the bot's commands may be being updated."
    return None


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user, privately, in one sentence; log the traceback of anything unexpected."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    sentence = explain(error)
    if is_damage(original):
        # Not a bug to retry past: every command that reads the damaged pages fails until the operator acts.
        log.error(
            "the store file is damaged; restore it from a copy or rebuild it with `podbot ingest`",
            exc_info=(type(original), original, original.__traceback__),
        )
        sentence = STORE_DAMAGED
    elif sentence is None:
        command = interaction.command.qualified_name if interaction.command else None
        custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
        log.error(
            "unexpected error in %s (guild %s, user %s)",
            f"/{command}" if command else f"component {custom_id!r}",
            interaction.guild_id,
            interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        sentence = SOMETHING_WENT_WRONG
    try:
        await reply(interaction, content=sentence, ephemeral=True)
    except discord.HTTPException:
        # The interaction expired or Discord is failing: the log is all that is left.
        log.warning("could not tell user about an error in interaction %s", interaction.id, exc_info=True)
