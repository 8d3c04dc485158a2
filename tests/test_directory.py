"""Finding a show's feed by name: the iTunes Search API's answers read right, served over real HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from aiohttp import web

from bot.config import Settings
from bot.directory import DirectoryError, search_directory
from bot.ingest.directory import parse_itunes_search
from bot.ingest.errors import ParseError
from bot.net.fetch import Fetcher
from bot.net.guard import AddressPolicy
from tests.directory_server import (
    ITUNES_CONTENT_TYPE,
    SEARCH_PATH,
    itunes_answer,
    itunes_entry,
    recorded_answer,
    serve_directory,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.feedserver import FeedServer

FEEDS = {
    "FEED_1": "https://feeds.example.org/latent-space.rss",
    "FEED_2": "http://rooms.example.net/feed",
    "FEED_3": "https://mirror.example.com/ls.xml",
}


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(AddressPolicy(allow_private=True)) as opened:
        yield opened


def test_the_recorded_answer_gives_the_podcasts_with_feeds_in_the_directorys_order() -> None:
    shows = parse_itunes_search(recorded_answer(**FEEDS))
    assert [s.title for s in shows] == [
        "Latent Space: The AI Engineer Podcast",
        # Runs of spaces and a newline in the directory's title are one space.
        "Latent Spaces (a show about rooms)",
        "Latent Space: The AI Engineer Podcast (mirror)",
    ]
    first = shows[0]
    assert first.feed_url == FEEDS["FEED_1"]
    assert first.author == "Alessio + swyx"
    assert first.directory_id == 1674008350
    assert str(first.artwork).endswith("600x600bb.jpg")
    # Only a 100 px artwork listed: that one.
    assert str(shows[1].artwork).endswith("100x100bb.jpg")
    # A javascript: URL is never artwork.
    assert shows[2].artwork is None


def test_a_show_without_a_feed_or_with_a_feed_listed_twice_is_left_out() -> None:
    body = itunes_answer(
        [
            itunes_entry("Apple only", None, collection_id=1),
            itunes_entry("Not a web feed", "ftp://example.org/feed", collection_id=2),
            itunes_entry("Real", "https://example.org/feed", collection_id=3),
            itunes_entry("Real again", "https://example.org/feed", collection_id=4),
            itunes_entry("", "https://example.org/untitled", collection_id=5),
        ]
    )
    assert [(s.title, s.directory_id) for s in parse_itunes_search(body)] == [("Real", 3)]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Service Unavailable</body></html>",
        b'{"resultCount": 3, "results": [{"collectionName": "cut sho',
        b'{"resultCount": 0}',
        b'["not", "an", "answer"]',
        b"[" * 100_000,
    ],
    ids=["html", "truncated", "no-results-list", "a-list", "deep-nesting"],
)
def test_what_is_not_a_directory_answer_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_itunes_search(body)


def test_odd_values_in_entries_are_skipped_not_fatal() -> None:
    body = (
        b'{"results": [null, 7, "x", {"collectionName": ["a"], "feedUrl": "https://a.example/f"},'
        b' {"collectionName": "Fine", "feedUrl": "https://b.example/f", "collectionId": "12",'
        b' "artworkUrl600": 600}, {"collectionName": "Bool id", "feedUrl": "https://c.example/f",'
        b' "collectionId": true}]}'
    )
    shows = parse_itunes_search(body)
    assert [(s.title, s.directory_id, s.artwork) for s in shows] == [
        ("Fine", None, None),
        ("Bool id", None, None),
    ]


async def test_a_name_is_looked_up_over_http_and_gives_the_shows(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    base = serve_directory(feed_server, {"latent space": recorded_answer(**FEEDS)})
    shows = await search_directory(fetcher, "  Latent   SPACE ", base_url=base)
    assert [s.feed_url for s in shows] == [FEEDS["FEED_1"], FEEDS["FEED_2"], FEEDS["FEED_3"]]
    [seen] = feed_server.requests
    assert seen.path == SEARCH_PATH


async def test_the_request_asks_for_podcasts_keeps_the_base_query_and_caps_the_limit(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    queries: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.StreamResponse:
        queries.append(dict(request.query))
        return web.Response(body=itunes_answer([]), headers={"Content-Type": ITUNES_CONTENT_TYPE})

    base = feed_server.route(SEARCH_PATH, record) + "?country=gb"
    assert await search_directory(fetcher, "bolt & friends?", base_url=base, limit=500) == []
    assert queries == [
        {"country": "gb", "term": "bolt & friends?", "media": "podcast", "entity": "podcast", "limit": "25"}
    ]


async def test_a_name_the_directory_does_not_know_finds_nothing(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    base = serve_directory(feed_server, {"latent space": recorded_answer(**FEEDS)})
    assert await search_directory(fetcher, "no such podcast", base_url=base) == []


async def test_the_limit_cuts_the_answer(feed_server: FeedServer, fetcher: Fetcher) -> None:
    base = serve_directory(feed_server, {"latent space": recorded_answer(**FEEDS)})
    shows = await search_directory(fetcher, "latent space", base_url=base, limit=2)
    assert [s.feed_url for s in shows] == [FEEDS["FEED_1"], FEEDS["FEED_2"]]


@pytest.mark.parametrize("name", ["", "   ", "\n\t"])
async def test_an_empty_name_is_one_sentence_and_asks_nothing(
    feed_server: FeedServer, fetcher: Fetcher, name: str
) -> None:
    base = serve_directory(feed_server, {})
    with pytest.raises(DirectoryError, match="type a podcast's name"):
        await search_directory(fetcher, name, base_url=base)
    assert feed_server.requests == []


async def test_a_pasted_paragraph_is_refused_before_asking(feed_server: FeedServer, fetcher: Fetcher) -> None:
    base = serve_directory(feed_server, {})
    with pytest.raises(DirectoryError, match="at most 200 characters"):
        await search_directory(fetcher, "word " * 100, base_url=base)
    assert feed_server.requests == []


async def test_a_failing_directory_is_one_sentence(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.serve(SEARCH_PATH, b"oops", status=503, content_type="text/plain")
    with pytest.raises(DirectoryError) as raised:
        await search_directory(fetcher, "latent space", base_url=feed_server.url(SEARCH_PATH))
    assert str(raised.value) == (
        "the podcast directory did not answer (the server answered 503 Service Unavailable); "
        "try again later, or paste the feed URL"
    )


async def test_an_unreadable_answer_is_one_sentence(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.serve(SEARCH_PATH, b"<html>maintenance</html>", content_type="text/html")
    with pytest.raises(DirectoryError, match="cannot read"):
        await search_directory(fetcher, "latent space", base_url=feed_server.url(SEARCH_PATH))


async def test_the_directory_is_asked_only_through_the_url_guard(feed_server: FeedServer) -> None:
    # A directory setting pointed at a private address is refused like any feed URL would be.
    base = serve_directory(feed_server, {"latent space": recorded_answer(**FEEDS)})
    async with Fetcher(AddressPolicy()) as guarded:
        with pytest.raises(DirectoryError, match="private or local address"):
            await search_directory(guarded, "latent space", base_url=base)
    assert feed_server.requests == []


def test_the_default_directory_is_apples_and_a_setting_moves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().directory_url == "https://itunes.apple.com/search"
    monkeypatch.setenv("PODBOT_DIRECTORY_URL", "http://127.0.0.1:9/search")
    assert Settings().directory_url == "http://127.0.0.1:9/search"
