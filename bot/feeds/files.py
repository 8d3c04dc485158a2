"""Chapter and transcript files that feed items point to, fetched and read into their episodes.

Files are fetched concurrently with short timeouts (bot.net.fetch.FILE_LIMITS). A file that cannot be had
leaves its episode as the feed describes it, with chapters and transcript from the show notes if they hold
any, and the failure is reported so the caller can try again on a later poll.

One `attach_all` call is one run, and a run protects itself from hosts that do not answer: once a host has
failed HOST_FAILURES times (no answer in time, a refused or dropped connection, a server error), its other
files are skipped for the rest of the run; and a run given `within_s` skips whatever is left when that
time is up. Skipped files are failures like the others (a later poll tries them again), marked as skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from yarl import URL

from bot.ingest.chapters import parse_chapters
from bot.ingest.errors import ParseError
from bot.ingest.transcript import by_preference, parse_transcript, richness
from bot.links import redact_credentials
from bot.net.fetch import FILE_LIMITS, FetchError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.models import Chapter, Episode, Segment, TranscriptRef
    from bot.net.fetch import Fetcher

log = logging.getLogger(__name__)

# At most this many transcript files are tried per episode: the preferred one, then fallbacks.
MAX_TRANSCRIPT_TRIES = 3
# After this many failures of one host in one run, its other files are not tried in that run.
HOST_FAILURES = 3


@dataclass(frozen=True, slots=True)
class FileFailure:
    url: str
    reason: str
    # Not tried at all: its host had failed too often already, or the run's time was up.
    skipped: bool = False

    def __str__(self) -> str:
        # Also what the poller logs and stores: a password in a feed's link is not repeated.
        return redact_credentials(f"{self.url}: {self.reason}")


@dataclass(frozen=True, slots=True)
class WithFiles:
    episode: Episode
    failures: tuple[FileFailure, ...] = ()


@dataclass(frozen=True, slots=True)
class Attached:
    """What one run did: every episode with what could be read, and how many files it did not try."""

    episodes: list[WithFiles]
    # Files skipped because their host had failed HOST_FAILURES times, by host.
    skipped_for_host: dict[str, int] = field(default_factory=dict)
    # Files skipped (or cut off) because the run's time was up.
    skipped_for_time: int = 0


class _Skipped(Exception):
    """A file not fetched, on purpose: the run gave up on its host, or ran out of time."""


def host_of(url: str) -> str:
    """`host` or `host:port` (a port only when it is not the scheme's default), never credentials."""
    try:
        parsed = URL(url)
        return parsed.host_port_subcomponent or url
    except (ValueError, TypeError):
        return url


def _host_trouble(error: FetchError) -> bool:
    """Whether a failure says the host is in trouble, not just that one file is missing or broken."""
    if error.status is None:
        return not error.permanent  # no answer, a refused or dropped connection; not a refused URL
    return error.status >= 500 or error.status == 429


class _Run:
    """The state of one attach_all: its deadline and how often each host has failed."""

    def __init__(self, within_s: float | None, host_failures: int) -> None:
        self.deadline = None if within_s is None else asyncio.get_running_loop().time() + within_s
        self.host_failures = host_failures
        self.failures: Counter[str] = Counter()
        self.skipped_for_host: Counter[str] = Counter()
        self.skipped_for_time = 0

    def time_left(self) -> contextlib.AbstractAsyncContextManager[object]:
        return contextlib.nullcontext() if self.deadline is None else asyncio.timeout_at(self.deadline)

    def check(self, host: str) -> None:
        if self.failures[host] >= self.host_failures:
            self.skipped_for_host[host] += 1
            raise _Skipped(f"not tried: {host} failed {self.failures[host]} times in this run")
        if self.deadline is not None and asyncio.get_running_loop().time() >= self.deadline:
            raise self.out_of_time()

    def out_of_time(self) -> _Skipped:
        self.skipped_for_time += 1
        return _Skipped("not tried: the time for reading files ran out")

    def failed(self, host: str, error: FetchError) -> None:
        if _host_trouble(error):
            self.failures[host] += 1
            if self.failures[host] == self.host_failures:
                log.warning(
                    "%s failed %d times; skipping its other files in this run", host, self.host_failures
                )


class FileReader:
    """Reads the files of many episodes with at most `concurrency` requests in flight at once."""

    def __init__(self, fetcher: Fetcher, *, concurrency: int = 8, host_failures: int = HOST_FAILURES) -> None:
        self._fetcher = fetcher
        self._slots = asyncio.Semaphore(concurrency)
        self._host_failures = host_failures

    async def attach_all(self, episodes: Sequence[Episode], *, within_s: float | None = None) -> Attached:
        """Every episode with its files read where they could be; fetching stops after `within_s` seconds."""
        run = _Run(within_s, self._host_failures)
        attached = list(await asyncio.gather(*(self._attach(e, run) for e in episodes)))
        return Attached(attached, dict(run.skipped_for_host), run.skipped_for_time)

    async def _attach(self, episode: Episode, run: _Run) -> WithFiles:
        """The episode with chapters and transcript from its files where they could be read."""
        if not episode.chapters_url and not episode.transcript_urls:
            return WithFiles(episode)
        (chapters, chapter_failures), (segments, transcript_failures) = await asyncio.gather(
            self._chapters(episode.chapters_url, run), self._transcript(episode.transcript_urls, run)
        )
        # A file's data replaces what the show notes gave; without it, the notes' version stands.
        updated = replace(
            episode,
            chapters=chapters if chapters else episode.chapters,
            segments=segments if segments else episode.segments,
        )
        return WithFiles(updated, (*chapter_failures, *transcript_failures))

    async def _chapters(
        self, url: str | None, run: _Run
    ) -> tuple[tuple[Chapter, ...], tuple[FileFailure, ...]]:
        if not url:
            return (), ()
        try:
            body = await self._get(url, run)
            return await asyncio.to_thread(parse_chapters, body), ()
        except (FetchError, ParseError, _Skipped) as exc:
            return (), (_failure(url, exc),)

    async def _transcript(
        self, refs: Sequence[TranscriptRef], run: _Run
    ) -> tuple[tuple[Segment, ...], tuple[FileFailure, ...]]:
        """The richest transcript among the first few in order of preference: stop at one with speakers."""
        best: tuple[Segment, ...] = ()
        failures: list[FileFailure] = []
        for ref in by_preference(refs)[:MAX_TRANSCRIPT_TRIES]:
            try:
                body = await self._get(ref.url, run)
                segments = await asyncio.to_thread(parse_transcript, body, ref.mime_type)
            except (FetchError, ParseError, _Skipped) as exc:
                failures.append(_failure(ref.url, exc))
                continue
            if richness(segments) > richness(best):
                best = segments
            if best and all(richness(best)[:2]):
                break
        # Fallbacks that worked make the earlier failures moot: the episode has a transcript.
        return best, () if best else tuple(failures)

    async def _get(self, url: str, run: _Run) -> bytes:
        host = host_of(url)
        run.check(host)
        try:
            async with run.time_left(), self._slots:
                run.check(host)  # the host may have failed, or time run out, while this waited
                result = await self._fetcher.fetch(url, limits=FILE_LIMITS)
        except TimeoutError:
            # The run's deadline: a fetch's own timeouts arrive as FetchError.
            raise run.out_of_time() from None
        except FetchError as error:
            run.failed(host, error)
            raise
        return result.body


def _failure(url: str, error: Exception) -> FileFailure:
    return FileFailure(url, str(error), skipped=isinstance(error, _Skipped))
