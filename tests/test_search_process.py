"""Lookups in a process of their own (what the bot uses): the same answers as on a thread, kept fresh,
started again after a crash, and stopped with the search."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.scope import Scope
from bot.search import LookupsStopped, Search
from bot.search import engine as engine
from tests.factories import make_episode, make_source
from tests.search_data import BOLT, latent_like

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

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


def mapped_files(pid: int) -> str:
    """What the process has mapped: its shared libraries, the C extensions it imported among them."""
    with open(f"/proc/{pid}/maps", encoding="utf-8") as maps:
        return maps.read()


async def killed(search: Search, pid: int) -> None:
    """Kill the lookup process, and wait until the search has noticed."""
    os.kill(pid, signal.SIGKILL)
    for _ in range(500):
        if search._lookups.pid is None:  # type: ignore[union-attr]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the search never noticed its lookup process died")


CALLS: list[Callable[[Search], Awaitable[object]]] = [
    lambda s: s.episodes("bolt", scope=EVERYWHERE),
    lambda s: s.episodes("windsruf", scope=EVERYWHERE),
    lambda s: s.episodes("lin qiao", scope=EVERYWHERE),
    lambda s: s.suggest_episodes("bo", scope=EVERYWHERE),
    lambda s: s.suggest_episodes("", scope=EVERYWHERE),
    lambda s: s.people("schluntz", scope=EVERYWHERE),
    lambda s: s.suggest_people("sw", scope=EVERYWHERE),
    lambda s: s.resolve_episode("webcontainer", scope=EVERYWHERE),
    lambda s: s.search_chapters("SWE-Bench", scope=EVERYWHERE),
    lambda s: s.chapters("bolt", scope=EVERYWHERE),
]


async def test_the_lookup_process_answers_as_the_thread_does(search: Search, isolated: Search) -> None:
    for call in CALLS:
        assert await call(isolated) == await call(search)
    assert await isolated.episodes("bolt", scope=EVERYWHERE)
    assert os.getpid() != child_pid(isolated)


async def test_concurrent_lookups_all_get_their_own_answer(isolated: Search) -> None:
    distinct = ["bolt", "windsurf", "schluntz", "compound", "gadgets", "tools", "nothing like it"]
    one_by_one = {q: await isolated.episodes(q, scope=EVERYWHERE) for q in distinct}
    assert len({tuple(a) for a in one_by_one.values()}) == len(distinct)
    queries = distinct * 5
    answers = await asyncio.gather(*(isolated.episodes(q, scope=EVERYWHERE) for q in queries))
    assert answers == [one_by_one[q] for q in queries]


async def test_a_refresh_in_the_process_sees_a_new_ingest(isolated: Search, store: Store) -> None:
    assert await isolated.episodes("zanzibar", scope=EVERYWHERE) == []
    await store.catalog.ingest(make_source(make_episode("Zanzibar: a Very New Episode")))
    await isolated.refresh()
    [found] = await isolated.episodes("zanzibar", scope=EVERYWHERE)
    assert found.title == "Zanzibar: a Very New Episode"


async def test_a_lookup_process_that_dies_is_started_again(isolated: Search) -> None:
    await isolated.episodes("bolt", scope=EVERYWHERE)
    first = child_pid(isolated)
    os.kill(first, signal.SIGKILL)
    for _ in range(100):
        if not alive(first) and isolated._lookups.pid is None:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.02)
    [found, *_] = await isolated.episodes("bolt", scope=EVERYWHERE)
    assert found.title == BOLT
    assert child_pid(isolated) != first


async def test_closing_the_search_ends_the_lookup_process(store: Store) -> None:
    await store.catalog.ingest(latent_like())
    search = Search(store, isolated=True)
    await search.episodes("bolt", scope=EVERYWHERE)
    pid = child_pid(search)
    await search.close()
    assert not alive(pid)


async def test_a_large_answer_arrives_whole(store: Store) -> None:
    # A host's episodes: one answer of a few hundred kilobytes, read in many pieces.
    episodes = tuple(make_episode(f"Episode {i:04d}: " + "a long title " * 8) for i in range(1500))
    await store.catalog.ingest(make_source(*episodes))
    isolated, local = Search(store, isolated=True), Search(store)
    try:
        [ana] = await isolated.people("Ana", limit=1, scope=EVERYWHERE)
        assert len(ana.episodes) == 1500
        assert [ana] == await local.people("Ana", limit=1, scope=EVERYWHERE)
    finally:
        await isolated.close()
        await local.close()


async def test_lookups_that_find_the_process_dead_start_one_new_process(
    isolated: Search, caplog: pytest.LogCaptureFixture
) -> None:
    await isolated.episodes("bolt", scope=EVERYWHERE)
    first = child_pid(isolated)
    await killed(isolated, first)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.search.engine"):
        answers = await asyncio.gather(*(isolated.suggest_episodes("bo", scope=EVERYWHERE) for _ in range(5)))
    assert all(answer == answers[0] and answer for answer in answers)
    started = [
        r
        for r in caplog.records
        if r.getMessage().startswith("lookup process") and "started" in r.getMessage()
    ]
    assert len(started) == 1


async def test_a_process_that_keeps_dying_young_is_restarted_after_a_wait(isolated: Search) -> None:
    async def kill_child() -> None:
        await killed(isolated, child_pid(isolated))

    await isolated.episodes("bolt", scope=EVERYWHERE)
    await kill_child()
    assert await isolated.episodes("bolt", scope=EVERYWHERE)  # the first death: replaced at once
    await kill_child()
    with pytest.raises(LookupsStopped, match="restarting"):
        await isolated.episodes("bolt", scope=EVERYWHERE)
    await asyncio.sleep(1.1)
    assert await isolated.episodes("bolt", scope=EVERYWHERE)


async def test_an_answer_this_side_cannot_read_stops_that_process_not_the_lookups(
    isolated: Search, monkeypatch: pytest.MonkeyPatch
) -> None:
    await isolated.episodes("bolt", scope=EVERYWHERE)
    first = child_pid(isolated)
    garbled = {"left": 1}

    class FlakyPickle:
        HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL
        dumps = staticmethod(pickle.dumps)

        @staticmethod
        def loads(data: bytes) -> object:
            if garbled["left"]:
                garbled["left"] -= 1
                raise pickle.UnpicklingError("garbled")
            return pickle.loads(data)

    monkeypatch.setattr(engine, "pickle", FlakyPickle)
    with pytest.raises(LookupsStopped):
        await asyncio.wait_for(isolated.episodes("windsurf", scope=EVERYWHERE), 10)
    [found, *_] = await asyncio.wait_for(isolated.episodes("bolt", scope=EVERYWHERE), 10)
    assert found.title == BOLT
    assert child_pid(isolated) != first


def test_an_exception_the_parent_could_not_rebuild_arrives_as_a_runtime_error() -> None:
    class NeedsTwo(Exception):
        def __init__(self, a: str, b: str) -> None:
            super().__init__(f"{a} and {b}")

    frame = engine._error_frame(7, "episodes", NeedsTwo("this", "that"))
    request_id, ok, error = pickle.loads(frame[engine.HEADER.size :])
    assert (request_id, ok) == (7, False)
    assert isinstance(error, RuntimeError)
    assert "this and that" in str(error)


async def test_a_refresh_rebuilds_only_the_show_that_changed(store: Store) -> None:
    latent = await store.catalog.ingest(latent_like())
    search = Search(store)
    try:
        await search.refresh()
        lookups = search._lookups._lookups  # type: ignore[union-attr]
        built = lookups._indexes
        await search.refresh()
        assert lookups._indexes is built  # nothing new: nothing rebuilt
        other = await store.catalog.ingest(make_source(make_episode("Zanzibar: a Very New Episode")))
        await search.refresh()
        assert lookups._indexes[latent.show_id] is built[latent.show_id]  # the other show kept its index
        assert other.show_id in lookups._indexes
        assert await search.episodes("zanzibar", scope=EVERYWHERE)
    finally:
        await search.close()


async def test_the_lookup_process_never_imports_from_the_working_directory(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A directory with a `bot` package of its own, as a second checkout would be.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "bot").mkdir(parents=True)
    (elsewhere / "bot" / "__init__.py").write_text("raise SystemExit('the wrong bot package')\n")
    monkeypatch.chdir(elsewhere)
    await store.catalog.ingest(latent_like())
    search = Search(store, isolated=True)
    try:
        [found, *_] = await asyncio.wait_for(search.episodes("bolt", scope=EVERYWHERE), 30)
        assert found.title == BOLT
    finally:
        await search.close()


async def test_people_may_list_only_their_newest_episodes(store: Store) -> None:
    episodes = tuple(
        make_episode(f"Episode {i:02d}", published=datetime(2024, 1, i, tzinfo=UTC)) for i in range(1, 21)
    )
    await store.catalog.ingest(make_source(*episodes))
    isolated = Search(store, isolated=True)
    try:
        [everything] = await isolated.people("Ana", limit=1, scope=EVERYWHERE)
        [newest] = await isolated.people("Ana", limit=1, episodes=3, scope=EVERYWHERE)
    finally:
        await isolated.close()
    assert everything.episode_count == newest.episode_count == len(everything.episodes) == 20
    assert [ref.title for ref in newest.episodes] == ["Episode 20", "Episode 19", "Episode 18"]
    assert newest.episodes == everything.episodes[:3]


@pytest.mark.sqlite_only("a PostgreSQL store's lookup process does need psycopg")
async def test_the_lookup_process_of_a_sqlite_store_loads_no_postgresql_driver(isolated: Search) -> None:
    # It holds every show's index, so its own footprint counts: psycopg with libpq, and pydantic (the
    # settings), are some 20 MiB of a process's memory that a SQLite store's lookups never use.
    [found, *_] = await isolated.episodes("bolt", scope=EVERYWHERE)
    assert found.title == BOLT
    loaded = mapped_files(child_pid(isolated))
    assert "psycopg" not in loaded
    assert "pydantic_core" not in loaded
