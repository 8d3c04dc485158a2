"""bot.interpreter: full collections wait while big reads overlap, and come back when the last one ends."""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING

import pytest

from bot.interpreter import full_collections_deferred, release_gradually

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _thresholds_restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_overlapping_reads_defer_full_collections_until_the_last_one_ends() -> None:
    gc.set_threshold(700, 10, 10)
    first = full_collections_deferred()
    second = full_collections_deferred()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[:2] == (700, 10)  # the young generations are still collected
    assert gc.get_threshold()[2] > 1_000_000
    first.__exit__(None, None, None)  # the reads end in another order than they began
    assert gc.get_threshold()[2] > 1_000_000
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_read_that_fails_still_gives_full_collections_back() -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(ValueError, match="could not be read"), full_collections_deferred():
        raise ValueError("a feed that could not be read")
    assert gc.get_threshold() == (700, 10, 10)


async def test_release_gradually_frees_the_items_in_another_thread() -> None:
    freed_in: list[int] = []

    class Held:
        def __del__(self) -> None:
            freed_in.append(threading.get_ident())

    items = [Held() for _ in range(3)]
    await release_gradually(items)
    assert items == []
    assert len(freed_in) == 3
    assert threading.get_ident() not in freed_in
