"""Property tests: random and extreme input to every parser. Nothing escapes but the parser's own ParseError,
and whatever a parser returns can be stored: every time is a moment of an episode (0 to bot.text.MAX_SECONDS).

Run sizes: EXAMPLES per property (200 by default; `HYPOTHESIS_EXAMPLES=5000 pytest tests/test_parser_properties.py`
for a long run). The fixed cases at the end are the values of issue 9 that sank whole sources.
"""

from __future__ import annotations

import json
import math
import os
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest.chapters import parse_chapters
from bot.ingest.detect import parse_source
from bot.ingest.directory import parse_itunes_search
from bot.ingest.errors import ParseError
from bot.ingest.feed import parse_date, parse_feed
from bot.ingest.html_text import html_to_text, tidy_text
from bot.ingest.page import parse_page
from bot.ingest.shownotes import parse_show_notes
from bot.ingest.transcript import parse_time, parse_transcript
from bot.ingest.turns import parse_turns
from bot.text import MAX_SECONDS, parse_clock

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.models import Episode, ParsedSource

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))
property_settings = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

# Numbers that break arithmetic: overflow, infinities, NaN, negatives, ints past every machine word.
extreme_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.sampled_from([1e308, -1e308, math.inf, -math.inf, 10**20, 10**19 - 1, 2**63, -(2**63), 10**400]),
)
# Time strings as feeds write them, with absurd parts: 20-digit hours, `Infinity`, `nan`, `1e308`.
time_strings = st.one_of(
    st.from_regex(r"\A-?\d{1,25}(:\d{1,25}){0,3}([.,]\d{0,20})?\Z"),
    st.sampled_from(
        ["Infinity", "-Infinity", "NaN", "nan", "1e308", "99999999999999999999999", "", "::", "1:"]
    ),
    st.text(max_size=30),
)
json_values = st.recursive(
    st.none() | st.booleans() | extreme_numbers | time_strings,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def assert_moment(seconds: float | None) -> None:
    assert seconds is None or 0 <= seconds <= MAX_SECONDS, seconds


def assert_storable(episode: Episode) -> None:
    assert_moment(episode.duration_s)
    for chapter in episode.chapters:
        assert_moment(chapter.start_s)
        assert_moment(chapter.end_s)
    for segment in episode.segments:
        assert_moment(segment.start_s)


def only_parse_errors(parse: Callable[[], object]) -> object:
    try:
        return parse()
    except ParseError as error:
        message = str(error)
    assert message  # one sentence a user can read
    return None


# --- values --------------------------------------------------------------------------------------------


@property_settings
@given(time_strings)
def test_clock_and_time_values_are_moments_or_nothing(value: str) -> None:
    assert_moment(parse_clock(value))
    assert_moment(parse_time(value))


@property_settings
@given(extreme_numbers)
def test_numeric_times_are_moments_or_nothing(value: float) -> None:
    assert_moment(parse_time(value))


@property_settings
@given(st.text(max_size=60))
def test_dates_are_dates_or_nothing(value: str) -> None:
    parse_date(value)


# --- chapter files -------------------------------------------------------------------------------------

chapter_items = st.fixed_dictionaries(
    {"startTime": json_values, "title": st.one_of(st.text(max_size=20), json_values)},
    optional={"endTime": json_values, "url": json_values, "toc": json_values, "img": json_values},
)


def chapters_json(items: list[object]) -> str:
    # allow_nan writes Infinity and NaN as real chapter files do (JSON.parse rejects them; Python reads them).
    return json.dumps({"version": "1.2.0", "chapters": items}, allow_nan=True)


@property_settings
@given(st.lists(st.one_of(chapter_items, json_values), max_size=8))
def test_chapter_files_with_any_values(items: list[object]) -> None:
    chapters = only_parse_errors(lambda: parse_chapters(chapters_json(items)))
    for chapter in chapters or ():
        assert_moment(chapter.start_s)
        assert_moment(chapter.end_s)


@property_settings
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300), json_values.map(json.dumps)))
def test_chapter_files_of_any_bytes(raw: bytes | str) -> None:
    only_parse_errors(lambda: parse_chapters(raw))


# --- transcript files ----------------------------------------------------------------------------------

_MIMES = ["text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain", ""]


@st.composite
def subtitle_files(draw: st.DrawFn) -> str:
    vtt = draw(st.booleans())
    blocks = ["WEBVTT"] if vtt else []
    for n in range(draw(st.integers(0, 6))):
        start, end = draw(time_strings), draw(time_strings)
        body = draw(
            st.one_of(st.text(max_size=40), st.sampled_from(["<v Ana>hello there", "Bo: yes.", ">> -"]))
        )
        blocks.append(f"{'' if vtt else n + 1}\n{start} --> {end}\n{body}")
    return draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n"])).join(blocks)


@st.composite
def json_transcripts(draw: st.DrawFn) -> str:
    segment = st.fixed_dictionaries(
        {"body": st.one_of(st.text(max_size=30), json_values)},
        optional={"speaker": json_values, "startTime": json_values, "endTime": json_values},
    )
    items = draw(st.lists(st.one_of(segment, json_values), max_size=8))
    return json.dumps({"version": "1.0.0", "segments": items}, allow_nan=True)


@st.composite
def timed_html(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(["Ana", "Bo Bee", "", "<b>x</b>", "a" * 80]))
        clock = draw(time_strings)
        text = draw(st.text(max_size=40))
        lines.append(f"<p>{escape(name)} [{escape(clock)}]: {escape(text)}</p>")
    return "<html><body>" + "".join(lines) + "</body></html>"


@property_settings
@given(
    st.one_of(
        subtitle_files(), json_transcripts(), timed_html(), st.text(max_size=300), st.binary(max_size=300)
    ),
    st.sampled_from(_MIMES),
)
def test_transcript_files_of_any_shape(raw: str | bytes, mime_type: str) -> None:
    segments = only_parse_errors(lambda: parse_transcript(raw, mime_type))
    for segment in segments or ():
        assert_moment(segment.start_s)
        assert segment.text


# --- feeds, pages, show notes --------------------------------------------------------------------------

_FEED_FIELDS = [
    "itunes:duration",
    "pubDate",
    "title",
    "link",
    "guid",
    "description",
    "podcast:person",
    "itunes:image",
]


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    channel = []
    if draw(st.booleans()):
        channel.append(f"<title>{escape(draw(st.text(max_size=20)))}</title>")
    if draw(st.booleans()):
        channel.append(f"<itunes:author>{escape(draw(st.text(max_size=20)))}</itunes:author>")
    items = []
    for _ in range(draw(st.integers(0, 4))):
        fields = []
        for name in draw(st.lists(st.sampled_from(_FEED_FIELDS), max_size=6)):
            value = draw(st.one_of(time_strings, st.text(max_size=30)))
            fields.append(f"<{name}>{escape(value)}</{name}>")
        if draw(st.booleans()):
            fields.append(f"<enclosure url={quoteattr(draw(st.text(max_size=30)))} type='audio/mpeg'/>")
        if draw(st.booleans()):
            fields.append(f"<podcast:chapters url={quoteattr(draw(st.text(max_size=30)))}/>")
        if draw(st.booleans()):
            starts = draw(st.lists(time_strings, max_size=4))
            chapters = "".join(f"<psc:chapter start={quoteattr(t)} title='c'/>" for t in starts)
            fields.append(f"<psc:chapters>{chapters}</psc:chapters>")
        if draw(st.booleans()):
            fields.append(f"<guid isPermaLink='true'>{escape(draw(st.text(max_size=20)))}</guid>")
        if draw(st.booleans()):
            notes = draw(st.one_of(st.text(max_size=60), timed_html()))
            fields.append(f"<content:encoded><![CDATA[{notes.replace(']]>', '')}]]></content:encoded>")
        items.append("<item>" + "".join(fields) + "</item>")
    document = (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'"
        " xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'"
        " xmlns:content='http://purl.org/rss/1.0/modules/content/'"
        " xmlns:psc='http://podlove.org/simple-chapters' xml:base='https://example.org/show/'"
        " xmlns:podcast='https://podcastindex.org/namespace/1.0'><channel>"
        + "".join(channel)
        + "".join(items)
        + "</channel></rss>"
    )
    # Sometimes cut short, as an interrupted download is.
    cut = draw(st.integers(0, len(document)))
    return (document if draw(st.booleans()) else document[:cut]).encode("utf-8", errors="surrogatepass")


def assert_source(parsed: ParsedSource | None) -> None:
    for episode in parsed.episodes if parsed else ():
        assert_storable(episode)


@property_settings
@given(feeds(), st.sampled_from([None, "https://example.org/feed.xml"]))
def test_feeds_with_any_values(raw: bytes, feed_url: str | None) -> None:
    assert_source(only_parse_errors(lambda: parse_feed(raw, feed_url=feed_url)))


@property_settings
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_any_bytes_as_a_source(raw: bytes) -> None:
    assert_source(only_parse_errors(lambda: parse_source(raw)))


@property_settings
@given(st.text(max_size=400))
def test_any_text_as_a_page(text: str) -> None:
    assert_source(only_parse_errors(lambda: parse_page(text)))


show_note_lines = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.builds(lambda t, s: f"{t} {s}", time_strings, st.text(max_size=20)),
        st.builds(
            lambda n, t, s: f"{n} [{t}]: {s}",
            st.sampled_from(["Ana", "Bo"]),
            time_strings,
            st.text(max_size=20),
        ),
        st.sampled_from(["Timestamps", "Transcript", "Show Notes", "Chapters"]),
    ),
    max_size=12,
).map("\n".join)


@property_settings
@given(show_note_lines, st.one_of(st.none(), st.integers(-5, 10**20)))
def test_show_notes_with_any_values(text: str, duration_s: int | None) -> None:
    notes = parse_show_notes(text, ("Ana",), duration_s=duration_s)
    for chapter in notes.chapters:
        assert_moment(chapter.start_s)
    for segment in notes.segments:
        assert_moment(segment.start_s)
    parse_turns(text, ("Ana",))


@property_settings
@given(st.text(max_size=400))
def test_any_markup_as_html(markup: str) -> None:
    html_to_text(markup)


# Character references to any code point near the control ranges, written every way HTML allows.
_references = st.builds(
    lambda value, hexadecimal, zeros, upper, semicolon: (
        "&#"
        + (("X" if upper else "x") + "0" * zeros + f"{value:x}" if hexadecimal else "0" * zeros + str(value))
        + (";" if semicolon else "")
    ),
    st.one_of(st.integers(0, 0x20), st.integers(0x7E, 0xA0), st.integers(0, 0x2FFFF)),
    st.booleans(),
    st.integers(0, 3),
    st.booleans(),
    st.booleans(),
)
_markup_pieces = st.one_of(
    _references,
    st.sampled_from(["<p>", "</p>", "<br>", "<b>", "</b>", "&amp;", " ", "a", "1", "x", ";", "\n"]),
    st.characters(max_codepoint=0x7F),
)


@property_settings
@given(st.lists(_markup_pieces, max_size=40).map("".join))
def test_html_text_never_holds_a_control_character(markup: str) -> None:
    # Control characters are replaced whether they come as bytes or as references (`&#1;`, `&#x01`):
    # html_to_text looks for them in the markup before it looks in the text.
    text = html_to_text(markup)
    assert not any((ch < " " and ch not in "\t\n\r") or ch == "\x7f" for ch in text), repr(text)


@property_settings
@given(
    st.lists(
        st.sampled_from([" ", "  ", "\n", "\t", "\r", "\xa0", "\u200b", "\u3000", "a", "b."]), max_size=30
    )
)
def test_tidy_text_collapses_spaces_and_drops_blank_lines(parts: list[str]) -> None:
    # What tidy_text promises, spelt out the slow way: odd spaces plain, runs of spaces one, no space at
    # either end of a line, no blank line, nothing around the whole.
    text = "".join(parts)
    expected = text.replace("\t", " ").replace("\r", " ").replace("\xa0", " ").replace("\u200b", "")
    while "  " in expected:
        expected = expected.replace("  ", " ")
    lines = expected.replace("\n ", "\n").replace(" \n", "\n").split("\n")
    assert tidy_text(text) == "\n".join(line for line in lines if line).strip()


@property_settings
@given(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps({"results": v}).encode())))
def test_directory_answers_of_any_shape(raw: bytes) -> None:
    only_parse_errors(lambda: parse_itunes_search(raw))


# --- the values of issue 9 -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e308", "Infinity", "-Infinity", "NaN", "99999999999999999999999"])
def test_a_chapter_with_an_absurd_start_is_dropped_and_the_others_kept(value: str) -> None:
    raw = '{"chapters": [{"startTime": VALUE, "title": "Broken"}, {"startTime": 90, "title": "Intro"}]}'
    raw = raw.replace("VALUE", value)
    assert [(c.start_s, c.title) for c in parse_chapters(raw)] == [(90, "Intro")]


def test_a_cue_with_twenty_digit_hours_is_dropped_and_the_others_kept() -> None:
    raw = (
        "WEBVTT\n\n99999999999999999999:00:00.000 --> 99999999999999999999:00:05.000\n<v Ana>lost\n\n"
        "00:00:07.000 --> 00:00:09.000\n<v Ana>kept\n"
    )
    assert [(s.start_s, s.text) for s in parse_transcript(raw, "text/vtt")] == [(7, "kept")]


@pytest.mark.parametrize("raw", ["[" * 100_000, '{"chapters": [' + "1" * 5000 + "]}"])
def test_an_unreadable_chapters_file_is_a_format_error(raw: str) -> None:
    with pytest.raises(ParseError, match="chapters file"):
        parse_chapters(raw)
    with pytest.raises(ParseError, match="JSON transcript"):
        parse_transcript(raw, "application/json")
