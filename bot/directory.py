"""Finding a podcast's feed by its name in a public podcast directory (Apple's iTunes Search API).

The directory needs no key; its base URL is a setting (`PODBOT_DIRECTORY_URL`) so that tests, and operators
behind a mirror, can point it elsewhere. The request goes through the same guarded fetcher as feeds, with
small limits: a directory answer is a few kilobytes, and a manager is waiting for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yarl import URL

from bot.ingest.directory import DirectoryShow, parse_itunes_search
from bot.ingest.errors import ParseError
from bot.net.fetch import FetchError, Limits

if TYPE_CHECKING:
    from bot.net.fetch import Fetcher

__all__ = ["DIRECTORY_LIMITS", "DirectoryError", "DirectoryShow", "search_directory"]

DIRECTORY_LIMITS = Limits(connect_s=5.0, total_s=10.0, max_bytes=2 * 1024 * 1024, max_redirects=3)
# Longer than any podcast's name; the directory would answer nothing useful to a pasted paragraph anyway.
MAX_NAME_CHARS = 200
MAX_RESULTS = 25


class DirectoryError(Exception):
    """The directory cannot answer; the message is one sentence for the person who asked."""


def directory_query_url(base_url: str, name: str, *, limit: int) -> URL:
    """The search URL for `name`: podcasts only, the base URL's own query (a `country=`) kept."""
    return URL(base_url).update_query(
        {"term": name, "media": "podcast", "entity": "podcast", "limit": str(limit)}
    )


async def search_directory(
    fetcher: Fetcher, name: str, *, base_url: str, limit: int = 10
) -> list[DirectoryShow]:
    """Podcasts whose name matches `name`, the directory's best first, at most `limit` (1–25).

    An empty list when the directory knows none; DirectoryError when it cannot be asked or its answer
    cannot be read.
    """
    term = " ".join(name.split())
    if not term:
        raise DirectoryError("type a podcast's name, or paste its feed URL")
    if len(term) > MAX_NAME_CHARS:
        raise DirectoryError(
            f"a podcast's name is at most {MAX_NAME_CHARS} characters; paste its feed URL instead"
        )
    limit = max(1, min(limit, MAX_RESULTS))
    url = directory_query_url(base_url, term, limit=limit)
    try:
        result = await fetcher.fetch(str(url), limits=DIRECTORY_LIMITS)
    except FetchError as exc:
        raise DirectoryError(
            f"the podcast directory did not answer ({exc}); try again later, or paste the feed URL"
        ) from exc
    try:
        return parse_itunes_search(result.body)[:limit]
    except ParseError as exc:
        raise DirectoryError(
            "the podcast directory sent an answer podbot cannot read; try again later, or paste the feed URL"
        ) from exc
