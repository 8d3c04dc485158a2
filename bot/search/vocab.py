"""A vocabulary of folded words with the lookups fuzzy search needs: exact, prefix, substring and typo.

Every lookup is bounded by an index (the sorted list, and one text blob), so its cost
depends on how many words match, not on how many the vocabulary holds: that is what keeps a 100k-episode
lookup in milliseconds and short enough that it never holds the GIL for long.
"""

from __future__ import annotations

import bisect
import sys
import threading
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

if TYPE_CHECKING:
    from collections.abc import Iterable


def typo_budget(word: str) -> int:
    """How many edits a word may carry and still be recognised: none for short words, where one edit
    turns a word into a different real word ("bolt" -> "bold"), one for mid-length and two for long ones."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


class Vocabulary:
    def __init__(self, words: Iterable[str]) -> None:
        # Interned: one index per show, and the same words recur in a thousand of them.
        self.words: list[str] = sorted(map(sys.intern, set(words)))
        # The substring blob is built on first need (or by warm(), which the search calls off the critical
        # path right after publishing a new index): exact, prefix and typo lookups use only the sorted list.
        self._lock = threading.Lock()
        self._blob: str | None = None

    def warm(self) -> None:
        with self._lock:
            if self._blob is None:
                # One newline-separated blob answers "which words contain this text" with C-speed str.find.
                self._blob = "\n" + "\n".join(self.words) + "\n"

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return self.position(word) >= 0

    def position(self, word: str) -> int:
        """The word's place in `words`, or -1 if it is not one of them."""
        i = bisect.bisect_left(self.words, word)
        return i if i < len(self.words) and self.words[i] == word else -1

    def prefixed(self, prefix: str, limit: int) -> list[str]:
        """Words that start with `prefix` (itself included), shortest first, at most `limit`."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo)
        found = self.words[lo:hi] if hi - lo <= limit * 4 else self.words[lo : lo + limit * 4]
        return sorted(found, key=len)[:limit]

    def containing(self, part: str, limit: int) -> list[str]:
        """Words that contain `part` somewhere after their first letter ("bolt" in "thunderbolt")."""
        self.warm()
        blob = self._blob
        assert blob is not None
        found: list[str] = []
        at = blob.find(part)
        while at != -1 and len(found) < limit:
            # The word around the hit, between the newlines on either side (`part` holds none: it is one
            # folded word).
            start = blob.rfind("\n", 0, at) + 1
            end = blob.find("\n", at)
            if at > start:
                found.append(blob[start:end])
            # Continue after this word: one hit per word is enough.
            at = blob.find(part, end)
        return found

    def _starting_with(self, letter: str) -> list[str]:
        """The words whose first character is `letter`: one run of the sorted list."""
        lo = bisect.bisect_left(self.words, letter)
        hi = (
            bisect.bisect_left(self.words, chr(ord(letter) + 1), lo)
            if letter < "\U0010ffff"
            else len(self.words)
        )
        return self.words[lo:hi]

    def near(self, word: str, limit: int) -> list[tuple[str, int]]:
        """Words within the word's typo budget (optimal string alignment: a swap of neighbours is one
        edit, so "windsruf" is one edit from "windsurf"), closest first, without the word itself."""
        budget = typo_budget(word)
        if not budget:
            return []
        found: dict[str, int] = {}
        # Typo candidates are words that start with the same letter (or with the second letter, which
        # covers swapped first letters): users rarely mistype a word's first letter. A show's vocabulary
        # has a few hundred to a few thousand words, so a letter's run is short; words of other lengths
        # than the budget allows are rejected by rapidfuzz on their length alone (the distance is at
        # least the difference), so no length buckets need to be kept.
        for first in {word[0], word[1]}:
            run = self._starting_with(first)
            if not run:
                continue
            for candidate, distance, _ in process.extract(
                word, run, scorer=OSA.distance, score_cutoff=budget, limit=None
            ):
                if candidate != word:
                    found[candidate] = int(distance)
        return sorted(found.items(), key=lambda item: (item[1], item[0]))[:limit]
