"""`podbot ingest` and `podbot episodes`: filling the store and listing what it holds."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.context import (
    CliContext,
    CliError,
    emit_json,
    episode_lines,
    scoped,
    show_json,
    show_option,
    warn,
)
from bot.feeds.source import (
    FILES_FOR,
    FILES_TIMEOUT_S,
    explain_parse_error,
    is_url,
    read_source,
    shared_guid_notice,
)
from bot.ingest.errors import ParseError
from bot.links import redact_credentials
from bot.store.errors import StoreDamaged, is_damage

# The fetching machinery (aiohttp's URL library, the address guard) is imported by `podbot ingest` only,
# in the functions that use it: listing episodes or shows fetches nothing.
if TYPE_CHECKING:
    from bot.core import Core
    from bot.feeds.files import FileReader
    from bot.feeds.source import ReadSource
    from bot.net.fetch import Fetcher
    from bot.scope import Scope
    from bot.store import IngestReport, Store, StoredEpisode
    from bot.store.shows import ShowRecord


# `scheme://…`: a URL, not a file name, even when it is not one podbot fetches.
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _read_capped(path: str) -> bytes:
    from bot.net.fetch import FEED_LIMITS

    # A file is held to the same cap as a feed fetched over HTTP: `podbot ingest /dev/zero` must not eat
    # memory.
    cap = FEED_LIMITS.max_bytes
    with Path(path).open("rb") as file:
        raw = file.read(cap + 1)
    if len(raw) > cap:
        raise CliError(
            f"{path}: the file is larger than {cap / 1024 / 1024:g} MB, podbot's limit for a source"
        )
    return raw


async def _read(path: str) -> bytes:
    try:
        return await asyncio.to_thread(_read_capped, path)
    except IsADirectoryError:
        raise CliError(f"{path} is a directory; give the files in it") from None
    except FileNotFoundError as exc:
        if _SCHEME.match(path):  # ftp://…, file://…: a URL, not a missing file
            shown = redact_credentials(path)
            raise CliError(
                f"{shown}: podbot reads only http(s) URLs and files; give the feed's http(s) address"
            ) from None
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None


class Network:
    """The ingest's fetcher and file reader, made when a source first needs them: a page or a feed file
    that names no chapter or transcript files never loads the HTTP machinery. `close()` closes them."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._fetcher: Fetcher | None = None
        self._files: FileReader | None = None

    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from bot.net.fetch import Fetcher
            from bot.net.guard import AddressPolicy

            self._fetcher = Fetcher(AddressPolicy(allow_private=self._allow_private))
        return self._fetcher

    def files(self) -> FileReader:
        if self._files is None:
            from bot.feeds.files import FileReader

            self._files = FileReader(self.fetcher())
        return self._files

    async def close(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.close()


async def ingest_one(
    store: Store,
    source: str,
    network: Network,
    *,
    files_for: int = FILES_FOR,
    files_timeout_s: float = FILES_TIMEOUT_S,
) -> IngestReport:
    """Read one file or URL (a feed with its chapter and transcript files) and store it in one transaction."""
    # What messages call the source: a URL's user name and password are never repeated.
    shown = redact_credentials(source)
    content_type = ""
    if is_url(source):
        from bot.net.fetch import FEED_LIMITS, FetchError

        try:
            fetched = await network.fetcher().fetch(source, limits=FEED_LIMITS)
        except FetchError as exc:
            raise CliError(f"{shown}: {redact_credentials(str(exc))}") from None
        raw, content_type = fetched.body, fetched.content_type
    else:
        raw = await _read(source)
    try:
        read = await read_source(
            raw,
            network.files,
            url=source if is_url(source) else None,
            # An untitled feed file is named after the file (`kelp-cast.xml` is "kelp-cast").
            name=None if is_url(source) else Path(source).stem,
            files_for=files_for,
            files_within_s=files_timeout_s,
        )
    except ParseError as exc:
        raise CliError(f"{shown}: {explain_parse_error(exc, content_type)}") from None
    notice = shared_guid_notice(read.parsed.shared_guids)
    if notice:
        warn(f"{shown}: {notice}")
    for failure in read.file_failures:
        # The episode is stored without that file; running the ingest again tries it again.
        warn(f"{shown}: could not read {failure}")
    skipped = _skipped(read, files_for=files_for, files_timeout_s=files_timeout_s)
    if skipped:
        warn(f"{shown}: skipped {skipped}; their episodes are stored without them")
    try:
        location = source if is_url(source) else os.path.abspath(source)  # noqa: ASYNC240 - getcwd, no I/O
        return await store.catalog.ingest(read.parsed, label=shown, location=location)
    except sqlite3.Error as exc:
        if is_damage(exc):
            raise StoreDamaged(store.location) from exc
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            reason = "another program (a running podbot?) kept the store busy for over a minute; try again"
        else:
            reason = str(exc)
        raise CliError(f"{shown}: could not be stored ({reason}); the store is as it was before") from exc


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _skipped(read: ReadSource, *, files_for: int, files_timeout_s: float) -> str:
    """The files an ingest did not try, and why, as one clause ("" when it tried them all)."""
    parts = []
    if read.episodes_past_cap and files_for == 0:
        parts.append(f"the files of {_plural(read.episodes_past_cap, 'episode')} (--files-for 0)")
    elif read.episodes_past_cap:
        parts.append(
            f"the files of {_plural(read.episodes_past_cap, 'older episode')} "
            f"(files are read for the newest {files_for}; see --files-for)"
        )
    for host, count in read.skipped_for_host.items():
        parts.append(f"{_plural(count, 'file')} on {host}, which kept failing")
    if read.skipped_for_time:
        parts.append(
            f"{_plural(read.skipped_for_time, 'file')} left when the {files_timeout_s:g} s for files ran out "
            "(see --files-timeout)"
        )
    return "; ".join(parts)


def _print_report(report: IngestReport) -> None:
    click.echo(
        f"{report.source}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )
    for label, titles in (("added", report.added), ("updated", report.updated)):
        for title in titles:
            click.echo(f"  {label:<8} {title}")


@click.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--files-for",
    type=click.IntRange(min=0),
    default=FILES_FOR,
    show_default=True,
    metavar="N",
    help="Fetch chapter and transcript files for at most N episodes per feed, newest first.",
)
@click.option(
    "--files-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=FILES_TIMEOUT_S,
    show_default=True,
    metavar="SECONDS",
    help="Stop fetching a feed's chapter and transcript files after this long.",
)
@click.pass_obj
def ingest(ctx: CliContext, sources: tuple[str, ...], files_for: int, files_timeout: float) -> None:
    """Add or update episodes from podcast sources: files or http(s) URLs of RSS/Atom feeds, or pages.

    The format is detected by content. A feed's Podcasting 2.0 chapter and transcript files are fetched
    too, within limits (--files-for, --files-timeout; a host that fails three times is not asked again);
    a file that fails or is skipped is reported and its episode stored without it. Each source is stored
    in one transaction: a source that fails leaves the store as it was, and the others are still ingested.
    Exits 1 if any source failed.
    """

    async def work(store: Store) -> int:
        # Writing over damaged pages would bury the damage under new data: refuse before any source.
        await store.verify()
        failures = 0
        network = Network(allow_private=ctx.settings.allow_private_urls)
        try:
            for source in sources:
                try:
                    report = await ingest_one(
                        store, source, network, files_for=files_for, files_timeout_s=files_timeout
                    )
                except CliError as exc:
                    warn(str(exc))
                    failures += 1
                    continue
                _print_report(report)
        finally:
            await network.close()
        return failures

    if ctx.run(work):
        raise click.exceptions.Exit(1)


def episode_json(stored: StoredEpisode) -> dict[str, Any]:
    """The documented JSON shape of one episode (README: "podbot episodes --json")."""
    ep = stored.episode
    return {
        "id": stored.id,
        "show": show_json(stored.show_id, stored.show_title),
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
    chapters = stored.toc_chapters
    return episode_lines(
        stored.id,
        ep.title,
        published=ep.published,
        duration_s=ep.duration_s,
        guests=ep.guests,
        tail=[
            f"{chapters} chapters" if chapters else "no chapters",
            f"transcript ({stored.segment_count} segments)" if stored.segment_count else "no transcript",
        ],
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, newest first.")
@show_option
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="List at most N episodes (default: all).",
)
@click.option(
    "--offset", type=click.IntRange(min=0), default=0, metavar="N", help="Skip the newest N episodes first."
)
@click.pass_obj
def episodes(ctx: CliContext, as_json: bool, show: str | None, limit: int | None, offset: int) -> None:
    """List the store's episodes (or one show's), newest first; --limit and --offset page through them."""

    # The text listing prints a count of chapters, the JSON one the chapters themselves.
    async def work(store: Store) -> list[StoredEpisode]:
        if show is None or not show.strip():
            # Every show: there is no show to find by name, so the lookups' machinery is never loaded.
            return await store.catalog.episodes(limit=limit, offset=offset, with_chapters=as_json)

        async def listed(core: Core, scope: Scope, several: bool) -> list[StoredEpisode]:
            return await core.store.catalog.episodes(
                scope=scope, limit=limit, offset=offset, with_chapters=as_json
            )

        return await scoped(ctx, store, show, listed)

    found = ctx.run(work)
    if as_json:
        emit_json([episode_json(s) for s in found])
        return
    if not found and offset:
        click.echo(f"No episodes after the newest {offset}.")
        return
    if not found:
        click.echo("The store holds no episodes yet; add some with `podbot ingest`.")
        return
    # One write: 20k lines echoed one by one cost a fifth of a second.
    click.echo("\n".join(line for stored in found for line in _episode_lines(stored)))


def _show_json(show: ShowRecord) -> dict[str, Any]:
    return {
        "id": show.id,
        "title": show.title,
        "episodes": show.episode_count,
        "source": redact_credentials(show.source) if show.source else None,
        "link": show.link,
        "added_by": show.origin,
        "last_read": show.last_read_at.isoformat() if show.last_read_at else None,
    }


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, by title.")
@click.pass_obj
def shows(ctx: CliContext, as_json: bool) -> None:
    """List the store's shows: id, title, episodes, where each was read from and when."""

    async def work(store: Store) -> list[ShowRecord]:
        return await store.shows.all()

    found = ctx.run(work)
    if as_json:
        emit_json([_show_json(s) for s in found])
        return
    if not found:
        click.echo("The store holds no shows yet; add one with `podbot ingest`.")
        return
    for show in found:
        read = show.last_read_at.date().isoformat() if show.last_read_at else "never"
        facts = [_plural(show.episode_count, "episode"), f"read {read}"]
        if show.origin == "server":
            facts.append("added by a server")
        click.echo(f"{show.id:>4}  {show.title}")
        click.echo(f"      {' · '.join(facts)}")
        if show.source:
            click.echo(f"      {redact_credentials(show.source)}")


COMMANDS = [ingest, episodes, shows]
