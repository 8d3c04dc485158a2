"""The shows a question is answered from, and the servers' choice of shows: the service that /show, the
listener commands and the CLI share.

A server that chose shows (`/show add`) answers from those; one that chose none, and a direct message,
answer from the instance's defaults (PODBOT_DEFAULT_SHOWS; unset, every show the operator ingested, so a
self-hosted bot for one show needs no set-up at all).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.directory import DirectoryError, search_directory
from bot.feeds.source import FILES_FOR, FILES_TIMEOUT_S, explain_parse_error, read_source
from bot.ingest.errors import ParseError
from bot.interpreter import full_collections_deferred, release_gradually
from bot.links import redact_credentials
from bot.net.fetch import FEED_LIMITS, FetchError
from bot.net.guard import BlockedURL, check_url
from bot.scope import Scope
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.config import Settings
    from bot.directory import DirectoryShow
    from bot.feeds.files import FileReader
    from bot.net.fetch import Fetcher
    from bot.net.guard import AddressPolicy
    from bot.search import Search
    from bot.store import IngestReport, Store
    from bot.store.shows import ShowRecord

log = logging.getLogger(__name__)

# A show name typed (CLI --show, an option typed rather than picked) must match at least this well.
MIN_SHOW_SCORE = 60.0
# Shows one server may choose: enough for a network of podcasts, not a way to mirror a directory.
MAX_SHOWS_PER_SERVER = 25
# Directory matches offered to pick from.
DIRECTORY_CHOICES = 10


def utc_now() -> datetime:
    return datetime.now(UTC)


class ShowError(Exception):
    """A show cannot be added or found; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class Added:
    show: ShowRecord
    report: IngestReport
    # False when the server had chosen this show already (it was read again all the same).
    new_for_server: bool
    files_failed: int = 0


@dataclass(frozen=True, slots=True)
class Choices:
    """A name that matched several podcasts in the directory: the manager picks one."""

    name: str
    shows: tuple[DirectoryShow, ...]


def default_sources(settings: Settings) -> list[str] | None:
    """PODBOT_DEFAULT_SHOWS as a list; None for "the operator's shows"; [] for none at all."""
    raw = (settings.default_shows or "").strip()
    if not raw:
        return None
    if raw.lower() == "none":
        return []
    return [part.strip() for part in raw.split(",") if part.strip()]


class ShowService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        search: Search,
        *,
        fetcher: Fetcher | None = None,
        files: FileReader | None = None,
        policy: AddressPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`clock`: the time the feed poller reads (the bot's), for a newly added show's first check."""
        self._clock = clock or utc_now
        self._settings = settings
        self._store = store
        self._search = search
        self._fetcher = fetcher
        self._files = files
        self._policy = policy

    # --- scopes -----------------------------------------------------------------------------------------

    async def defaults(self) -> Scope:
        """The instance's default shows."""
        sources = default_sources(self._settings)
        if sources is None:
            return Scope(await self._store.shows.operator_show_ids())
        return Scope(await self._store.shows.ids_from_sources(sources))

    async def scope_for(self, guild_id: int | None) -> Scope:
        """The shows a server answers from: those it chose, else the defaults (also for DMs: None)."""
        if guild_id is not None:
            chosen = await self._store.shows.of_server(guild_id)
            if chosen:
                return Scope(chosen)
        return await self.defaults()

    async def shows_in(self, scope: Scope) -> list[ShowRecord]:
        return await self._store.shows.in_scope(scope)

    async def find(self, scope: Scope, name: str) -> ShowRecord | None:
        """The scope's show that `name` means: its id (an autocomplete value), or its title typed
        roughly (folded, fuzzy, like episode titles). None when nothing in scope matches well."""
        shows = await self.shows_in(scope)
        text = name.strip()
        if text.isascii() and text.isdigit():
            for show in shows:
                if show.id == int(text):
                    return show
        folded = fold(text)
        if not folded or not shows:
            return None
        exact = [s for s in shows if fold(s.title) == folded]
        if exact:
            return exact[0]
        best = process.extractOne(folded, [fold(s.title) for s in shows], scorer=fuzz.WRatio)
        if best is None or best[1] < MIN_SHOW_SCORE:
            return None
        return shows[best[2]]

    async def narrowed(self, scope: Scope, name: str | None) -> tuple[Scope, ShowRecord | None]:
        """The scope narrowed to the show `name` means (ShowError if none in scope does), or as it is."""
        if name is None or not name.strip():
            return scope, None
        show = await self.find(scope, name)
        if show is None:
            raise ShowError(f"No show here matches “{name.strip()}”; pick one from the list.")
        return scope.narrowed(show.id), show

    # --- a server's choice ------------------------------------------------------------------------------

    async def of_server(self, guild_id: int) -> list[ShowRecord]:
        """The shows a server chose (empty: it answers from the defaults)."""
        return await self._store.shows.in_scope(Scope(await self._store.shows.of_server(guild_id)))

    async def remove(self, guild_id: int, show_id: int) -> bool:
        removed = await self._store.shows.remove_from_server(guild_id, show_id)
        if removed:
            log.info("guild %s: removed show %s", guild_id, show_id)
        return removed

    async def add(
        self,
        guild_id: int,
        source: str,
        *,
        added_by: int | None = None,
        progress: Callable[[str], Awaitable[None]] | None = None,
    ) -> Added | Choices:
        """Add a show to a server: a feed URL is read (with its chapter and transcript files, within the
        fetch limits) and stored at once; a name is looked up in the podcast directory first, and one
        with several matches comes back as Choices to pick from."""
        text = source.strip()
        # Anything with a scheme is an address (ftp://, file://: refused by the URL guard), not a name.
        if "://" not in text:
            found = await self._directory(text)
            if len(found) > 1:
                return Choices(text, tuple(found[:DIRECTORY_CHOICES]))
            text = found[0].feed_url
        chosen = await self._store.shows.of_server(guild_id)
        if len(chosen) >= MAX_SHOWS_PER_SERVER:
            raise ShowError(
                f"This server has {len(chosen)} shows, the most it can have; remove one with /show remove first."
            )
        report, files_failed = await self._read_and_store(text, progress)
        show = await self._store.shows.get(report.show_id)
        assert show is not None
        new = await self._store.shows.add_to_server(guild_id, show.id, added_by=added_by, now=self._clock())
        # The new show's index is built now (its own few milliseconds), so that it is found at once.
        await self._search.refresh()
        log.info("guild %s: added show %s (%d episodes)", guild_id, show.id, show.episode_count)
        return Added(show, report, new, files_failed)

    async def _directory(self, name: str) -> list[DirectoryShow]:
        fetcher = self._require_fetcher()
        try:
            found = await search_directory(fetcher, name, base_url=self._settings.directory_url)
        except DirectoryError as exc:
            raise ShowError(str(exc)) from None
        if not found:
            raise ShowError(
                f"The podcast directory knows no show called “{name}”; paste its feed URL instead."
            )
        return found

    async def _read_and_store(
        self, url: str, progress: Callable[[str], Awaitable[None]] | None
    ) -> tuple[IngestReport, int]:
        fetcher = self._require_fetcher()
        assert self._files is not None
        assert self._policy is not None
        shown = redact_credentials(url)
        try:
            check_url(url, self._policy)
        except BlockedURL as exc:
            raise ShowError(f"I cannot read that address: {exc}.") from None
        if progress is not None:
            await progress(f"Reading {shown} …")
        try:
            fetched = await fetcher.fetch(url, limits=FEED_LIMITS)
        except FetchError as exc:
            raise ShowError(f"I could not read that feed: {redact_credentials(str(exc))}.") from None
        # From the parse to the store, the feed's episodes are alive: a full collection would walk them all
        # and free none (bot.interpreter).
        with full_collections_deferred():
            try:
                read = await read_source(
                    fetched.body, self._files, url=url, files_for=FILES_FOR, files_within_s=FILES_TIMEOUT_S
                )
            except ParseError as exc:
                why = explain_parse_error(exc, fetched.content_type)
                raise ShowError(f"That is not a podcast feed I can read: {why}.") from None
            if progress is not None:
                count = len(read.parsed.episodes)
                await progress(
                    f"Read {count} episode{'s' if count != 1 else ''} of {read.parsed.show.title};"
                    " storing them …"
                )
            report = await self._store.catalog.ingest(read.parsed, label=shown, origin="server", location=url)
            failures = len(read.file_failures)
            episodes = list(read.parsed.episodes)
            del read  # the list is left as the only holder of the episodes, which are freed off the loop
            await release_gradually(episodes)
        return report, failures

    def _require_fetcher(self) -> Fetcher:
        if self._fetcher is None:
            raise ShowError("This podbot cannot fetch feeds right now; try again in a moment.")
        return self._fetcher
