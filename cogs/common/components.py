"""Buttons that keep working after a restart, and the plumbing they share.

Every interactive button is a discord.py DynamicItem: what it acts on (episode id, page, who may click)
is in its custom_id, so any running bot can answer a click on a message sent by an earlier process. The
views that carry them are stopped before sending, so nothing is kept in memory per message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.links import is_web_url
from bot.listen import listen_links
from cogs.common.errors import tell
from cogs.common.limits import BUTTON_LABEL, BUTTON_URL, length, shorten

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.store import StoredEpisode


def stateless_view(items: Iterable[discord.ui.Item[Any] | None]) -> discord.ui.View | None:
    """A view of `items` (None entries skipped) that holds no state; None when there is nothing to show."""
    present = [item for item in items if item is not None]
    if not present:
        return None
    view = discord.ui.View(timeout=None)
    for item in present:
        view.add_item(item)
    # All state is in the custom_ids: a stopped view is not stored by discord.py, clicks go to DynamicItems.
    view.stop()
    return view


def link_button(label: str, url: str | None) -> discord.ui.Button[discord.ui.View] | None:
    """A button opening `url`, or None when there is no usable web URL (Discord caps them at 512)."""
    if not is_web_url(url) or length(url) > BUTTON_URL:
        return None
    return discord.ui.Button(label=shorten(label, BUTTON_LABEL), url=url, style=discord.ButtonStyle.link)


def listen_buttons(stored: StoredEpisode) -> list[discord.ui.Button[discord.ui.View]]:
    """Link buttons to the episode's page, its audio and its show in podcast apps, as far as the feed
    gave what each needs (bot.listen builds them from feed data only)."""
    links = listen_links(stored.episode, apple_id=stored.show_apple_id, guid=stored.show_guid)
    return [button for link in links if (button := link_button(link.label, link.url)) is not None]


class GuardedCallback:
    """Mixin for DynamicItems: a failing click goes to the bot's one error handler, like a command."""

    async def on_click(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.on_click(interaction)
        # Not swallowed: handed to the tree's error handler, which logs it and tells the user.
        except Exception as error:  # noqa: BLE001
            await interaction.client.tree.on_error(interaction, error)  # type: ignore[attr-defined]


async def only_for(interaction: discord.Interaction, owner_id: int, *, command: str) -> bool:
    """True when the clicker may use these buttons; otherwise tells them why not, privately."""
    if owner_id in (0, interaction.user.id):
        return True
    await tell(
        interaction,
        f"These buttons belong to the person who ran {command}. Run {command} yourself to browse your own results.",
    )
    return False
