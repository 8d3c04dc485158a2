"""A segment's cue starts (bot.models.Segment.cues) as stored in `segments.cue_times`, and back."""

from __future__ import annotations


def encode(cues: tuple[tuple[int, int], ...]) -> str | None:
    return " ".join(f"{offset}:{second}" for offset, second in cues) or None


def decode(stored: str | None) -> tuple[tuple[int, int], ...]:
    """The cues of a stored value; () for NULL or for anything this version cannot read."""
    if not stored:
        return ()
    cues = []
    for pair in stored.split():
        offset, _, second = pair.partition(":")
        if not (offset.isdigit() and second.isdigit()):
            return ()
        cues.append((int(offset), int(second)))
    return tuple(cues)
