"""`podbot store copy SRC DEST`: move a store to another engine (SQLite -> PostgreSQL, and back)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from bot.cli.context import CliContext, CliError
from bot.config import store_location
from bot.locations import is_postgres_url
from bot.store import Store, StoreError
from bot.store.copy import copy_store


@click.group()
def store() -> None:
    """Work on whole stores."""


@store.command("copy")
@click.argument("source")
@click.argument("dest")
@click.pass_obj
def copy(ctx: CliContext, source: str, dest: str) -> None:
    """Copy every show, episode, subscription and announcement of SOURCE into DEST, a new store.

    Each is a SQLite file or a postgresql:// URL (an existing, empty database). The copy is checked
    against the source (the rows of every table, and a sample of episodes read back) before it counts.
    """
    if not is_postgres_url(source) and not Path(source).expanduser().is_file():
        raise CliError(f"there is no store at {source}")
    if not is_postgres_url(dest) and Path(dest).expanduser().exists():
        raise CliError(f"{dest} exists already; copy into a new file")

    async def work() -> str:
        try:
            async with (
                await Store.open(store_location(source)) as src,
                await Store.open(store_location(dest)) as dst,
            ):
                report = await copy_store(src, dst)
                where = dst.location
        except StoreError as exc:
            raise CliError(str(exc)) from exc
        total = sum(report.rows.values())
        return (
            f"copied {total} rows ({report.rows['episodes']} episodes, {report.rows['segments']} transcript"
            f" segments) into {where}; every table's rows and {report.sampled} episodes checked"
        )

    click.echo(asyncio.run(work()))


COMMANDS = [store]
