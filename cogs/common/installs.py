"""Where a command can be installed and used: Discord's user-installable apps.

The bot's default (set on the tree in bot/client.py) is a server-installed command used in servers only,
which is right for configuration (/announce, /show, /sync). The listener commands opt in with
`anywhere`: a listener can also install podbot to their own account and use them in direct messages,
group chats and servers that have not added the bot, where they answer from the instance's default
shows, or the `show` the listener names (cogs.common.scope: a DM or a server without choices of its
own gets the defaults). Only global commands can be user-installed: `podbot sync` without --guild.
"""

from __future__ import annotations

from typing import TypeVar

from discord import app_commands

T = TypeVar("T")

# Configuration: installed with the bot, used in a server (Manage Server checks happen there).
SERVER_INSTALLS = app_commands.AppInstallationType(guild=True, user=False)
SERVER_CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)


def anywhere(func: T) -> T:
    """A listener command: installable to a server or a user, usable in servers, DMs and group chats."""
    func = app_commands.allowed_installs(guilds=True, users=True)(func)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(func)
