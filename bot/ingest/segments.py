"""Speaker turns cut into searchable segments, each with its own start time.

A turn can run for minutes, so a quote found in it must not map to the turn's start. Every word gets a time
by interpolating between the known times around it (turn starts and markers inside the text) by word
position; a segment starts at the time of its first word. Segments hold a few sentences: short enough
that a phrase search lands within about a minute of the moment, long enough to show context.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from bot.models import Segment

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.ingest.turns import Turn

# Conversational speech runs at about 150 words a minute; used only after the last known time.
WORDS_PER_SECOND = 2.5
MIN_WORDS = 40
MAX_WORDS = 80
# A remainder shorter than this joins the segment before it rather than standing alone.
_MIN_TAIL_WORDS = 12

# A word that ends a sentence: "here?", "done.", "“Yes!”", "(really.)".
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# A word that ends a clause, the next best place to cut a run-on sentence.
_CLAUSE_END = re.compile(r"[,;:—–][\"'”’)\]]*$")


def segment_turns(
    turns: Sequence[Turn],
    *,
    end_s: int | None = None,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
) -> tuple[Segment, ...]:
    """Segments of `turns` in order; `end_s` (the episode's duration) caps times past the last known one."""
    # Pieces' texts are squashed (TimedText): their words are counted by their spaces, and a turn short
    # enough for one segment is its own text. Only longer turns are split into words (a feed's 39k turns
    # were otherwise split twice over, once here and once when squashed).
    turn_counts: list[int] = []
    anchors: list[tuple[int, float]] = []
    word_count = 0
    for turn in turns:
        count = 0
        for piece in turn.pieces:
            if piece.start_s is not None:
                anchors.append((word_count + count, float(piece.start_s)))
            if piece.text:
                count += piece.text.count(" ") + 1
        turn_counts.append(count)
        word_count += count
    anchors = _monotonic(anchors) or [(0, 0.0)]
    # The anchors' word indexes, for bisect without a key function (called once per segment).
    indexes = [index for index, _ in anchors]

    segments: list[Segment] = []
    offset = 0
    for turn, count in zip(turns, turn_counts, strict=True):
        if count <= max_words:  # most turns: one segment, the turn's text as it is (or none, if empty)
            if count:
                start_s = int(_time_of(offset, anchors, indexes, end_s))
                segments.append(Segment(start_s=start_s, text=turn.text, speaker=turn.speaker))
        else:
            words = [word for piece in turn.pieces for word in piece.text.split(" ") if piece.text]
            for start, end in _chunks(words, min_words, max_words):
                segments.append(
                    Segment(
                        start_s=int(_time_of(offset + start, anchors, indexes, end_s)),
                        text=" ".join(words[start:end]),
                        speaker=turn.speaker,
                    )
                )
        offset += count
    return tuple(segments)


def _monotonic(anchors: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The largest set of known times that never go backwards; the rest are a transcript's typos.

    Keeping the longest non-decreasing run (rather than dropping whatever follows a jump) means a single
    wrong time, too late or too early, costs only its own anchor.
    """
    # Patience sorting: tails[k] is the index (into anchors) ending the best run of length k + 1.
    tails: list[int] = []
    tail_times: list[float] = []
    previous: list[int | None] = [None] * len(anchors)
    for position, (_, seconds) in enumerate(anchors):
        length = bisect.bisect_right(tail_times, seconds)
        previous[position] = tails[length - 1] if length else None
        if length == len(tails):
            tails.append(position)
            tail_times.append(seconds)
        else:
            tails[length] = position
            tail_times[length] = seconds
    kept: list[tuple[int, float]] = []
    cursor = tails[-1] if tails else None
    while cursor is not None:
        kept.append(anchors[cursor])
        cursor = previous[cursor]
    kept.reverse()
    # Several times for one word (a marker right before a turn): the later one wins.
    merged: list[tuple[int, float]] = []
    for index, seconds in kept:
        if merged and merged[-1][0] == index:
            merged[-1] = (index, seconds)
        else:
            merged.append((index, seconds))
    return merged


def _time_of(index: int, anchors: list[tuple[int, float]], indexes: list[int], end_s: int | None) -> float:
    """The time of word `index`: linear between anchors, speech rate before the first and after the last.

    `anchors` is not empty; `indexes` holds their word indexes, in order."""
    position = bisect.bisect_right(indexes, index)
    if position == 0:
        first_index, first_time = anchors[0]
        return max(0.0, first_time - (first_index - index) / WORDS_PER_SECOND)
    left, left_time = anchors[position - 1]
    if position < len(anchors):
        right, right_time = anchors[position]
        return left_time + (right_time - left_time) * (index - left) / (right - left)
    estimate = left_time + (index - left) / WORDS_PER_SECOND
    return min(estimate, float(end_s)) if end_s is not None and end_s >= left_time else estimate


def _chunks(words: list[str], min_words: int, max_words: int) -> list[tuple[int, int]]:
    """(start, end) word ranges of one turn, each `min_words` to `max_words` long where the text allows."""
    chunks: list[tuple[int, int]] = []
    start = 0
    total = len(words)
    if total <= max_words:  # most turns: one segment
        return [(0, total)] if total else []
    while start < total:
        end = total if total - start <= max_words else _cut(words, start, min_words, max_words)
        if total - end < _MIN_TAIL_WORDS and total - start <= max_words + _MIN_TAIL_WORDS:
            end = total
        chunks.append((start, end))
        start = end
    return chunks


def _cut(words: list[str], start: int, min_words: int, max_words: int) -> int:
    """Where the segment starting at `start` ends: a sentence end, else a clause end, else `max_words`."""
    lowest, highest = start + min_words, min(start + max_words, len(words))
    for index in range(lowest - 1, highest):
        if _SENTENCE_END.search(words[index]):
            return index + 1
    for index in range(highest - 1, lowest - 2, -1):
        if _CLAUSE_END.search(words[index]):
            return index + 1
    return highest
