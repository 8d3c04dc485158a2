"""Listen links: built from what a feed says, never to anything but an http(s) page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiosqlite

from bot.ingest.feed import parse_feed, read_feed
from bot.listen import apple_id_from, listen_links, podcast_guid
from bot.scope import Scope
from bot.store import Store, pairs
from bot.store.migrations import bundled_migrations, migrate
from tests.factories import make_episode
from tests.feedkit import Item, day, rss

if TYPE_CHECKING:
    from pathlib import Path

GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_a_feed_with_apple_and_guid_gives_every_link() -> None:
    feed = rss(
        [Item("ep-1", "Episode 1", day(0), "https://cdn.example/1.mp3")],
        extra_channel=(
            f"<podcast:guid> {GUID.upper()} </podcast:guid>"
            "<link>https://podcasts.apple.com/us/podcast/test-cast/id1674008350?uo=4</link>"
        ),
    )
    show = read_feed(feed).show
    assert show.podcast_guid == GUID
    assert show.apple_id == 1674008350

    episode = make_episode("Episode 1", link="https://show.example/1", audio_url="https://cdn.example/1.mp3")
    links = listen_links(episode, apple_id=show.apple_id, guid=show.podcast_guid)
    assert [(link.label, link.url) for link in links] == [
        ("Open episode", "https://show.example/1"),
        ("Listen", "https://cdn.example/1.mp3"),
        ("Apple Podcasts", "https://podcasts.apple.com/podcast/id1674008350"),
        ("Steno.fm", f"https://steno.fm/show/{GUID}"),
    ]


def test_a_feed_without_ids_has_no_app_links() -> None:
    show = read_feed(
        rss([Item("ep-1", "Episode 1", day(0))], extra_channel="<link>https://show.example/</link>")
    ).show
    assert show.podcast_guid is None
    assert show.apple_id is None
    assert listen_links(make_episode("Episode 1"), apple_id=None, guid=None) == []


def test_hostile_values_make_no_links() -> None:
    episode = make_episode("Evil", link="javascript:alert(1)", audio_url="discord://-/channels/1/2", guid="x")
    assert listen_links(episode, apple_id=None, guid="../../admin") == []
    assert podcast_guid("not-a-uuid") is None
    assert podcast_guid("") is None
    # Only Apple's own show pages give an id; a look-alike host or a path elsewhere does not.
    assert apple_id_from(["https://podcasts.apple.com.evil.example/us/podcast/x/id123"]) is None
    assert apple_id_from(["https://evil.example/podcasts.apple.com/podcast/id123"]) is None
    assert apple_id_from(["javascript:https://podcasts.apple.com/podcast/id123"]) is None
    assert apple_id_from([None, "", "https://itunes.apple.com/podcast/id42"]) == 42


async def test_a_store_from_before_app_ids_upgrades_and_keeps_them_from_feeds(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await pairs.register(conn)  # migration 004's triggers call it
        await migrate(conn, bundled_migrations()[:6])
        await conn.execute("INSERT INTO shows (key, title) VALUES ('https://show.example/feed', 'Test Cast')")
        await conn.execute(
            "INSERT INTO episodes (show_id, guid, title, title_key, added_at, updated_at)"
            " VALUES (1, 'old-1', 'Old episode', 'old episode', '2024-01-01', '2024-01-01')"
        )
    feed = rss(
        [Item("ep-1", "Episode 1", day(0), "https://cdn.example/1.mp3")],
        extra_channel=f"<podcast:guid>{GUID}</podcast:guid><link>https://podcasts.apple.com/podcast/id77</link>",
    )
    async with await Store.open(path) as store:
        (old,) = await store.catalog.episodes(scope=Scope.everything())
        assert (old.episode.title, old.show_guid, old.show_apple_id) == ("Old episode", None, None)
        await store.catalog.ingest(parse_feed(feed, feed_url="https://show.example/feed"))
        # A source that says nothing about apps (a page, a feed that dropped the tag) keeps what was read.
        await store.catalog.ingest(
            parse_feed(rss([Item("ep-2", "Episode 2", day(1))]), feed_url="https://show.example/feed")
        )
        stored = await store.catalog.episodes(scope=Scope.everything())
    assert {s.episode.title for s in stored} == {"Old episode", "Episode 1", "Episode 2"}
    assert {(s.show_guid, s.show_apple_id) for s in stored} == {(GUID, 77)}
