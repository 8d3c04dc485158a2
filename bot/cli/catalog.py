"""`podbot ingest` and `podbot episodes`: filling the store and listing what it holds."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.context import CliContext, CliError, emit_json, warn
from bot.ingest.detect import parse_source
from bot.ingest.errors import ParseError
from bot.text import format_timestamp

if TYPE_CHECKING:
    from bot.store import IngestReport, Store, StoredEpisode


async def _read(path: str) -> bytes:
    try:
        return await asyncio.to_thread(Path(path).read_bytes)
    except IsADirectoryError:
        raise CliError(f"{path} is a directory; give the files in it") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None


async def ingest_one(store: Store, path: str) -> IngestReport:
    raw = await _read(path)
    try:
        parsed = await asyncio.to_thread(parse_source, raw)
    except ParseError as exc:
        raise CliError(f"{path}: {exc}") from None
    try:
        return await store.catalog.ingest(parsed, label=path)
    except sqlite3.Error as exc:
        raise CliError(f"{path}: could not be stored ({exc}); the store is as it was before") from exc


def _print_report(report: IngestReport) -> None:
    click.echo(
        f"{report.source}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )
    for label, titles in (("added", report.added), ("updated", report.updated)):
        for title in titles:
            click.echo(f"  {label:<8} {title}")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.pass_obj
def ingest(ctx: CliContext, paths: tuple[str, ...]) -> None:
    """Add or update episodes from podcast sources (PATHS: files; format detected by content).

    Each source is stored in one transaction: a source that fails leaves the store as it was, and the
    others are still ingested. Exits 1 if any source failed.
    """

    async def work(store: Store) -> int:
        failures = 0
        for path in paths:
            try:
                report = await ingest_one(store, path)
            except CliError as exc:
                warn(str(exc))
                failures += 1
                continue
            _print_report(report)
        return failures

    if ctx.run(work):
        raise click.exceptions.Exit(1)


def episode_json(stored: StoredEpisode) -> dict[str, Any]:
    """The documented JSON shape of one episode (README: "podbot episodes --json")."""
    ep = stored.episode
    return {
        "id": stored.id,
        "show": stored.show_title,
        "title": ep.title,
        "duration_s": ep.duration_s,
        "published": ep.published.isoformat() if ep.published else None,
        "link": ep.link,
        "audio_url": ep.audio_url,
        "hosts": list(ep.hosts),
        "guests": list(ep.guests),
        "chapters": [{"start_s": c.start_s, "title": c.title} for c in ep.chapters if c.toc],
        "speakers": list(stored.speakers),
        "segments": stored.segment_count,
    }


def _episode_lines(stored: StoredEpisode) -> list[str]:
    ep = stored.episode
    facts = []
    if ep.published:
        facts.append(ep.published.date().isoformat())
    if ep.duration_s is not None:
        facts.append(format_timestamp(ep.duration_s))
    if ep.guests:
        facts.append("with " + ", ".join(ep.guests))
    chapters = sum(1 for c in ep.chapters if c.toc)
    facts.append(f"{chapters} chapters" if chapters else "no chapters")
    facts.append(f"transcript ({stored.segment_count} segments)" if stored.segment_count else "no transcript")
    return [f"{stored.id:>4}  {ep.title}", f"      {' · '.join(facts)}"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, newest first.")
@click.pass_obj
def episodes(ctx: CliContext, as_json: bool) -> None:
    """List the store's episodes, newest first."""

    async def work(store: Store) -> list[StoredEpisode]:
        return await store.catalog.episodes()

    found = ctx.run(work)
    if as_json:
        emit_json([episode_json(s) for s in found])
        return
    if not found:
        click.echo("The store holds no episodes yet; add some with `podbot ingest`.")
        return
    for stored in found:
        for line in _episode_lines(stored):
            click.echo(line)


COMMANDS = [ingest, episodes]
