"""The settings a `podbot` command runs with: what it reads must be valid, what it never reads may not be.

A bad PODBOT_OWNER_IDS should stop the bot, whose owner commands read it, but not `podbot episodes`,
which never does: there it is one warning on stderr, and the setting keeps its default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.cli.context import CliError, warn
from bot.config import Settings

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

# Read only by the Discord side: logging in, owner commands, `podbot sync`'s default server, the feed
# poller's and the heartbeat's intervals (`podbot health` reads the interval from the heartbeat itself)
# and the service's log level (the other commands log only with --verbose).
DISCORD_ONLY_SETTINGS = frozenset(
    {
        "token",
        "owner_ids",
        "dev_guild_id",
        "poll_minutes",
        "heartbeat_seconds",
        "log_level",
        "shards",
        "shard_count",
    }
)
DISCORD_COMMANDS = frozenset({"run", "sync"})


@dataclass(frozen=True, slots=True)
class Problem:
    field: str | None
    sentence: str


def problem(error: ErrorDetails) -> Problem:
    # loc is ("owner_ids", 0) for the first item of a list: the variable is the field, not its index.
    field = str(error["loc"][0]) if error["loc"] else None
    name = f"PODBOT_{field.upper()}" if field else "the PODBOT_ settings"
    return Problem(field, f"bad configuration in {name}: {error['msg']}")


def load_settings(command: str | None) -> Settings:
    """The settings for `podbot <command>`. A bad value the command reads is a CliError (the first
    one, named); a bad value it never reads is a warning, one line each, and that setting's default."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [problem(error) for error in exc.errors()]
    reads_all = command in DISCORD_COMMANDS
    fatal = [p for p in problems if reads_all or p.field not in DISCORD_ONLY_SETTINGS]
    if fatal:
        raise CliError(fatal[0].sentence)
    for p in problems:
        warn(f"{p.sentence} (ignored: `podbot {command}` does not use it)")
    defaults = {
        p.field: Settings.model_fields[p.field].get_default(call_default_factory=True)
        for p in problems
        if p.field is not None
    }
    return Settings(**defaults)
