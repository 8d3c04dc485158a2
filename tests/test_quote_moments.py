"""A quote's moment is the moment it was said: `podbot quote --json` on a feed whose transcripts join several
timed cues of one speaker into a segment, in each shape real feeds serve (tests/feeds/moments: WebVTT with
voices, WebVTT with seconds-only times and CRLF, SRT with a `Name:` prefix, Buzzcast-style JSON segments,
timed HTML lines). Every file holds the same monologue, so every episode must give the same times.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.store.migrations import bundled_migrations
from tests.feedserver import feed_server_thread

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.feedserver import FeedServer

MOMENTS = Path(__file__).parent / "feeds" / "moments"
# File, its declared type, and the episode that links it.
TRANSCRIPTS = [
    ("monologue.vtt", "text/vtt", "Kelp in WebVTT"),
    ("seconds.vtt", "text/vtt", "Kelp in seconds-only WebVTT"),
    ("monologue.srt", "application/x-subrip", "Kelp in SRT"),
    ("monologue.json", "application/json", "Kelp in JSON"),
    ("monologue.html", "text/html", "Kelp in HTML"),
]
# (query, second at which its cue starts). Each lies inside a segment that starts at 0.
SAID_AT = [
    ("one out of five people now who say they listened to podcasts", 15),
    ('"delayed board meeting of podcasting"', 19),
    ("urchins than before", 9),
    # The phrase runs over two cues: its first word is in the earlier one.
    ("listened to podcasts also say", 15),
    ("otters", 4),
]


def podbot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server_thread() as running:
        yield running


def feed(server: FeedServer) -> bytes:
    items = []
    for n, (name, mime, title) in enumerate(TRANSCRIPTS):
        server.serve(f"/t/{name}", (MOMENTS / name).read_bytes(), content_type=mime)
        items.append(
            f"<item><title>{title}</title><guid>kelp-{n}</guid>"
            f"<pubDate>Mon, 0{n + 1} Jan 2024 12:00:00 +0000</pubDate>"
            f"<enclosure url='https://cdn.example/{n}.mp3' type='audio/mpeg' length='1'/>"
            f"<podcast:transcript url='{server.url(f'/t/{name}')}' type='{mime}'/></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'"
        " xmlns:podcast='https://podcastindex.org/namespace/1.0'><channel><title>Kelp Cast</title>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


@pytest.fixture
def db(store_location: str | Path, monkeypatch: pytest.MonkeyPatch, server: FeedServer) -> Path:
    """The feed's store: a SQLite file or a PostgreSQL URL (each test runs on both engines)."""
    monkeypatch.setenv("PODBOT_ALLOW_PRIVATE_URLS", "true")  # the test server is on 127.0.0.1
    monkeypatch.setenv("PODBOT_SEED_BUNDLED", "false")
    url = server.serve("/feed.xml", feed(server))
    result = podbot("--db", str(store_location), "ingest", url)
    assert result.exit_code == 0, result.stderr
    return store_location  # type: ignore[return-value]


@pytest.mark.parametrize(("query", "second"), SAID_AT)
def test_a_hit_is_at_the_start_of_the_cue_holding_its_first_matched_word(
    db: Path, query: str, second: int
) -> None:
    result = podbot("--db", str(db), "quote", query, "--limit", "10", "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)

    found = {hit["episode_title"]: hit["start_s"] for hit in hits}
    assert found == {title: second for _, _, title in TRANSCRIPTS}


def test_the_text_output_shows_the_cue_time(db: Path) -> None:
    result = podbot("--db", str(db), "quote", "delayed board meeting of podcasting", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    assert "  0:19  Hal Host: " in result.stdout


@pytest.mark.sqlite_only("a SQLite file from before migration 010, upgraded in place")
def test_a_store_from_before_cue_times_upgrades_in_place_and_keeps_its_segments(db: Path) -> None:
    # A store from just before the cue-times migration (the column dropped) with its segments in place.
    (added,) = [m for m in bundled_migrations() if "ADD COLUMN cue_times" in m.sql]
    with sqlite3.connect(db) as conn:
        segments_before = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        conn.execute("ALTER TABLE segments DROP COLUMN cue_times")
        # And without what later migrations added (columns), as a store of that time was.
        for later in bundled_migrations()[added.version :]:
            for table, column in re.findall(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", later.sql):
                conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute(f"PRAGMA user_version = {added.version - 1}")

    result = podbot("--db", str(db), "quote", "otters", "--limit", "10", "--json")

    assert result.exit_code == 0, result.stderr
    # Until the feed is read again, a hit is at its segment's start, as before.
    assert {hit["start_s"] for hit in json.loads(result.stdout)} == {0}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(bundled_migrations())
        assert conn.execute("SELECT count(*) FROM segments").fetchone()[0] == segments_before
