"""Small text helpers shared by ingest, store and search: folding for comparison, and time formats."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# ASCII text folds with one bytes.translate: letters and digits lowered, everything else a space.
_ASCII_FOLD = bytes(ord(chr(c).lower()) if chr(c).isalnum() else 0x20 for c in range(128)) + bytes(128)


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    """Every BMP code point with a combining class, as one character class (built once, a few ms): a
    regex strips them at C speed, where testing each character in Python is what made folding slow."""
    ranges: list[list[int]] = []
    for c in map(ord, filter(unicodedata.combining, map(chr, range(0x10000)))):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]+")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of `text`, for keys and fuzzy comparison.

    "Café  Déjà-Vu!" -> "cafe deja vu". Letters of scripts without decomposition are kept as they are.
    Search folds every title and name when it builds its index, so both paths avoid per-character Python.
    """
    if text.isascii():
        return " ".join(ascii_fold_words(text))
    decomposed = _combining_marks().sub("", unicodedata.normalize("NFKD", text))
    if _ASTRAL.search(decomposed):
        # Combining marks beyond the BMP (Adlam, Glagolitic, musical notation) are rare: test each char.
        decomposed = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", decomposed.casefold()).strip()


# Everything but word characters and newlines ("_" is replaced before: one class is faster than two).
_NON_WORD_KEEP_LINES = re.compile(r"[^\w\n]+", re.UNICODE)
_ASCII_FOLD_KEEP_LINES = _ASCII_FOLD[:10] + b"\n" + _ASCII_FOLD[11:]


def fold_many(texts: list[str]) -> list[str]:
    """`[fold(t) for t in texts]`, in a few passes over all of them joined: building a search index folds
    every title and name, and one pass over a long string is far cheaper than one per text. ASCII texts
    (most of them) and the others go in separate batches, so only the few need Unicode's slow path."""
    out = [""] * len(texts)
    plain = [i for i, t in enumerate(texts) if t.isascii()]
    other = [i for i, t in enumerate(texts) if not t.isascii()]
    for indexes, fold_joined in ((plain, _fold_ascii_lines), (other, _fold_unicode_lines)):
        if indexes:
            joined = "\n".join(texts[i].replace("\n", " ") for i in indexes)
            for i, line in zip(indexes, fold_joined(joined).split("\n"), strict=True):
                out[i] = " ".join(line.split())
    return out


def ascii_fold_words(text: str) -> list[str]:
    """`fold(text).split()` for ASCII `text`, in one C-level pass: the words in order."""
    return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split()


def fold_words(text: str) -> set[str]:
    """`set(fold(text).split())`: the distinct folded words of a long text (all chapter titles of a store,
    for the search vocabulary) in one pass, without joining them into a string first."""
    if text.isascii():
        return set(ascii_fold_words(text))
    return set(fold(text).split())


def _fold_ascii_lines(joined: str) -> str:
    return joined.encode("ascii").translate(_ASCII_FOLD_KEEP_LINES).decode("ascii")


def _fold_unicode_lines(joined: str) -> str:
    decomposed = _combining_marks().sub("", unicodedata.normalize("NFKD", joined))
    if _ASTRAL.search(decomposed):
        decomposed = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD_KEEP_LINES.sub(" ", decomposed.casefold().replace("_", " "))


def format_timestamp(seconds: int) -> str:
    """`75` -> "1:15", `3725` -> "1:02:05": how players and show notes write a moment."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d{1,2})(?:[.,]\d+)?\s*$")
# No moment in an episode is later than this (a month of audio; the longest livestreams run for days).
# Anything beyond is a broken value (`1e308`, a 20-digit hour) that would overflow SQLite's integers.
MAX_SECONDS = 31 * 24 * 3600


def plausible_seconds(value: float) -> bool:
    """True for a time that can be a moment in an episode: not negative, not NaN, not absurdly far."""
    return 0 <= value <= MAX_SECONDS


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
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
        return seconds if plausible_seconds(seconds) else None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if plausible_seconds(value) else None
