"""Answering an interaction correctly in every state it can be in, and never pinging anyone.

An interaction gets exactly one initial response (a message, a defer or an update); everything after
that is a follow-up or an edit. `reply` and `update` pick the right call, so a cog never has to know
whether the slow-work timer has already deferred. A per-interaction lock makes that choice atomic: the
timer and the cog can both be about to answer at the same moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord

from cogs.common.limits import fit_content, fit_embeds

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

log = logging.getLogger(__name__)

# Text from the store came from feeds and pages: it must never ping. Set on the bot too, but passed on
# every call so that a reply stays safe even if someone changes the bot's default.
NO_PINGS = discord.AllowedMentions.none()

# Discord drops an interaction not answered within 3 s. Work that has not finished by this point gets a
# "thinking…" defer, which buys 15 minutes; the margin covers gateway and network latency.
DEFER_AFTER_S = 1.5

_LOCK_KEY = "podbot.reply_lock"


def _lock(interaction: discord.Interaction) -> asyncio.Lock:
    lock = interaction.extras.get(_LOCK_KEY)
    if lock is None:
        lock = interaction.extras[_LOCK_KEY] = asyncio.Lock()
    return lock


def _message_kwargs(
    content: str | None,
    embeds: Sequence[discord.Embed],
    view: discord.ui.View | None,
    files: Sequence[discord.File] = (),
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS, "embeds": fit_embeds(embeds)}
    if files:
        kwargs["files"] = list(files)
    if content:
        kwargs["content"] = fit_content(content)
    if view is not None:
        kwargs["view"] = view
    return kwargs


async def reply(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    files: Sequence[discord.File] = (),
    ephemeral: bool = False,
) -> None:
    """Send the answer: the initial response if there was none yet, else a follow-up.

    After a defer, the first follow-up replaces the "thinking…" message and keeps its visibility, so an
    `ephemeral` answer to a slow public command is public; the fast path (nearly every call) is not.
    """
    kwargs = _message_kwargs(content, embeds, view, files)
    async with _lock(interaction):
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
        else:
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)


async def update(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> None:
    """Replace the message a button belongs to (paging), whether or not the click was deferred."""
    kwargs = _message_kwargs(content, embeds, view)
    kwargs.setdefault("content", None)
    if view is None:
        kwargs["view"] = None
    async with _lock(interaction):
        if not interaction.response.is_done():
            await interaction.response.edit_message(**kwargs)
        else:
            await interaction.edit_original_response(**kwargs)


async def _defer(interaction: discord.Interaction, *, ephemeral: bool, component: bool) -> None:
    async with _lock(interaction):
        if interaction.response.is_done():
            return
        try:
            if component:
                await interaction.response.defer()
            else:
                await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        except discord.HTTPException:
            # Too late or Discord hiccuped: the answer that follows will fail and be reported there.
            log.warning("could not defer interaction %s", interaction.id, exc_info=True)


@contextlib.asynccontextmanager
async def deferred_if_slow(
    interaction: discord.Interaction, *, ephemeral: bool = False, after: float = DEFER_AFTER_S
) -> AsyncIterator[None]:
    """Run the body; if it is still running after `after` seconds, defer the interaction.

    Cheaper than always deferring: a fast answer stays one request, and an error on the fast path can
    still be private. Once a defer has started it is allowed to finish, so the state discord.py keeps
    about the interaction always matches Discord's.
    """
    component = interaction.type is discord.InteractionType.component
    started = False

    async def defer_later() -> None:
        nonlocal started
        await asyncio.sleep(after)
        started = True
        await _defer(interaction, ephemeral=ephemeral, component=component)

    timer = asyncio.create_task(defer_later(), name=f"defer-{interaction.id}")
    try:
        yield
    finally:
        if started:
            await timer
        else:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
