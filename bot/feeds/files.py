"""Chapter and transcript files that feed items point to, fetched and read into their episodes.

Files are fetched concurrently with short timeouts (bot.net.fetch.FILE_LIMITS). A file that cannot be had
leaves its episode as the feed describes it, with chapters and transcript from the show notes if they hold
any, and the failure is reported so the caller can try again on a later poll.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

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


@dataclass(frozen=True, slots=True)
class FileFailure:
    url: str
    reason: str

    def __str__(self) -> str:
        # Also what the poller logs and stores: a password in a feed's link is not repeated.
        return redact_credentials(f"{self.url}: {self.reason}")


@dataclass(frozen=True, slots=True)
class WithFiles:
    episode: Episode
    failures: tuple[FileFailure, ...] = ()


class FileReader:
    """Reads the files of many episodes with at most `concurrency` requests in flight at once."""

    def __init__(self, fetcher: Fetcher, *, concurrency: int = 8) -> None:
        self._fetcher = fetcher
        self._slots = asyncio.Semaphore(concurrency)

    async def attach_all(self, episodes: Sequence[Episode]) -> list[WithFiles]:
        return list(await asyncio.gather(*(self.attach(e) for e in episodes)))

    async def attach(self, episode: Episode) -> WithFiles:
        """The episode with chapters and transcript from its files where they could be read."""
        if not episode.chapters_url and not episode.transcript_urls:
            return WithFiles(episode)
        (chapters, chapter_failures), (segments, transcript_failures) = await asyncio.gather(
            self._chapters(episode.chapters_url), self._transcript(episode.transcript_urls)
        )
        # A file's data replaces what the show notes gave; without it, the notes' version stands.
        updated = replace(
            episode,
            chapters=chapters if chapters else episode.chapters,
            segments=segments if segments else episode.segments,
        )
        return WithFiles(updated, (*chapter_failures, *transcript_failures))

    async def _chapters(self, url: str | None) -> tuple[tuple[Chapter, ...], tuple[FileFailure, ...]]:
        if not url:
            return (), ()
        try:
            body = await self._get(url)
            return await asyncio.to_thread(parse_chapters, body), ()
        except (FetchError, ParseError) as exc:
            return (), (FileFailure(url, str(exc)),)

    async def _transcript(
        self, refs: Sequence[TranscriptRef]
    ) -> tuple[tuple[Segment, ...], tuple[FileFailure, ...]]:
        """The richest transcript among the first few in order of preference: stop at one with speakers."""
        best: tuple[Segment, ...] = ()
        failures: list[FileFailure] = []
        for ref in by_preference(refs)[:MAX_TRANSCRIPT_TRIES]:
            try:
                body = await self._get(ref.url)
                segments = await asyncio.to_thread(parse_transcript, body, ref.mime_type)
            except (FetchError, ParseError) as exc:
                failures.append(FileFailure(ref.url, str(exc)))
                continue
            if richness(segments) > richness(best):
                best = segments
            if best and all(richness(best)[:2]):
                break
        # Fallbacks that worked make the earlier failures moot: the episode has a transcript.
        return best, () if best else tuple(failures)

    async def _get(self, url: str) -> bytes:
        async with self._slots:
            result = await self._fetcher.fetch(url, limits=FILE_LIMITS)
        return result.body
