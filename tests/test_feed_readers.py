"""Feeds the way other podcast apps read them (issue 9, items 2 and 3), through `podbot ingest` and
`podbot episodes --json` as an operator runs them: channel-level persons, untitled channels, Podlove Simple
Chapters, permalink GUIDs, and relative URLs under xml:base or the feed's own address."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from tests.feedserver import feed_server_thread

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.feedserver import FeedServer

FEEDS = Path(__file__).parent / "feeds"


def podbot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def db(store_location: str | Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PODBOT_ALLOW_PRIVATE_URLS", "true")  # the test server is on 127.0.0.1
    monkeypatch.setenv("PODBOT_SEED_BUNDLED", "false")
    return str(store_location)  # a SQLite file or a PostgreSQL URL: each test runs on both


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server_thread() as running:
        yield running


def ingest(db: str, source: str | Path) -> Result:
    result = podbot("--db", str(db), "ingest", str(source))
    assert result.exit_code == 0, result.stderr
    return result


def episodes(db: str) -> dict[str, dict[str, object]]:
    result = podbot("--db", str(db), "episodes", "--json")
    assert result.exit_code == 0, result.stderr
    return {e["title"]: e for e in json.loads(result.stdout)}


# --- 2. persons ----------------------------------------------------------------------------------------


def test_channel_persons_are_the_cast_of_items_without_their_own(db: str) -> None:
    ingest(db, FEEDS / "persons.xml")
    found = episodes(db)

    # No persons of its own: the channel's host and guest (crew such as the cover designer is not cast).
    assert found["Kelp and otters"]["hosts"] == ["Hal Host"]
    assert found["Kelp and otters"]["guests"] == ["Gail Regular"]
    # Persons of its own replace the channel's.
    assert found["A visit from Vera"]["hosts"] == ["Hal Host"]
    assert found["A visit from Vera"]["guests"] == ["Vera Visitor"]
    result = podbot("--db", str(db), "guest", "hal", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)[0]["episodes"]) == 2


# --- 3. feeds other parsers read -----------------------------------------------------------------------


def test_an_untitled_feed_is_named_after_its_author_and_its_podlove_chapters_are_read(db: str) -> None:
    report = ingest(db, FEEDS / "untitled-podlove.xml")
    assert "2 added" in report.stdout
    found = episodes(db)

    folge = found["Folge 1: Seetang"]
    assert folge["show"]["title"] == "Radio Kelp"
    # Normal play time with and without hours and milliseconds; the 20-digit hour is dropped.
    assert folge["chapters"] == [
        {"start_s": 0, "title": "Begrüßung"},
        {"start_s": 62, "title": "Was ist Seetang?"},
        {"start_s": 750, "title": "Otter"},
        {"start_s": 3723, "title": "Verabschiedung"},
    ]
    # xml:base on the channel and the item, and a root-relative image.
    assert folge["link"] == "https://radio.example/show/episodes/folge-1.html"
    assert folge["audio_url"] == "https://radio.example/show/episodes/audio/folge-1.mp3"
    # A GUID without isPermaLink that is a URL is the page of an item with no <link>.
    assert found["Folge 0: Trailer"]["link"] == "https://radio.example/show/trailer"
    assert found["Folge 0: Trailer"]["audio_url"] == "https://radio.example/show/trailer.mp3"
    result = podbot("--db", str(db), "chapters", "seetang", "--json")
    assert result.exit_code == 0, result.stderr
    assert [c["title"] for c in json.loads(result.stdout)["chapters"]][1] == "Was ist Seetang?"


UNTITLED = """<?xml version="1.0"?><rss version="2.0"><channel>{link}
<item><title>Only episode</title><guid isPermaLink="true">/episodes/only</guid>
<enclosure url="media/only.mp3" type="audio/mpeg" length="1"/></item>
<item><title>Not a page</title><guid isPermaLink="false">/episodes/not-a-page</guid>
<enclosure url="media/other.mp3" type="audio/mpeg" length="1"/></item>
</channel></rss>"""


def test_an_untitled_feed_file_is_named_after_its_link_or_the_file(db: str, tmp_path: Path) -> None:
    with_link = tmp_path / "linked.xml"
    with_link.write_text(UNTITLED.format(link="<link>https://www.tidepool.example/</link>"))
    bare = tmp_path / "kelp-cast.xml"
    bare.write_text(UNTITLED.format(link=""))

    ingest(db, with_link)
    ingest(db, bare)

    shows = {e["show"]["title"] for e in json.loads(podbot("--db", str(db), "episodes", "--json").stdout)}
    assert shows == {"tidepool.example", "kelp-cast"}


def test_relative_urls_of_a_served_feed_resolve_against_its_address(db: str, server: FeedServer) -> None:
    url = server.serve("/podcasts/feed.xml", UNTITLED.format(link="").encode())
    ingest(db, url)
    found = episodes(db)

    only = found["Only episode"]
    assert only["show"]["title"] == "127.0.0.1"  # named after the feed's host
    assert only["link"] == server.url("/episodes/only")
    assert only["audio_url"] == server.url("/podcasts/media/only.mp3")
    # isPermaLink="false": a key, not a page.
    assert found["Not a page"]["link"] is None
