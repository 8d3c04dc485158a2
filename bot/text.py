"""Small text helpers shared by ingest, store and search: folding for comparison, and time formats."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


class _StripCombining(dict[int, int | None]):
    """A str.translate table that drops combining marks, filled in as code points are first seen, so
    folding runs at C speed after warm-up (search folds every title and name when it builds its index)."""

    def __missing__(self, code_point: int) -> int | None:
        value = None if unicodedata.combining(chr(code_point)) else code_point
        self[code_point] = value
        return value


_COMBINING = _StripCombining()


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of `text`, for keys and fuzzy comparison.

    "Café  Déjà-Vu!" -> "cafe deja vu". Letters of scripts without decomposition are kept as they are.
    """
    if text.isascii():
        # The common case, and the hot path of search indexing: nothing to decompose.
        return _NON_WORD.sub(" ", text.lower()).strip()
    stripped = unicodedata.normalize("NFKD", text).translate(_COMBINING)
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def format_timestamp(seconds: int) -> str:
    """`75` -> "1:15", `3725` -> "1:02:05": how players and show notes write a moment."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d{1,2})(?:[.,]\d+)?\s*$")


def parse_clock(text: str) -> int | None:
    """Parse `1:05:20`, `07:00` or a bare number of seconds (`4385`, `4385.5`); None when it is neither."""
    text = text.strip()
    if not text:
        return None
    match = _CLOCK.match(text)
    if match:
        hours, minutes, secs = match.groups()
        if int(secs) >= 60 or (hours is not None and int(minutes) >= 60):
            return None
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value >= 0 and value == value and value != float("inf") else None
