"""A vocabulary of folded words with the lookups fuzzy search needs: exact, prefix, substring and typo.

Every lookup is bounded by an index (sorted list, one text blob, length/first-letter buckets), so its cost
depends on how many words match, not on how many the vocabulary holds: that is what keeps a 100k-episode
lookup in milliseconds and short enough that it never holds the GIL for long.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from array import array
from collections import defaultdict
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
        self.words: list[str] = sorted(set(words))
        # The substring blob and the typo buckets are built on first need (or by warm(), which the search
        # calls off the critical path right after publishing a new index): exact and prefix lookups, all a
        # first answer usually needs, use only the sorted list.
        self._lock = threading.Lock()
        self._blob = ""
        self._starts: array[int] = array("I")
        self._buckets: dict[tuple[str, int], list[str]] | None = None

    def warm(self) -> None:
        with self._lock:
            if self._buckets is not None:
                return
            # One newline-separated blob answers "which words contain this text" with C-speed str.find.
            self._blob = "\n" + "\n".join(self.words) + "\n"
            # An array, not a list of ints: 4 bytes a word rather than 36, in each of a thousand shows' indexes.
            self._starts = array(
                "I", [s + 1 for s in itertools.accumulate((len(w) + 1 for w in self.words), initial=0)][:-1]
            )
            # Typo candidates are words of about the same length that start with the same letter (or with
            # the second letter, which covers swapped first letters). Users rarely mistype a word's first
            # letter, and the buckets keep each comparison run to a few thousand short strings.
            buckets: defaultdict[tuple[str, int], list[str]] = defaultdict(list)
            for word in self.words:
                buckets[word[0], len(word)].append(word)
            self._buckets = dict(buckets)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def prefixed(self, prefix: str, limit: int) -> list[str]:
        """Words that start with `prefix` (itself included), shortest first, at most `limit`."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo)
        found = self.words[lo:hi] if hi - lo <= limit * 4 else self.words[lo : lo + limit * 4]
        return sorted(found, key=len)[:limit]

    def containing(self, part: str, limit: int) -> list[str]:
        """Words that contain `part` somewhere after their first letter ("bolt" in "thunderbolt")."""
        self.warm()
        found: list[str] = []
        at = self._blob.find(part)
        while at != -1 and len(found) < limit:
            i = bisect.bisect_right(self._starts, at) - 1
            word = self.words[i]
            if at > self._starts[i]:
                found.append(word)
            # Continue after this word: one hit per word is enough.
            at = self._blob.find(part, self._starts[i] + len(word))
        return found

    def near(self, word: str, limit: int) -> list[tuple[str, int]]:
        """Words within the word's typo budget (optimal string alignment: a swap of neighbours is one
        edit, so "windsruf" is one edit from "windsurf"), closest first, without the word itself."""
        budget = typo_budget(word)
        if not budget:
            return []
        self.warm()
        assert self._buckets is not None
        found: dict[str, int] = {}
        for first in {word[0], word[1]}:
            for length in range(len(word) - budget, len(word) + budget + 1):
                bucket = self._buckets.get((first, length))
                if not bucket:
                    continue
                for candidate, distance, _ in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=budget, limit=None
                ):
                    if candidate != word:
                        found[candidate] = int(distance)
        return sorted(found.items(), key=lambda item: (item[1], item[0]))[:limit]
