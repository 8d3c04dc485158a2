"""RSS and Atom feeds, well-formed and as real publishers write them, to shows and episodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.identity import is_derived_key
from bot.ingest.detect import looks_like_feed
from bot.ingest.errors import ParseError
from bot.ingest.feed import parse_date, parse_feed, read_feed
from bot.models import Role, SharedGuid
from tests.feedkit import Item, day, rss

FEEDS = Path(__file__).parent / "feeds"


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_podcast_feed_gives_show_and_episodes_newest_first() -> None:
    parsed = parse_feed(feed("show.xml"))

    assert parsed.format == "rss"
    assert parsed.show.title == "Tidepool: Conversations on Ocean Robotics"
    assert parsed.show.key == "https://feeds.tidepool.example/rss"
    assert parsed.show.artwork == "https://cdn.tidepool.example/art/show.jpg"
    assert parsed.show.hosts == ("Marta Quintero", "Kofi Mensah")
    assert [e.title for e in parsed.episodes] == [
        "Gliders, Kelp & Carbon — with Ines Okafor of BlueMargin",
        "Listener Q&A: your sonar questions",
        "Trailer",
    ]
    assert [e.source_order for e in parsed.episodes] == [0, 1, 2]


def test_episode_fields() -> None:
    first = parse_feed(feed("show.xml")).episodes[0]

    assert first.guid == "tidepool-ep-42"
    assert first.link == "https://tidepool.example/42"
    assert first.audio_url == "https://cdn.tidepool.example/audio/42.mp3"
    assert first.published == datetime(2024, 3, 5, 18, 0, tzinfo=UTC)
    assert first.artwork == "https://cdn.tidepool.example/art/42.jpg"
    assert first.chapters_url == "https://cdn.tidepool.example/42/chapters.json"
    assert [(t.url.rsplit(".", 1)[1], t.mime_type, t.rel) for t in first.transcript_urls] == [
        ("srt", "application/x-subrip", None),
        ("vtt", "text/vtt", "captions"),
        ("json", "application/json", None),
    ]


def test_durations_in_every_written_form() -> None:
    durations = [e.duration_s for e in parse_feed(feed("show.xml")).episodes]
    # 1:05:20, 4385 (seconds), 07:00 (minutes:seconds)
    assert durations == [3920, 4385, 420]


def test_show_notes_become_description_chapters_and_transcript() -> None:
    first, second, _ = parse_feed(feed("show.xml")).episodes

    # content:encoded (the full notes) wins over the one-line description.
    assert first.show_notes == (
        "Ines Okafor of BlueMargin joins Marta to explain how underwater gliders measure the carbon "
        "that kelp forests store."
    )
    assert [(c.start_s, c.title) for c in first.chapters] == [
        (0, "Introductions"),
        (105, "What a glider is: buoyancy, not propellers"),
        (850, 'Counting kelp from below — "the hard part"'),
        (3750, "Where to follow Ines?"),
    ]
    assert [(s.start_s, s.speaker) for s in first.segments] == [
        (0, "Marta Quintero"),
        (12, "Ines"),
        (105, "Marta Quintero"),
        (110, "Ines"),
    ]
    assert first.segments[3].text == "It changes its buoyancy and glides, no propeller at all."
    # A plain description with an HTML line break keeps it as a line.
    assert second.show_notes == (
        "Marta and Kofi answer your questions about sonar.\nSend more to mail@tidepool.example"
    )
    assert second.chapters == ()
    assert second.segments == ()


def test_substack_style_feed_reads_like_the_bundled_page() -> None:
    parsed = parse_feed(feed("substack.xml"))
    episode, short = parsed.episodes

    # No podcast:person: hosts from the byline, the guest from the title, with the full name.
    assert parsed.show.hosts == ("Priya", "Tomasz")
    assert episode.hosts == ("Priya", "Tomasz")
    assert episode.guests == ("Dana Whitfield",)
    assert short.guests == ()
    assert [(c.start_s, c.title) for c in episode.chapters] == [
        (0, "Intros"),
        (151, 'Why open PDKs matter: "it\'s the compiler moment"'),
        (1145, "Tape-out costs — and how to cut them?"),
        (3730, "Hiring"),
    ]
    assert [s.speaker for s in episode.segments] == ["Priya", "Tomasz", "Dana", "Priya", "Dana"]
    assert episode.segments[2].text == "Thanks for having me. It’s great to be here."
    # The newsletter's subscription line is not show notes, and neither is the transcript.
    assert "Get full access" not in episode.show_notes
    assert "Hey everyone" not in episode.show_notes
    assert episode.show_notes.startswith("Our guest today is Dana Whitfield")
    assert (episode.duration_s, short.duration_s) == (3845, 3505)


def test_item_persons_replace_channel_persons_and_crew_is_not_cast() -> None:
    first, second, _ = parse_feed(feed("show.xml")).episodes

    assert [(p.name, p.role) for p in first.people] == [
        ("Marta Quintero", Role.HOST),
        ("Ines Okafor", Role.GUEST),
    ]
    assert first.guests == ("Ines Okafor",)
    # No item-level persons: the channel's hosts; the editor (group "audio post-production") is not a host.
    assert second.hosts == ("Marta Quintero", "Kofi Mensah")
    assert second.guests == ()
    assert second.people[0].image == "https://cdn.tidepool.example/marta.jpg"


def test_relative_urls_resolve_against_the_feed() -> None:
    trailer = parse_feed(feed("show.xml")).episodes[2]
    assert trailer.audio_url == "https://feeds.tidepool.example/audio/trailer.mp3"
    fetched_from = parse_feed(feed("show.xml"), feed_url="https://mirror.example/tidepool/feed.xml")
    assert fetched_from.episodes[2].audio_url == "https://mirror.example/audio/trailer.mp3"
    assert fetched_from.show.key == "https://mirror.example/tidepool/feed.xml"


# --- malformed feeds ---------------------------------------------------------------------------------------


def test_malformed_feed_is_read_with_its_text_intact() -> None:
    parsed = parse_feed(feed("malformed.xml"))

    # Windows-1252 bytes in a file that says UTF-8, and `&nbsp;`/`&hellip;`, which XML does not define.
    assert parsed.show.title == "Café Sonar & Friends"
    assert parsed.show.description == "Two friends, one microphone … and a lot of “sonar”."
    titles = [e.title for e in parsed.episodes]
    # A bare `&` must not swallow the text after it.
    assert titles[0] == "Q&A with the R&D team – part 2"
    assert titles[1] == 'Deep Dive: "Echoes" & <Reverb>'
    assert parsed.episodes[0].show_notes == "Café chat été edition — AT&T, &bogus; and more."
    # itunes: used without declaring the namespace
    assert parsed.show.artwork == "https://sonar.example/art.png"
    assert [e.duration_s for e in parsed.episodes[:3]] == [4385, 420, 3920]


def test_blank_and_missing_guids_get_stable_distinct_fallback_keys() -> None:
    first = parse_feed(feed("malformed.xml"))
    again = parse_feed(feed("malformed.xml"))

    keys = [e.guid for e in first.episodes]
    assert keys == [e.guid for e in again.episodes]
    assert len(set(keys)) == len(keys)
    blank, missing, whitespace = first.episodes[:3]
    assert all(is_derived_key(e.guid) for e in (blank, missing, whitespace))
    assert not is_derived_key(first.episodes[3].guid)


def test_fallback_key_survives_title_and_date_edits() -> None:
    original = feed("malformed.xml")
    edited = original.replace(b"Q&A with the R&D team", b"Q&A with the R&D team (re-edited)").replace(
        b"Wed, 10 Apr 2024", b"Thu, 11 Apr 2024"
    )
    assert parse_feed(edited).episodes[0].guid == parse_feed(original).episodes[0].guid


def test_a_guid_given_to_two_different_items_keeps_both_and_says_so() -> None:
    # Same GUID, another title and audio file: a publisher's copy-and-paste slip, not one episode.
    parsed = parse_feed(feed("malformed.xml"))
    sharing = [e for e in parsed.episodes if e.guid.startswith("sonar-7")]
    assert [e.title for e in sharing] == ["Repeated listing", "Repeated listing (older copy)"]
    # Undated: the one the feed lists last (feeds list the newest first) is the older, and keeps the GUID.
    assert sharing[1].guid == "sonar-7"
    assert len({e.guid for e in sharing}) == 2
    # The second's own key is the same on every read, so a poll does not see a new episode each time.
    assert [e.guid for e in parse_feed(feed("malformed.xml")).episodes] == [e.guid for e in parsed.episodes]
    assert parsed.shared_guids == (
        SharedGuid("sonar-7", ("Repeated listing", "Repeated listing (older copy)"), merged=0),
    )


@pytest.mark.parametrize(
    ("second", "kept"),
    [
        (Item("g1", "Pilot", day(1), "https://x.example/1.mp3"), 1),  # the same listing twice
        (Item("g1", "Pilot", day(1), "https://x.example/2.mp3"), 2),  # other audio
        (Item("g1", "Pilot, part two", day(1), "https://x.example/1.mp3"), 2),  # other title
        (Item("g1", "Pilot", day(2), "https://x.example/1.mp3"), 2),  # other date
    ],
)
def test_items_sharing_a_guid_are_one_episode_only_when_nothing_tells_them_apart(
    second: Item, kept: int
) -> None:
    first = Item("g1", "Pilot", day(1), "https://x.example/1.mp3")
    parsed = parse_feed(rss([first, second, Item("g2", "Other", day(3), "https://x.example/3.mp3")]))
    assert len(parsed.episodes) == kept + 1
    assert len({e.guid for e in parsed.episodes}) == kept + 1
    (shared,) = parsed.shared_guids
    assert shared.guid == "g1"
    assert len(shared.kept) == kept
    assert shared.merged == 2 - kept


def test_a_feed_without_shared_guids_reports_none() -> None:
    assert parse_feed(rss([Item("a", "A", day(1)), Item("b", "B", day(2))])).shared_guids == ()


def test_untitled_item_with_audio_is_still_an_episode() -> None:
    parsed = parse_feed(feed("malformed.xml"))
    assert parsed.episodes[-1].title == "An episode the publisher forgot to title."
    assert parsed.episodes[-1].audio_url == "https://sonar.example/media/untitled.mp3"


def test_bad_dates_are_unknown_not_errors() -> None:
    parsed = parse_feed(feed("malformed.xml"))
    assert parsed.episodes[0].published == datetime(2024, 4, 10, 14, 30, tzinfo=UTC)  # EST
    assert parsed.episodes[1].published == datetime(2024, 4, 2, 9, 30, tzinfo=UTC)  # "Tues,"
    assert parsed.episodes[2].published is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Tue, 05 Mar 2024 10:00:00 -0800", datetime(2024, 3, 5, 18, 0, tzinfo=UTC)),
        ("5 Mar 2024 10:00:00 GMT", datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:00 PDT", datetime(2024, 3, 5, 17, 0, tzinfo=UTC)),
        ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("", None),
        ("soon", None),
    ],
)
def test_dates(written: str, expected: datetime | None) -> None:
    assert parse_date(written) == expected


def test_whitespace_before_the_declaration_and_utf16() -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>Ünïcode</title><item><title>Ep</title><guid>1</guid></item></channel></rss>'
    assert parse_feed(body.encode("utf-16")).show.title == "Ünïcode"
    assert parse_feed(b"\n\n  \t" + body.replace("UTF-16", "UTF-8").encode()).show.title == "Ünïcode"


def test_entities_are_never_resolved_from_outside() -> None:
    hostile = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>
<rss><channel><title>Show &secret; &lol;</title><item><title>Ep</title><guid>1</guid></item></channel></rss>"""
    title = parse_feed(hostile).show.title
    assert "root:" not in title
    assert title.startswith("Show")


# --- Atom --------------------------------------------------------------------------------------------------


def test_atom_feed_in_latin1() -> None:
    parsed = parse_feed(feed("atom.xml"))

    assert parsed.format == "atom"
    assert parsed.show.title == "Léa's Atom Hour"
    assert parsed.show.artwork == "https://atom.example/logo.png"
    newest, oldest = parsed.episodes
    assert newest.title == "Episode 2: Entrées"
    assert newest.link == "https://atom.example/episodes/2"
    assert newest.audio_url == "https://atom.example/2.mp3"
    assert newest.published == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
    assert newest.show_notes == "First paragraph.\nSecond paragraph."
    assert newest.transcript_urls[0].url == "https://atom.example/2.vtt"
    assert oldest.published == datetime(2024, 4, 1, 10, 0, tzinfo=UTC)
    assert oldest.show_notes == "The first one."


# --- not feeds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Not found</body></html>", "not an RSS or Atom feed"),
        (b"<rss><channel><title>Empty</title></channel></rss>", "no episodes"),
        (b"<rss><channel><item><title>x</title></item></channel></rss>", "no title"),
        (b"\x00\x01 binary", "not readable XML"),
    ],
)
def test_not_a_usable_feed(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_feed(body)


def test_feed_detection_by_content() -> None:
    assert looks_like_feed(feed("show.xml").decode())
    assert looks_like_feed(feed("atom.xml").decode("latin-1"))
    assert not looks_like_feed("Latent Space: The AI Engineer Podcast\nEpisodes\n")


# --- long show notes ---------------------------------------------------------------------------------------


def _long_notes_feed(notes: str, *, encoding: str = "utf-8", declared: str = "UTF-8") -> bytes:
    return f"""<?xml version="1.0" encoding="{declared}"?>
<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Long</title>
<item><title>One</title><guid>1</guid><description>Short summary.</description>
<content:encoded>
  <![CDATA[{notes}]]>
</content:encoded></item>
<item><title>Two</title><guid>2</guid><description><![CDATA[<p>Second &amp; last</p>]]></description></item>
</channel></rss>""".encode(encoding)


def test_long_cdata_show_notes_come_back_whole() -> None:
    intro = "<p>An introduction long enough to be a description.</p>"
    paragraphs = [f"<p>00:{i:02d}:00 Chapter {i} — “quoted” &amp; more</p>" for i in range(60)]
    parsed = parse_feed(_long_notes_feed(intro + "<p>Chapters</p>" + "".join(paragraphs)))

    chapters = parsed.episodes[0].chapters
    assert len(chapters) == 60
    assert (chapters[0].start_s, chapters[0].title) == (0, "Chapter 0 — “quoted” & more")
    assert (chapters[-1].start_s, chapters[-1].title) == (59 * 60, "Chapter 59 — “quoted” & more")
    assert parsed.episodes[0].show_notes == "An introduction long enough to be a description."
    assert parsed.episodes[1].show_notes == "Second & last"


def test_long_cdata_in_windows_1252_inside_a_utf8_feed() -> None:
    notes = "<p>Café au lait, “smart quotes”.</p>" * 100
    parsed = parse_feed(_long_notes_feed(notes, encoding="cp1252"))
    assert parsed.episodes[0].show_notes.split("\n")[0] == "Café au lait, “smart quotes”."


def test_item_fingerprints_are_stable_and_follow_every_change() -> None:
    notes = "<p>Long notes.</p>" * 300
    first = read_feed(_long_notes_feed(notes))
    again = read_feed(_long_notes_feed(notes))
    assert [i.fingerprint for i in first.items] == [i.fingerprint for i in again.items]

    edited_notes = read_feed(_long_notes_feed(notes + "<p>Correction.</p>"))
    assert edited_notes.items[0].fingerprint != first.items[0].fingerprint
    assert edited_notes.items[1].fingerprint == first.items[1].fingerprint
    retitled = read_feed(_long_notes_feed(notes).replace(b"<title>Two</title>", b"<title>Two!</title>"))
    assert retitled.items[1].fingerprint != first.items[1].fingerprint


def test_a_new_item_on_top_leaves_the_other_fingerprints_alone() -> None:
    before = read_feed(feed("show.xml"))
    newer = b"<item><title>Brand new</title><guid>tidepool-ep-43</guid></item>\n    <item>"
    after = read_feed(feed("show.xml").replace(b"<item>", newer, 1))
    assert [i.fingerprint for i in after.items[1:]] == [i.fingerprint for i in before.items]


@pytest.mark.parametrize("name", ["show.xml", "substack.xml"])
def test_a_feed_cut_short_keeps_only_its_whole_items(name: str) -> None:
    raw = (FEEDS / name).read_bytes()
    whole = [i.episode for i in read_feed(raw).items]
    last_item_start = max(raw.rfind(b"<item>"), raw.rfind(b"<item "))
    # Cut a few bytes into the last item's GUID (or wherever it stops), as an interrupted download does.
    cut = raw[: last_item_start + 60]

    read = [i.episode for i in read_feed(cut).items]

    assert read == whole[:-1]


def test_a_feed_cut_short_in_its_first_item_is_refused() -> None:
    raw = (FEEDS / "show.xml").read_bytes()
    first_item = raw.find(b"<item")
    with pytest.raises(ParseError, match="cut short"):
        read_feed(raw[: first_item + 40])


def test_a_whole_feed_with_a_comment_after_its_end_loses_nothing() -> None:
    raw = (FEEDS / "show.xml").read_bytes()
    assert (
        read_feed(raw.rstrip() + b"\n<!-- generated by a feed builder -->\n&junk;").items
        == read_feed(raw).items
    )
