"""Listen links: built from what a feed says, never to anything but an http(s) page."""

from __future__ import annotations

from bot.ingest.feed import read_feed
from bot.listen import apple_id_from, listen_links, podcast_guid
from tests.factories import make_episode
from tests.feedkit import Item, day, rss

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
