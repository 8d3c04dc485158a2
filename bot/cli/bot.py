"""`podbot run` and `podbot sync`: the Discord side of the command line."""

from __future__ import annotations

import asyncio
import sys

import click

from bot.cli.context import CliContext, CliError
from bot.logs import configure_logging


@click.command()
@click.option("--shards", help="The shards this process runs, e.g. 0-3 (default: $PODBOT_SHARDS, else all).")
@click.option(
    "--shard-count", type=click.IntRange(min=1), help="Shards in all, across processes ($PODBOT_SHARD_COUNT)."
)
@click.pass_obj
def run(ctx: CliContext, shards: str | None, shard_count: int | None) -> None:
    """Start the Discord bot (token from PODBOT_TOKEN or .env); stop it with Ctrl-C or SIGTERM.

    Opens the store (filling an empty one from the bundled page) and answers slash commands. It does
    not register them with Discord: run `podbot sync` once first, and again when commands change.

    Several processes can share one store (PostgreSQL, or one SQLite file on one machine), each running
    some of the shards: `podbot run --shards 0-3 --shard-count 8` here, `--shards 4-7` there. Feeds are
    polled once across them; each process posts to the servers on its own shards.
    """
    from bot.client import BotStartError, serve

    # A service logs to stdout, where container runtimes and journald look for it.
    configure_logging("DEBUG" if ctx.verbose else ctx.settings.log_level, stream=sys.stdout)
    settings = ctx.settings
    if shards is not None or shard_count is not None:
        settings = settings.model_copy(
            update={"shards": shards or settings.shards, "shard_count": shard_count or settings.shard_count}
        )
    try:
        asyncio.run(serve(settings))
    except BotStartError as exc:
        raise CliError(str(exc)) from None


@click.command()
@click.option(
    "--guild", "guild_id", type=int, help="Sync to this server only (instant). Default: $PODBOT_DEV_GUILD_ID."
)
@click.option(
    "--global", "everywhere", is_flag=True, help="Sync globally even when PODBOT_DEV_GUILD_ID is set."
)
@click.option(
    "--clear", is_flag=True, help="Remove the commands registered to --guild (after moving to global)."
)
@click.pass_obj
def sync(ctx: CliContext, guild_id: int | None, everywhere: bool, clear: bool) -> None:
    """Register the bot's slash commands with Discord: to one server, or globally."""
    from bot.client import BotStartError, sync_with_discord

    if everywhere and guild_id is not None:
        raise click.UsageError("give either --guild or --global, not both")
    target = None if everywhere else (guild_id or ctx.settings.dev_guild_id)
    if clear and target is None:
        raise click.UsageError("--clear needs a server: give --guild ID (or set PODBOT_DEV_GUILD_ID)")
    configure_logging("DEBUG" if ctx.verbose else "WARNING", stream=sys.stderr)
    try:
        names = asyncio.run(sync_with_discord(ctx.settings, target, clear=clear))
    except BotStartError as exc:
        raise CliError(str(exc)) from None
    where = f"server {target}" if target else "every server (global)"
    if clear:
        click.echo(f"Removed podbot's commands from {where}.")
    else:
        click.echo(f"Synced {len(names)} commands to {where}: {', '.join('/' + n for n in names)}")


COMMANDS = [run, sync]
