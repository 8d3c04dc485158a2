"""One source read in full: a file's or URL's bytes parsed, and a feed's chapter and transcript files attached.

What `podbot ingest` does for each argument; the poller reads feeds incrementally instead (bot.feeds.poller).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.ingest.detect import parse_source
from bot.ingest.errors import ParseError

if TYPE_CHECKING:
    from bot.feeds.files import FileFailure, FileReader
    from bot.models import ParsedSource

FEED_FORMATS = frozenset({"rss", "atom"})


@dataclass(frozen=True, slots=True)
class ReadSource:
    parsed: ParsedSource
    # Chapter and transcript files that could not be read; their episodes are there without them.
    file_failures: tuple[FileFailure, ...] = ()


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def explain_parse_error(error: ParseError, content_type: str) -> str:
    """A parse error, with the hint a server's content type gives when a URL is not a feed at all."""
    if content_type in ("text/html", "application/xhtml+xml"):
        return f"{error} (the address serves a web page, not a feed: look for the page's RSS link)"
    return str(error)


async def read_source(raw: bytes, files: FileReader, *, url: str | None = None) -> ReadSource:
    """Parse `raw` off the event loop and, for a feed, attach its episodes' chapter and transcript files."""
    parsed = await asyncio.to_thread(parse_source, raw, source_url=url)
    if parsed.format not in FEED_FORMATS:
        return ReadSource(parsed)
    attached = await files.attach_all(parsed.episodes)
    return ReadSource(
        replace(parsed, episodes=tuple(a.episode for a in attached)),
        tuple(failure for a in attached for failure in a.failures),
    )
