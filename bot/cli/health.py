"""`podbot health`: whether a running `podbot run` is serving, from its heartbeat (bot.health)."""

from __future__ import annotations

import time

import click

from bot.cli.context import CliContext, CliError
from bot.health import heartbeat_path, verdict


@click.command()
@click.pass_obj
def health(ctx: CliContext) -> None:
    """Say whether `podbot run` is serving: exit 0 when its heartbeat is fresh and says it is connected
    to Discord and can read its store, 1 otherwise, with one sentence either way.

    Reads only the heartbeat file the bot refreshes every 30 s (PODBOT_HEARTBEAT_FILE, else beside the
    store): no store is opened and nothing is sent to Discord, so it is cheap enough for a HEALTHCHECK.
    """
    path = heartbeat_path(ctx.settings)
    found = verdict(path, now=time.time())
    if not found.serving:
        raise CliError(found.sentence)
    click.echo(found.sentence)


COMMANDS = [health]
