"""Lookups in a process of their own (what the bot uses): the same answers as on a thread, kept fresh,
started again after a crash, and stopped with the search."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import TYPE_CHECKING

import pytest

from bot.search import Search
from tests.factories import make_episode, make_source
from tests.search_data import BOLT, latent_like

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from bot.store import Store


@pytest.fixture
async def isolated(store: Store) -> AsyncIterator[Search]:
    await store.catalog.ingest(latent_like())
    found = Search(store, isolated=True)
    try:
        yield found
    finally:
        await found.close()


def child_pid(search: Search) -> int:
    pid = search._lookups.pid  # type: ignore[union-attr]
    assert pid is not None
    return pid


def alive(pid: int) -> bool:
    # A finished child that nobody has waited for yet is a zombie: not alive. (It may also be reaped
    # while we look.)
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


CALLS: list[Callable[[Search], Awaitable[object]]] = [
    lambda s: s.episodes("bolt"),
    lambda s: s.episodes("windsruf"),
    lambda s: s.episodes("lin qiao"),
    lambda s: s.suggest_episodes("bo"),
    lambda s: s.suggest_episodes(""),
    lambda s: s.people("schluntz"),
    lambda s: s.suggest_people("sw"),
    lambda s: s.resolve_episode("webcontainer"),
    lambda s: s.search_chapters("SWE-Bench"),
    lambda s: s.chapters("bolt"),
]


async def test_the_lookup_process_answers_as_the_thread_does(search: Search, isolated: Search) -> None:
    for call in CALLS:
        assert await call(isolated) == await call(search)
    assert await isolated.episodes("bolt")
    assert os.getpid() != child_pid(isolated)


async def test_concurrent_lookups_all_get_their_own_answer(isolated: Search) -> None:
    distinct = ["bolt", "windsurf", "schluntz", "compound", "gadgets", "tools", "nothing like it"]
    one_by_one = {q: await isolated.episodes(q) for q in distinct}
    assert len({tuple(a) for a in one_by_one.values()}) == len(distinct)
    queries = distinct * 5
    answers = await asyncio.gather(*(isolated.episodes(q) for q in queries))
    assert answers == [one_by_one[q] for q in queries]


async def test_a_refresh_in_the_process_sees_a_new_ingest(isolated: Search, store: Store) -> None:
    assert await isolated.episodes("zanzibar") == []
    await store.catalog.ingest(make_source(make_episode("Zanzibar: a Very New Episode")))
    await isolated.refresh()
    [found] = await isolated.episodes("zanzibar")
    assert found.title == "Zanzibar: a Very New Episode"


async def test_a_lookup_process_that_dies_is_started_again(isolated: Search) -> None:
    await isolated.episodes("bolt")
    first = child_pid(isolated)
    os.kill(first, signal.SIGKILL)
    for _ in range(100):
        if not alive(first) and isolated._lookups.pid is None:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.02)
    [found, *_] = await isolated.episodes("bolt")
    assert found.title == BOLT
    assert child_pid(isolated) != first


async def test_closing_the_search_ends_the_lookup_process(store: Store) -> None:
    await store.catalog.ingest(latent_like())
    search = Search(store, isolated=True)
    await search.episodes("bolt")
    pid = child_pid(search)
    await search.close()
    assert not alive(pid)


async def test_a_large_answer_arrives_whole(store: Store) -> None:
    # A host's episodes: one answer of a few hundred kilobytes, read in many pieces.
    episodes = tuple(make_episode(f"Episode {i:04d}: " + "a long title " * 8) for i in range(1500))
    await store.catalog.ingest(make_source(*episodes))
    isolated, local = Search(store, isolated=True), Search(store)
    try:
        [ana] = await isolated.people("Ana", limit=1)
        assert len(ana.episodes) == 1500
        assert [ana] == await local.people("Ana", limit=1)
    finally:
        await isolated.close()
        await local.close()
