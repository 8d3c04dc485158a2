"""Per-user cooldowns for the commands that cost the bot the most: /quote and /episode.

Only the command itself is limited: autocomplete runs no checks, so the list under the cursor stays
instant however fast someone types. A user over the rate gets the error handler's private "slow down"
sentence (cogs.common.errors.explain) and nothing runs.
"""

from __future__ import annotations

from typing import Any

from discord import app_commands

# Five answers per person in any 30 seconds. A person reads a card or a quote for several seconds before
# the next question, so five in a row covers retyping a typo or two and paging back; a script or a hand on
# the key that asks more than one every 6 s is held back. Each /quote may rank many transcript segments
# and each /episode is a round trip to the lookup process (docs/search.md): what one user asks should not
# slow everyone else's answers.
HEAVY_COMMAND_RATE = 5
HEAVY_COMMAND_PER_S = 30.0


def per_user_cooldown(command: app_commands.Command[Any, ..., Any]) -> None:
    """Give this bot's copy of `command` a per-user cooldown (discord.py's checks.cooldown).

    Call it from the cog's __init__ with `self.<command>`. As a decorator on the class, the cooldown's
    buckets would be made once at import and shared by every bot the process builds (the tests build
    many, and their simulated users have the same ids); on the copy a cog instance holds, they live and
    die with that bot. The copy shares its check list with the class's command, so it gets its own first.
    """
    command.checks = list(command.checks)
    app_commands.checks.cooldown(HEAVY_COMMAND_RATE, HEAVY_COMMAND_PER_S)(command)
