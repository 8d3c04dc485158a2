"""Timed transcript cues merged into searchable segments.

Transcript files come cut at arbitrary grain: a subtitle line of five words, or one JSON segment per word.
Quote search wants segments of a few sentences by one speaker, each with the time it starts, so a hit maps
to a moment within seconds. Cues by the same speaker are joined until a segment is long enough, ending at
a sentence boundary when one comes soon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.models import Segment

if TYPE_CHECKING:
    from collections.abc import Iterable

# A segment closes at the first sentence end after SOFT_WORDS words, and no later than HARD_WORDS words
# or MAX_SPAN_S seconds after it started.
SOFT_WORDS = 40
HARD_WORDS = 90
MAX_SPAN_S = 60

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Cue:
    start_s: float
    text: str
    speaker: str | None = None


def merge_cues(cues: Iterable[Cue]) -> tuple[Segment, ...]:
    """Segments of the cues in order, each keeping where its cues start (Segment.cues) for quote moments."""
    segments: list[Segment] = []
    words: list[str] = []
    # (offset in the joined text, second) of each cue in the open segment; `length` is that text's length.
    starts: list[tuple[int, int]] = []
    length = 0
    start = 0.0
    speaker: str | None = None

    def close() -> None:
        nonlocal length
        if words:
            # One cue is the segment itself: nothing finer to say.
            timed = tuple(starts) if len(starts) > 1 else ()
            segments.append(Segment(start_s=int(start), text=" ".join(words), speaker=speaker, cues=timed))
            words.clear()
            starts.clear()
            length = 0

    for cue in cues:
        text = _SPACES.sub(" ", cue.text).strip()
        if not text:
            continue
        if words and (cue.speaker != speaker or cue.start_s - start >= MAX_SPAN_S):
            close()
        if not words:
            start = cue.start_s
            speaker = cue.speaker
        offset = length + 1 if words else 0
        # Cues of one second (word-level JSON) would repeat the time: only a new second is a new entry.
        if not starts or int(cue.start_s) != starts[-1][1]:
            starts.append((offset, int(cue.start_s)))
        length = offset + len(text)
        words.extend(text.split(" "))
        if len(words) >= HARD_WORDS or (len(words) >= SOFT_WORDS and _SENTENCE_END.search(text)):
            close()
    close()
    return tuple(segments)
