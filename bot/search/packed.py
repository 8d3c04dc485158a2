"""Compact columns for the lookup indexes: many small values in a few flat objects.

The lookup process holds one index per show, a thousand or more of them. As Python objects, a show's
200 episodes cost far more than their text: a str has 49 bytes of header, an int 28, a tuple 40 plus 8 a
slot, a list or dict slot 8 to 50 more, and a small frozen dataclass 50 to 90. Here each column is one
array of machine integers, or one UTF-8 bytes object with the offsets where each string ends; a value
becomes a Python object only when a lookup reads it, and is garbage again right after.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence


def uints(values: Iterable[int], top: int) -> array[int]:
    """`values` (each in 0..top) in the narrowest array that holds `top`: 2 bytes a value in a show of
    a few hundred episodes, 4 in the largest."""
    code = "H" if top < 1 << 16 else "I" if top < 1 << 32 else "Q"
    return array(code, values)


class Texts:
    """A sequence of strings kept as one UTF-8 blob and the offset where each ends. `texts[i]` decodes
    one (a few hundred ns): what a lookup reads is the hundred candidates it scores, never every title."""

    __slots__ = ("_blob", "_ends")

    def __init__(self, texts: Iterable[str]) -> None:
        # surrogatepass: whatever str the store gave back, it comes out again as it went in.
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        self._blob = b"".join(encoded)
        self._ends = uints(itertools.accumulate(map(len, encoded)), len(self._blob))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += len(self._ends)
            if i < 0:
                raise IndexError("Texts index out of range")
        end = self._ends[i]
        start = self._ends[i - 1] if i else 0
        return self._blob[start:end].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self._ends)))


class Lists:
    """A sequence of integer lists (compressed sparse rows): all values in one array, with the offset
    where each list ends. `lists[i]` is an array slice, which has len(), slicing, iteration and `in`."""

    __slots__ = ("_ends", "_values")

    def __init__(self, lists: Iterable[Sequence[int]], top: int) -> None:
        values: list[int] = []
        ends = []
        for each in lists:
            values.extend(each)
            ends.append(len(values))
        self._values = uints(values, top)
        self._ends = uints(ends, len(values))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> array[int]:
        if i < 0:
            i += len(self._ends)
            if i < 0:
                raise IndexError("Lists index out of range")
        return self._values[self._ends[i - 1] if i else 0 : self._ends[i]]

    def size(self, i: int) -> int:
        """len(self[i]), without the slice."""
        return self._ends[i] - (self._ends[i - 1] if i else 0)


class IdPositions:
    """Store id -> position, for ids that each occur once: two arrays (ids sorted, and their positions)
    where a dict costs some 100 bytes an entry with its int objects."""

    __slots__ = ("_ids", "_positions")

    def __init__(self, ids: Sequence[int]) -> None:
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self._ids = array("q", (ids[i] for i in order))
        self._positions = uints(order, len(ids))

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, key: int, default: int | None = None) -> int | None:
        i = bisect.bisect_left(self._ids, key)
        if i < len(self._ids) and self._ids[i] == key:
            return self._positions[i]
        return default

    def __getitem__(self, key: int) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def span(self) -> tuple[int, int]:
        """The lowest and highest id; (0, -1) when there are none."""
        return (self._ids[0], self._ids[-1]) if self._ids else (0, -1)
