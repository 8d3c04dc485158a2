"""Names that sound alike: Eric and Erik, Jon and John, Steven and Stephen, Katherine and Catherine.

A listener spells a name the way they heard it. Metaphone (from jellyfish) gives such spellings one code;
a lookup then tries the indexed name words that share the query word's code, below the exact spelling.
"""

from __future__ import annotations

import bisect
import sys
from typing import TYPE_CHECKING

import jellyfish

if TYPE_CHECKING:
    from collections.abc import Iterable

# Shorter words and codes say too little: "al" and "qiao" ("K") would sound like dozens of names.
MIN_WORD, MIN_CODE = 3, 2
# Words returned per query word: a code shared by hundreds of names is no help in telling them apart.
MAX_ALIKE = 16


def sound_code(word: str) -> str | None:
    """The metaphone code of a folded word, or None when it is too short or not plain letters to say."""
    if len(word) < MIN_WORD or not (word.isascii() and word.isalpha()):
        return None
    code = jellyfish.metaphone(word)
    return code if len(code) >= MIN_CODE else None


class SoundsAlike:
    """Code -> the words that have it, over a vocabulary of name words; built on first use (metaphone
    costs about a microsecond a word: tens of ms at a hundred thousand names). Kept as two aligned
    lists sorted by code, not a dict of lists: there is one per show's index, a thousand of them."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words: Iterable[str] | None = words
        # Interned codes, sorted, and the word each belongs to (words of one code in their sorted order).
        self._codes: list[str] = []
        self._coded: list[str] = []

    def _index(self) -> tuple[list[str], list[str]]:
        if self._words is not None:
            pairs = sorted(
                (sys.intern(code), word)
                for word in set(self._words)
                if (code := sound_code(word)) is not None
            )
            self._codes = [code for code, _ in pairs]
            self._coded = [word for _, word in pairs]
            self._words = None
        return self._codes, self._coded

    def alike(self, word: str) -> list[str]:
        """The other words that sound like `word` (not `word` itself)."""
        code = sound_code(word)
        if code is None:
            return []
        codes, coded = self._index()
        lo = bisect.bisect_left(codes, code)
        hi = bisect.bisect_right(codes, code, lo)
        return [w for w in coded[lo : min(hi, lo + MAX_ALIKE + 1)] if w != word][:MAX_ALIKE]
