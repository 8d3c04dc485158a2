"""Names that sound alike: Eric and Erik, Jon and John, Steven and Stephen, Katherine and Catherine.

A listener spells a name the way they heard it. Metaphone (from jellyfish) gives such spellings one code;
a lookup then tries the indexed name words that share the query word's code, below the exact spelling.
"""

from __future__ import annotations

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
    costs about a microsecond a word: tens of ms at a hundred thousand names)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = words
        self._by_code: dict[str, list[str]] | None = None

    def _codes(self) -> dict[str, list[str]]:
        if self._by_code is None:
            by_code: dict[str, list[str]] = {}
            for word in sorted(self._words):
                code = sound_code(word)
                if code is not None:
                    by_code.setdefault(code, []).append(word)
            self._by_code = by_code
        return self._by_code

    def alike(self, word: str) -> list[str]:
        """The other words that sound like `word` (not `word` itself)."""
        code = sound_code(word)
        if code is None:
            return []
        return [w for w in self._codes().get(code, ())[: MAX_ALIKE + 1] if w != word][:MAX_ALIKE]
