"""A podcast directory on 127.0.0.1 that answers like Apple's iTunes Search API, for `/show add` tests.

The answers are written in the shape Apple's API returns (`tests/directory/itunes-search.json` is a full
one, with the fields the real service sends): podbot reads only a few fields, but it must read them out of
the whole answer. A term the directory was not told about finds nothing, as the real one does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.feedserver import FeedServer

SEARCH_PATH = "/search"
# Apple sends JSON as text/javascript; podbot must not insist on application/json.
ITUNES_CONTENT_TYPE = "text/javascript; charset=utf-8"


def recorded_answer(**feeds: str) -> bytes:
    """The recorded full answer, its feed URLs ({FEED_1}, {FEED_2}, {FEED_3}) pointed at the given URLs."""
    text = (Path(__file__).parent / "directory" / "itunes-search.json").read_text(encoding="utf-8")
    for name, url in feeds.items():
        text = text.replace("{" + name + "}", url)
    return text.encode("utf-8")


def itunes_entry(
    title: str, feed_url: str | None, *, author: str = "", collection_id: int = 1
) -> dict[str, Any]:
    """One result in Apple's shape, for answers a test composes itself."""
    entry: dict[str, Any] = {
        "wrapperType": "track",
        "kind": "podcast",
        "collectionId": collection_id,
        "trackId": collection_id,
        "artistName": author,
        "collectionName": title,
        "trackName": title,
        "artworkUrl100": f"https://is1-ssl.mzstatic.com/image/thumb/Podcasts/{collection_id}/100x100bb.jpg",
        "artworkUrl600": f"https://is1-ssl.mzstatic.com/image/thumb/Podcasts/{collection_id}/600x600bb.jpg",
        "genres": ["Technology", "Podcasts"],
    }
    if feed_url is not None:
        entry["feedUrl"] = feed_url
    return entry


def itunes_answer(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps({"resultCount": len(entries), "results": entries}).encode("utf-8")


def serve_directory(server: FeedServer, answers: dict[str, bytes]) -> str:
    """Answer `GET /search?term=…` with `answers[term]` (terms compared case-blind, spaces folded);
    returns the base URL to put in PODBOT_DIRECTORY_URL."""
    by_term = {" ".join(term.casefold().split()): body for term, body in answers.items()}

    async def search(request: web.Request) -> web.StreamResponse:
        if request.query.get("media") != "podcast":
            return web.Response(status=400, text="media=podcast expected")
        term = " ".join(request.query.get("term", "").casefold().split())
        body = by_term.get(term, itunes_answer([]))
        return web.Response(body=body, headers={"Content-Type": ITUNES_CONTENT_TYPE})

    return server.route(SEARCH_PATH, search)
