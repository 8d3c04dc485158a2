"""The packed columns the lookup indexes keep their episodes and people in (bot/search/packed.py): every
value comes back exactly as it went in, whatever its characters or size."""

from __future__ import annotations

import pytest

from bot.search.packed import IdPositions, Lists, Texts, uints

TITLES = [
    "Bolt.new: Flow Engineering for Code Agents",
    "",
    "Café été — déjà vu",
    "Emoji 🎙️ and CJK 播客",
    "lone surrogate \udc80 from a lenient decoder",
    "x" * 70_000,  # past what a 16-bit offset can hold
    "last",
]


def test_texts_give_back_every_string_as_it_went_in() -> None:
    texts = Texts(TITLES)
    assert len(texts) == len(TITLES)
    assert [texts[i] for i in range(len(TITLES))] == TITLES
    assert list(texts) == TITLES
    assert texts[-1] == "last"
    assert texts[-len(TITLES)] == TITLES[0]
    with pytest.raises(IndexError):
        texts[len(TITLES)]
    with pytest.raises(IndexError):
        texts[-len(TITLES) - 1]


def test_empty_columns() -> None:
    assert len(Texts([])) == 0
    assert len(Lists([], 0)) == 0
    assert IdPositions([]).get(1) is None
    assert IdPositions([]).span() == (0, -1)


def test_lists_keep_each_row_and_its_order() -> None:
    rows = [[3, 1, 2], [], [70_000], [0]]
    lists = Lists(rows, 70_000)
    assert [list(lists[i]) for i in range(len(rows))] == rows
    assert [lists.size(i) for i in range(len(rows))] == [3, 0, 1, 1]
    assert list(lists[-1]) == [0]
    assert 70_000 in lists[2]
    assert list(lists[0][:2]) == [3, 1]


def test_id_positions_find_each_id_and_nothing_else() -> None:
    ids = [905, 17, 3_000_000_000_000, 18, 4]
    positions = IdPositions(ids)
    assert [positions.get(i) for i in ids] == list(range(len(ids)))
    assert positions[18] == 3
    assert positions.get(5) is None
    assert positions.get(-1, -7) == -7
    assert 905 in positions
    assert 906 not in positions
    with pytest.raises(KeyError):
        positions[906]
    assert positions.span() == (4, 3_000_000_000_000)


@pytest.mark.parametrize(
    ("top", "size"), [(0, 2), (65_535, 2), (65_536, 4), ((1 << 32) - 1, 4), (1 << 32, 8)]
)
def test_uints_take_the_narrowest_width_that_holds_the_largest(top: int, size: int) -> None:
    packed = uints([0, top], top)
    assert packed.itemsize == size
    assert list(packed) == [0, top]
