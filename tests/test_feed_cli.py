"""`podbot ingest` with feeds: URLs and files, with their chapter and transcript files, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from tests.feedkit import Item, day, rss
from tests.feedserver import feed_server_thread, stalls

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.feedserver import FeedServer

FEEDS = Path(__file__).parent / "feeds"
CHAPTERS = b'{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Hello"}]}'


def podbot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server_thread() as running:
        yield running


@pytest.fixture
def db(store_location: str | Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PODBOT_ALLOW_PRIVATE_URLS", "true")  # the test server is on 127.0.0.1
    monkeypatch.setenv("PODBOT_SEED_BUNDLED", "false")
    return str(store_location)  # a SQLite file or a PostgreSQL URL: each test runs on both


def tidepool_feed(server: FeedServer) -> bytes:
    """The Tidepool feed with its chapter and transcript links pointing at the test server."""
    return (
        (FEEDS / "show.xml")
        .read_bytes()
        .replace(b"https://cdn.tidepool.example/42/", server.url("/42/").encode())
    )


def episodes(db: str) -> list[dict[str, object]]:
    result = podbot("--db", str(db), "episodes", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_ingest_a_feed_url_with_its_chapter_and_transcript_files(server: FeedServer, db: str) -> None:
    url = server.serve("/feed.xml", tidepool_feed(server))
    server.serve("/42/chapters.json", (FEEDS / "chapters.json").read_bytes(), content_type="application/json")
    server.serve(
        "/42/transcript.json", (FEEDS / "transcript.json").read_bytes(), content_type="application/json"
    )
    server.serve(
        "/42/transcript.srt", (FEEDS / "transcript.srt").read_bytes(), content_type="application/x-subrip"
    )

    result = podbot("--db", str(db), "ingest", url)

    assert result.exit_code == 0, result.stderr
    assert f"{url}: 3 added, 0 updated, 0 unchanged" in result.stdout
    newest = episodes(db)[0]
    assert newest["title"] == "Gliders, Kelp & Carbon — with Ines Okafor of BlueMargin"
    assert newest["published"] == "2024-03-05T18:00:00+00:00"
    assert newest["duration_s"] == 3920
    # Chapters from the JSON file (the sponsor chapter has toc:false and is not listed), not the notes.
    assert [c["title"] for c in newest["chapters"]] == [
        "Introductions",
        "What a glider is: buoyancy, not propellers",
        'Counting kelp from below — "the hard part"',
        "Where to follow Ines?",
    ]
    assert newest["chapters"][1]["start_s"] == 105
    # The JSON transcript is preferred over SRT and captions; it has speakers, so no other was fetched.
    assert newest["speakers"] == ["Marta", "Ines"]
    assert server.hits("/42/transcript.json") == 1
    assert server.hits("/42/transcript.srt") == 0
    assert server.hits("/42/transcript.vtt") == 0
    assert newest["guests"] == ["Ines Okafor"]


def test_files_that_fail_are_reported_and_the_episode_is_stored_without_them(
    server: FeedServer, db: str
) -> None:
    url = server.serve("/feed.xml", tidepool_feed(server))
    server.serve("/42/chapters.json", b"oops", status=500, content_type="text/plain")
    server.serve("/42/transcript.json", b"{broken", content_type="application/json")
    # The SRT and VTT are not on the server at all: 404.

    result = podbot("--db", str(db), "ingest", url)

    assert result.exit_code == 0
    assert "3 added" in result.stdout
    assert "chapters.json: the server answered 500 Internal Server Error" in result.stderr
    assert "transcript.json: the JSON transcript is not valid JSON" in result.stderr
    assert "transcript.srt: the server answered 404 Not Found" in result.stderr
    newest = episodes(db)[0]
    # What the show notes hold stands in: their chapter list and transcript.
    assert [c["start_s"] for c in newest["chapters"]] == [0, 105, 850, 3750]
    assert newest["speakers"] == ["Marta Quintero", "Ines"]


def test_ingesting_the_same_feed_again_changes_nothing(server: FeedServer, db: str) -> None:
    url = server.serve("/feed.xml", (FEEDS / "substack.xml").read_bytes())
    assert "2 added" in podbot("--db", str(db), "ingest", url).stdout
    again = podbot("--db", str(db), "ingest", url)
    assert f"{url}: 0 added, 0 updated, 2 unchanged" in again.stdout


def test_ingest_a_feed_file(db: str) -> None:
    result = podbot("--db", str(db), "ingest", str(FEEDS / "malformed.xml"))
    assert result.exit_code == 0
    # Six items; two share a GUID but not their title or audio: six episodes, and a word on stderr.
    assert "6 added" in result.stdout
    titles = [e["title"] for e in episodes(db)]
    assert "Q&A with the R&D team – part 2" in titles
    assert {"Repeated listing", "Repeated listing (older copy)"} <= set(titles)
    (line,) = result.stderr.splitlines()
    assert line == (
        f"podbot: {FEEDS / 'malformed.xml'}: 2 items share the GUID 'sonar-7': kept as 2 episodes, as their "
        "audio, title or date differ ('Repeated listing', 'Repeated listing (older copy)')"
    )
    # Read again, the same six episodes: the second's own key is stable.
    again = podbot("--db", str(db), "ingest", str(FEEDS / "malformed.xml"))
    assert "0 added, 0 updated, 6 unchanged" in again.stdout


def test_an_item_listed_twice_is_one_episode_and_the_merge_is_reported(db: str, tmp_path: Path) -> None:
    pilot = Item("g1", "Pilot", day(1), "https://x.example/1.mp3")
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([Item("g2", "Second", day(2), "https://x.example/2.mp3"), pilot, pilot]))
    result = podbot("--db", str(db), "ingest", str(path))
    assert result.exit_code == 0
    assert "2 added" in result.stdout
    assert result.stderr == f"podbot: {path}: 2 items share the GUID 'g1': 1 identical repeat merged\n"


def test_a_web_page_is_not_a_feed(server: FeedServer, db: str) -> None:
    url = server.serve(
        "/", b"<!doctype html><html><body><h1>Tidepool</h1></body></html>", content_type="text/html"
    )
    result = podbot("--db", str(db), "ingest", url)
    assert result.exit_code == 1
    assert "the address serves a web page, not a feed" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_feed_served_with_the_wrong_content_type_is_still_read(server: FeedServer, db: str) -> None:
    url = server.serve(
        "/feed", (FEEDS / "substack.xml").read_bytes(), content_type="text/html; charset=utf-8"
    )
    result = podbot("--db", str(db), "ingest", url)
    assert result.exit_code == 0, result.stderr
    assert "2 added" in result.stdout


def test_unreachable_and_refused_urls(
    server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "podbot.db"
    url = server.serve("/feed.xml", (FEEDS / "substack.xml").read_bytes())
    # Without PODBOT_ALLOW_PRIVATE_URLS the guard refuses the loopback address, before any request.
    result = podbot("--db", str(db), "ingest", url, "ftp://example.com/feed.xml")
    assert result.exit_code == 1
    assert "points at a private or local address" in result.stderr
    assert server.hits("/feed.xml") == 0
    monkeypatch.setenv("PODBOT_ALLOW_PRIVATE_URLS", "true")
    missing = podbot("--db", str(db), "ingest", server.url("/nope.xml"))
    assert missing.exit_code == 1
    assert "nope.xml: the server answered 404 Not Found" in missing.stderr


@pytest.mark.parametrize(
    "source", ["ftp://example.com/feed.xml", "file:///etc/hosts", "feed://x.example/rss"]
)
def test_only_http_urls_and_files_are_read(db: str, source: str) -> None:
    result = podbot("--db", str(db), "ingest", source)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"podbot: {source}: podbot reads only http(s) URLs and files; give the feed's http(s) address"
    ]


def test_a_password_in_a_url_is_never_printed(server: FeedServer, db: str) -> None:
    secret_url = server.url("/feed.xml").replace("http://", "http://listener:hunter2@")
    feed = rss(
        [Item("ep-1", "Episode 1", day(0), chapters_url=server.url("/c.json").replace("//", "//bo:pa55@"))]
    )
    url = server.serve("/feed.xml", feed)

    refused = podbot("--db", str(db), "ingest", secret_url)
    ingested = podbot("--db", str(db), "ingest", url)

    assert refused.exit_code == 1
    assert "http://***@127.0.0.1" in refused.stderr
    assert ingested.exit_code == 0, ingested.stderr
    assert "could not read http://***@127.0.0.1" in ingested.stderr  # the feed's chapter link
    for output in (refused.stdout, refused.stderr, ingested.stdout, ingested.stderr):
        assert "hunter2" not in output
        assert "listener" not in output
        assert "pa55" not in output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_source_file_is_read_up_to_the_feed_size_cap(db: str) -> None:
    result = podbot("--db", str(db), "ingest", "/dev/zero")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "podbot: /dev/zero: the file is larger than 32 MB, podbot's limit for a source"
    ]


# --- hosts that do not answer, and long back catalogues ----------------------------------------------------


@pytest.fixture
def files_host() -> Iterator[FeedServer]:
    """A second server, so that chapter files live on another host than the feed."""
    with feed_server_thread() as running:
        yield running


def _feed_with_chapters_on(host: FeedServer, count: int) -> bytes:
    return rss(
        [
            Item(f"ep-{n}", f"Episode {n}", day(n), chapters_url=host.url(f"/chapters/{n}.json"))
            for n in range(count, 0, -1)
        ]
    )


def test_a_host_that_keeps_failing_is_given_up_on_for_the_rest_of_the_ingest(
    server: FeedServer, files_host: FeedServer, db: str
) -> None:
    for n in range(1, 31):
        files_host.serve(f"/chapters/{n}.json", b"maintenance", status=503, content_type="text/plain")
    url = server.serve("/feed.xml", _feed_with_chapters_on(files_host, 30))

    result = podbot("--db", str(db), "ingest", url)

    assert result.exit_code == 0, result.stderr
    assert f"{url}: 30 added" in result.stdout
    asked = sum(files_host.hits(f"/chapters/{n}.json") for n in range(1, 31))
    # Three failures end it; at most the seven others already in flight (of eight at once) are answered.
    assert asked <= 10
    host = f"127.0.0.1:{files_host.port}"
    assert f"{url}: skipped {30 - asked} files on {host}, which kept failing" in result.stderr
    assert result.stderr.count("could not read") == asked
    # podbot's own lines only: the log (the breaker's warning among it) is for --verbose.
    assert all(line.startswith("podbot: ") for line in result.stderr.splitlines()), result.stderr


def test_a_host_that_never_answers_cannot_hold_up_an_ingest(
    server: FeedServer, files_host: FeedServer, db: str
) -> None:
    for n in range(1, 13):
        files_host.route(f"/chapters/{n}.json", stalls)
    url = server.serve("/feed.xml", _feed_with_chapters_on(files_host, 12))

    result = podbot("--db", str(db), "ingest", "--files-timeout", "1", url)

    assert result.exit_code == 0, result.stderr
    assert f"{url}: 12 added" in result.stdout
    assert (
        f"{url}: skipped 12 files left when the 1 s for files ran out (see --files-timeout); "
        "their episodes are stored without them"
    ) in result.stderr
    assert "could not read" not in result.stderr
    assert len(episodes(db)) == 12


def test_files_are_read_for_the_newest_episodes_only(server: FeedServer, db: str) -> None:
    for n in range(1, 31):
        server.serve(f"/chapters/{n}.json", CHAPTERS, content_type="application/json")
    url = server.serve("/feed.xml", _feed_with_chapters_on(server, 30))

    result = podbot("--db", str(db), "ingest", "--files-for", "5", url)

    assert result.exit_code == 0, result.stderr
    assert f"{url}: 30 added" in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"podbot: {url}: skipped the files of 25 older episodes (files are read for the newest 5; "
        "see --files-for); their episodes are stored without them"
    ]
    with_chapters = [e["title"] for e in episodes(db) if e["chapters"]]
    assert with_chapters == [f"Episode {n}" for n in range(30, 25, -1)]
    assert sum(server.hits(f"/chapters/{n}.json") for n in range(1, 31)) == 5

    none = podbot("--db", str(db), "ingest", "--files-for", "0", url)
    assert none.stderr.strip().splitlines() == [
        f"podbot: {url}: skipped the files of 30 episodes (--files-for 0); their episodes are stored without them"
    ]
    assert sum(server.hits(f"/chapters/{n}.json") for n in range(1, 31)) == 5
