"""One source read in full: a file's or URL's bytes parsed, and a feed's chapter and transcript files attached.

What `podbot ingest` does for each argument; the poller reads feeds incrementally instead (bot.feeds.poller).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.ingest.errors import ParseError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from bot.feeds.files import FileFailure, FileReader
    from bot.models import Episode, ParsedSource, SharedGuid

FEED_FORMATS = frozenset({"rss", "atom"})
# Chapter and transcript files are read for this many episodes per source, newest first, within this time.
FILES_FOR = 50
FILES_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class ReadSource:
    parsed: ParsedSource
    # Chapter and transcript files that were tried and could not be read; their episodes are there without
    # them.
    file_failures: tuple[FileFailure, ...] = ()
    # Files not tried: all those of the episodes past the cap, those on hosts that kept failing (by host),
    # and those left when the time for files was up.
    episodes_past_cap: int = 0
    skipped_for_host: Mapping[str, int] = field(default_factory=dict)
    skipped_for_time: int = 0


# A feed whose every item shares one GUID would make a notice as long as the feed: this many GUIDs and titles
# each are named, the rest counted.
NAMED_GUIDS, NAMED_TITLES = 3, 3


def shared_guid_notice(shared: Sequence[SharedGuid]) -> str | None:
    """What became of the items that shared a GUID, in one sentence (None when no GUID was shared)."""
    if not shared:
        return None
    parts = []
    for group in shared[:NAMED_GUIDS]:
        listed = len(group.kept) + group.merged
        said = [f"{listed} items share the GUID {group.guid!r}"]
        if len(group.kept) > 1:
            titles = ", ".join(repr(t) for t in group.kept[:NAMED_TITLES])
            more = len(group.kept) - NAMED_TITLES
            titles += f" and {more} more" if more > 0 else ""
            said.append(
                f"kept as {len(group.kept)} episodes, as their audio, title or date differ ({titles})"
            )
        if group.merged:
            repeats = "repeat" if group.merged == 1 else "repeats"
            said.append(f"{group.merged} identical {repeats} merged")
        parts.append(": ".join(said[:2]) + "".join(f"; {s}" for s in said[2:]))
    if len(shared) > NAMED_GUIDS:
        parts.append(f"and {len(shared) - NAMED_GUIDS} more shared GUIDs")
    return ". ".join(parts)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def explain_parse_error(error: ParseError, content_type: str) -> str:
    """A parse error, with the hint a server's content type gives when a URL is not a feed at all."""
    if content_type in ("text/html", "application/xhtml+xml"):
        return f"{error} (the address serves a web page, not a feed: look for the page's RSS link)"
    return str(error)


async def read_source(
    raw: bytes,
    files: FileReader | Callable[[], FileReader],
    *,
    url: str | None = None,
    name: str | None = None,
    files_for: int | None = None,
    files_within_s: float | None = None,
) -> ReadSource:
    """Parse `raw` off the event loop and, for a feed, attach its episodes' chapter and transcript files:
    those of the newest `files_for` episodes that have any, fetched for at most `files_within_s` seconds.

    A feed with a long back catalogue would otherwise mean a request or more per episode, and a host
    that never answers would hold the ingest for as long as all of them take to time out.

    `files` is a reader, or what makes one when the source turns out to name files (the CLI's: a page or
    a feed without files never loads the HTTP machinery).
    """
    # Imported here: the CLI imports this module for its defaults, and `podbot episodes` parses nothing.
    from bot.ingest.detect import parse_source

    parsed = await asyncio.to_thread(parse_source, raw, source_url=url, name=name)
    if parsed.format not in FEED_FORMATS:
        return ReadSource(parsed)
    episodes = list(parsed.episodes)
    with_files = [i for i, e in enumerate(episodes) if e.chapters_url or e.transcript_urls]
    with_files.sort(key=lambda i: _newest_first(episodes[i], i))
    chosen = with_files if files_for is None else with_files[: max(0, files_for)]
    if not chosen:
        return ReadSource(parsed, episodes_past_cap=len(with_files))
    reader = files() if callable(files) else files
    attached = await reader.attach_all([episodes[i] for i in chosen], within_s=files_within_s)
    for i, with_its_files in zip(chosen, attached.episodes, strict=True):
        episodes[i] = with_its_files.episode
    return ReadSource(
        replace(parsed, episodes=tuple(episodes)),
        tuple(f for a in attached.episodes for f in a.failures if not f.skipped),
        episodes_past_cap=len(with_files) - len(chosen),
        skipped_for_host=attached.skipped_for_host,
        skipped_for_time=attached.skipped_for_time,
    )


def _newest_first(episode: Episode, position: int) -> tuple[bool, float, int]:
    # Undated episodes last, in the feed's own order (which lists the newest first).
    published = episode.published
    return (published is None, -published.timestamp() if published else 0.0, position)
