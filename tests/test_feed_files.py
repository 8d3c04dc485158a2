"""Podcasting 2.0 chapter and transcript files, in their real formats and with the rules real files bend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest.chapters import parse_chapters
from bot.ingest.errors import ParseError
from bot.ingest.transcript import by_preference, parse_transcript, richness
from bot.models import TranscriptRef

FEEDS = Path(__file__).parent / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


# --- chapters ----------------------------------------------------------------------------------------------


def test_chapters_in_order_with_toc_false_kept_but_marked() -> None:
    chapters = parse_chapters(read("chapters.json"))

    listed = [(c.start_s, c.title) for c in chapters if c.toc]
    assert listed == [
        (0, "Introductions"),
        (105, "What a glider is: buoyancy, not propellers"),
        (850, 'Counting kelp from below — "the hard part"'),
        (3750, "Where to follow Ines?"),  # "01:02:30" written as a string
    ]
    hidden = [c for c in chapters if not c.toc]
    assert [c.title for c in hidden] == ["Sponsor: DeepCo", ""]
    assert chapters[1].url == "https://bluemargin.example/gliders"
    assert next(c for c in chapters if c.start_s == 850).end_s == 3700


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"{not json", "not valid JSON"), (b'{"version": "1.2.0"}', "no chapters list"), (b"[]", "no chapters")],
)
def test_broken_chapter_files(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_chapters(body)


def test_chapters_without_a_usable_start_are_skipped() -> None:
    body = json.dumps(
        {"chapters": [{"title": "no start"}, {"startTime": "soon"}, {"startTime": 5, "title": "ok"}]}
    )
    assert [(c.start_s, c.title) for c in parse_chapters(body)] == [(5, "ok")]


# --- transcripts -------------------------------------------------------------------------------------------


def test_webvtt_voices_seconds_only_times_and_crlf() -> None:
    raw = read("transcript.vtt")
    assert b"\r\n" in raw
    segments = parse_transcript(raw, "text/vtt")

    assert [(s.start_s, s.speaker) for s in segments] == [
        (0, "Marta Quintero"),
        (12, "Ines Okafor"),
        (105, "Marta Quintero"),
        (105, "Ines Okafor"),  # a second voice inside the same cue
        (6400, "Ines Okafor"),  # 106:40.000, minutes past the hour
    ]
    # Cues of one speaker are joined; markup (<i>, <c.highlight>) is gone; NOTE and STYLE blocks are not text.
    assert segments[0].text == "Welcome back to Tidepool. Today we have Ines Okafor. She builds gliders."
    assert segments[2].text == "So, what is a glider?"
    assert segments[3].text == "It changes its buoyancy and glides."
    assert not any("cue" in s.text or "captioning" in s.text for s in segments)


def test_srt_name_prefixes_carry_over_to_unnamed_cues() -> None:
    segments = parse_transcript(read("transcript.srt"), "application/x-subrip")

    assert [(s.start_s, s.speaker, s.text) for s in segments] == [
        (0, "Marta", "Welcome back to Tidepool. Today we have Ines Okafor. She builds gliders."),
        (12, "Ines Okafor", "Thanks for having me, Marta."),
        (105, "Marta", "So, what is a glider?"),
    ]


def test_word_level_json_merged_into_searchable_segments() -> None:
    raw = read("transcript.json")
    assert len(json.loads(raw)["segments"]) > 30  # one segment per word
    segments = parse_transcript(raw, "application/json")

    assert [(s.speaker, s.text) for s in segments] == [
        ("Marta", "Welcome back to Tidepool, today we have Ines Okafor."),
        # Ines is named on her first word only; the blank speakers after it are still Ines.
        ("Ines", "Thanks for having me, Marta."),
        ("Marta", "So, what is a glider?"),
        ("Ines", "It changes its buoyancy and glides."),
    ]
    assert [s.start_s for s in segments] == [0, 3, 105, 107]


def test_long_runs_of_one_speaker_split_with_their_own_times() -> None:
    words = [{"speaker": "Ana", "startTime": i * 0.5, "body": f"w{i}."} for i in range(400)]
    segments = parse_transcript(json.dumps({"segments": words}), "application/json")

    assert len(segments) > 5
    assert sum(len(s.text.split()) for s in segments) == 400
    # Each segment starts where its first word is said, so a quote maps to within a minute.
    for segment in segments:
        first_word = int(segment.text.split()[0][1:-1])
        assert segment.start_s == int(first_word * 0.5)
    assert all(len(s.text.split()) <= 90 for s in segments)


def test_html_transcript() -> None:
    segments = parse_transcript(read("transcript.html"), "text/html")

    assert [(s.start_s, s.speaker, s.text) for s in segments] == [
        (0, "Marta", "Welcome back to Tidepool. Today we have Ines Okafor."),
        (12, "Ines", "Thanks for having me, Marta. It’s a pleasure & an honour."),
        (105, "Marta", "So, what is a glider?"),
    ]


def test_show_notes_style_lines() -> None:
    text = (
        "Alessio [00:00:03]: Hey everyone.\nswyx [00:00:09]: Hello.\nAnd welcome.\n[00:01:10] Alessio: Next."
    )
    segments = parse_transcript(text.encode(), "text/plain")
    assert [(s.start_s, s.speaker, s.text) for s in segments] == [
        (3, "Alessio", "Hey everyone."),
        (9, "swyx", "Hello. And welcome."),
        (70, "Alessio", "Next."),
    ]


def test_format_is_read_from_content_when_the_type_is_wrong() -> None:
    as_plain = parse_transcript(read("transcript.vtt"), "text/plain")
    assert as_plain == parse_transcript(read("transcript.vtt"), "text/vtt")
    assert parse_transcript(read("transcript.srt"), "application/octet-stream")[0].speaker == "Marta"


@pytest.mark.parametrize("body", [b"WEBVTT\r\n\r\n", b'{"segments": []}', b""])
def test_empty_transcripts_are_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_transcript(body, "text/vtt")


def test_richest_transcript_first() -> None:
    refs = [
        TranscriptRef("https://x.example/t.html", "text/html"),
        TranscriptRef("https://x.example/c.vtt", "text/vtt", rel="captions"),
        TranscriptRef("https://x.example/t.srt", "application/x-subrip"),
        TranscriptRef("https://x.example/t.vtt", "text/vtt"),
        TranscriptRef("https://x.example/t.json", "application/json"),
        TranscriptRef("https://x.example/t.bin", "application/octet-stream"),
    ]
    assert [r.url.rsplit("/", 1)[1] for r in by_preference(refs)] == [
        "t.json",
        "t.vtt",
        "c.vtt",
        "t.srt",
        "t.html",
        "t.bin",
    ]
    with_speakers = parse_transcript(read("transcript.vtt"), "text/vtt")
    anonymous = parse_transcript(b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello there.\n", "text/vtt")
    assert richness(with_speakers) > richness(anonymous)
