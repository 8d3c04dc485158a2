"""Podcasting 2.0 transcript files: WebVTT, SRT, JSON and HTML, to timed, attributed segments.

Real files bend the rules, and each bend is read: CRLF line ends, seconds-only cue times (`5.2 --> 7.9`),
one JSON segment per word, blank speakers, speakers given only on the first cue of a turn, a VTT served as
text/plain. The format is chosen by content when the declared type does not fit it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.ingest.cues import Cue, merge_cues
from bot.ingest.errors import ParseError
from bot.ingest.html_text import html_to_text, looks_like_html
from bot.ingest.json_text import load_json
from bot.text import plausible_seconds

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from bot.models import Segment, TranscriptRef

# Preference when a feed offers several transcripts: formats that carry speakers and times come first.
_FORMAT_RANK = {"json": 0, "vtt": 1, "srt": 2, "html": 3, "text": 4}
_MIME_FORMAT = {
    "application/json": "json",
    "application/vtt": "vtt",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "text/srt": "srt",
    "text/html": "html",
    "text/plain": "text",
}

_TIME = r"(?:\d+:){0,2}\d+(?:[.,]\d+)?"
_TIMING = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>", re.IGNORECASE)
_CUE_TAG = re.compile(r"</?[^>]*>")
# "Name: text" at the start of a cue: one to four capitalised words, or one lower-case handle (`swyx`),
# optionally after the `>>` or `-` that captioners put before a new speaker.
_NAME_PREFIX = re.compile(
    r"^(?:>>\s*|-\s*)?((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,3}|[a-z][\w'’.-]{1,30})\s*:\s+(\S.*)$"
)
_PUNCTUATION_ONLY = re.compile(r"^[,.!?;:…)\]”’\"']+$")

# Timed lines in HTML and plain-text transcripts, as show-notes tools write them.
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_TIMED_TURN_PATTERNS = (
    # Alessio [00:00:03]: text    /    Alessio (00:03): text
    re.compile(rf"^(?P<speaker>[^\[\]()<>:]{{1,60}}?)\s*[\[(](?P<time>{_CLOCK})[\])]\s*:?\s*(?P<text>.*)$"),
    # [00:00:03] Alessio: text    /    00:00:03 Alessio: text
    re.compile(rf"^[\[(]?(?P<time>{_CLOCK})[\])]?\s+(?P<speaker>[^:\[\]]{{1,60}}):\s+(?P<text>.*)$"),
    # Alessio: 00:00:03 (Buzzsprout's <cite>/<time> pair, flattened), the text on the following lines
    re.compile(rf"^(?P<speaker>[^:\[\]]{{1,60}}):\s*[\[(]?(?P<time>{_CLOCK})[\])]?\s*(?P<text>.*)$"),
    # 00:00:03 text, or a line holding only a time
    re.compile(rf"^[\[(]?(?P<time>{_CLOCK})[\])]?(?:\s+(?P<text>.*))?$"),
)


def transcript_format(mime_type: str) -> str | None:
    return _MIME_FORMAT.get(mime_type.split(";")[0].strip().lower())


def by_preference(refs: Sequence[TranscriptRef]) -> list[TranscriptRef]:
    """Transcript links, the most useful first; captions files (`rel="captions"`) last among equals."""

    def rank(ref: TranscriptRef) -> tuple[int, int]:
        fmt = transcript_format(ref.mime_type)
        return (_FORMAT_RANK.get(fmt, 9) if fmt else 9, 1 if ref.rel == "captions" else 0)

    return sorted(refs, key=rank)


def richness(segments: Sequence[Segment]) -> tuple[bool, bool, int]:
    """How much a parsed transcript gives search: speakers, then times, then words."""
    speakers = any(s.speaker for s in segments)
    timed = any(s.start_s for s in segments)
    return (speakers, timed, sum(len(s.text) for s in segments))


def parse_transcript(raw: bytes | str, mime_type: str = "") -> tuple[Segment, ...]:
    """Segments of a transcript file; ParseError when it holds no transcript text."""
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    fmt = _sniff(text) or transcript_format(mime_type) or "text"
    if fmt == "json":
        cues = _json_cues(text)
    elif fmt in ("vtt", "srt"):
        cues = _subtitle_cues(text)
    elif fmt == "html":
        cues = _timed_line_cues(html_to_text(text).split("\n"))
    else:
        cues = _timed_line_cues(text.split("\n"))
    segments = merge_cues(_attach_punctuation(cues))
    if not segments:
        raise ParseError(f"the {fmt} transcript holds no text")
    return segments


def _sniff(text: str) -> str | None:
    head = text[:2048].lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith(("{", "[")):
        return "json"
    first_block = head.split("\n\n", 1)[0].split("\n")[:3]
    if any(_TIMING.match(line) for line in first_block):
        return "srt"
    if looks_like_html(head):
        return "html"
    return None


def parse_time(value: Any) -> float | None:
    """Seconds from `83.5`, `"83.5"`, `"01:23.5"`, `"00:01:23,500"`; None when it is none of them, or when
    it is no moment of an episode (negative, NaN, `1e308`, a 20-digit hour: see bot.text.MAX_SECONDS)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # float() of a 400-digit int raises OverflowError; such an int is out of range anyway.
        return float(value) if plausible_seconds(value) else None
    if not isinstance(value, str):
        return None
    parts = value.strip().replace(",", ".").split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if not 1 <= len(numbers) <= 3 or any(n < 0 for n in numbers):
        return None
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds if plausible_seconds(seconds) else None


# --- WebVTT and SRT ----------------------------------------------------------------------------------------


def _subtitle_cues(text: str) -> Iterator[Cue]:
    speaker: str | None = None
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        timing_at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_at is None:
            continue  # the WEBVTT header, NOTE, STYLE and REGION blocks, stray numbers
        match = _TIMING.match(lines[timing_at])
        start = parse_time(match.group(1)) if match else None
        if start is None:
            continue
        for line in lines[timing_at + 1 :]:
            voice = _VOICE.search(line)
            if voice:
                speaker = voice.group(1).strip() or speaker
            body = _CUE_TAG.sub("", line).strip()
            named = _NAME_PREFIX.match(body)
            if named and not voice:
                speaker, body = named.group(1), named.group(2)
            # A cue without a name continues the turn of whoever spoke last.
            yield Cue(start, body, speaker)


# --- JSON --------------------------------------------------------------------------------------------------


def _json_cues(text: str) -> Iterator[Cue]:
    data = load_json(text, "the JSON transcript")
    items = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ParseError("the JSON transcript has no segments list")
    speaker: str | None = None
    last_start = 0.0
    for item in items:
        if not isinstance(item, dict):
            continue
        body = item.get("body", item.get("text"))
        if not isinstance(body, str):
            continue
        # A blank speaker continues the turn: word-level files often name the speaker on its first word only.
        named = item.get("speaker")
        if isinstance(named, str) and named.strip():
            speaker = named.strip()
        start = parse_time(item.get("startTime", item.get("start")))
        last_start = start if start is not None else last_start
        yield Cue(last_start, body, speaker)


# --- HTML and plain text -----------------------------------------------------------------------------------


def _timed_line_cues(lines: Iterable[str]) -> Iterator[Cue]:
    speaker: str | None = None
    start = 0.0
    for raw_line in lines:
        line = raw_line.strip()
        if not line:
            continue
        for pattern in _TIMED_TURN_PATTERNS:
            match = pattern.match(line)
            if match and _plausible_speaker(match.groupdict().get("speaker")):
                parts = match.groupdict()
                start = parse_time(parts["time"]) or 0.0
                if parts.get("speaker"):
                    speaker = parts["speaker"].strip()
                line = (parts.get("text") or "").strip()
                break
        else:
            named = _NAME_PREFIX.match(line)
            if named:
                speaker, line = named.group(1), named.group(2)
        if line:
            yield Cue(start, line, speaker)


def _plausible_speaker(name: str | None) -> bool:
    # A name is a few words; a longer run is a sentence that happens to contain a time.
    return name is None or len(name.split()) <= 4


def _attach_punctuation(cues: Iterable[Cue]) -> Iterator[Cue]:
    """Word-level files give `,` and `.` their own segments: glue them to the word before."""
    pending: Cue | None = None
    for cue in cues:
        text = cue.text.strip()
        if pending is not None and _PUNCTUATION_ONLY.match(text) and cue.speaker == pending.speaker:
            pending = Cue(pending.start_s, pending.text + text, pending.speaker)
            continue
        if pending is not None:
            yield pending
        pending = cue
    if pending is not None:
        yield pending
