"""Reading a podcast directory's search answer: Apple's iTunes Search API JSON in, shows with feeds out.

Pure: bytes in, models out. The answer lists podcasts whose `feedUrl` is what podbot follows; entries
without one (Apple-only shows) or with a feed that is not http(s) are of no use and are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ingest.errors import ParseError


@dataclass(frozen=True, slots=True)
class DirectoryShow:
    """A podcast a directory knows: what a server manager picks from when adding a show by name."""

    title: str
    author: str
    feed_url: str
    artwork: str | None
    directory_id: int | None


def _text(entry: dict[str, Any], *names: str) -> str:
    for name in names:
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _web_url(value: object) -> str | None:
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def _show(entry: object) -> DirectoryShow | None:
    if not isinstance(entry, dict):
        return None
    feed_url = _web_url(entry.get("feedUrl"))
    title = _text(entry, "collectionName", "trackName")
    if feed_url is None or not title:
        return None
    directory_id = entry.get("collectionId")
    return DirectoryShow(
        title=title,
        author=_text(entry, "artistName"),
        feed_url=feed_url,
        # The largest artwork Apple lists: Discord shows thumbnails at 80 px, cards at up to 600.
        artwork=_web_url(entry.get("artworkUrl600")) or _web_url(entry.get("artworkUrl100")),
        directory_id=directory_id
        if isinstance(directory_id, int) and not isinstance(directory_id, bool)
        else None,
    )


def parse_itunes_search(body: bytes) -> list[DirectoryShow]:
    """The podcasts of an iTunes Search API answer, in the directory's order, each feed once.

    ParseError when the body is not such an answer at all (an HTML error page, a truncated download).
    """
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError("the directory's answer is not JSON") from exc
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise ParseError("the directory's answer has no list of results")
    shows: list[DirectoryShow] = []
    seen: set[str] = set()
    for entry in results:
        show = _show(entry)
        if show is not None and show.feed_url not in seen:
            seen.add(show.feed_url)
            shows.append(show)
    return shows
