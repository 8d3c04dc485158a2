"""Search: fuzzy episode and people lookup, quotes, chapters. The core that the CLI and the cogs call.

Never imports discord. All CPU work and every SQLite query of a search run in a small pool of worker
threads, each with its own read-only connection: the event loop only awaits. Lookups hold the GIL in short
steps (candidate sets of a few hundred), so the loop keeps its heartbeat while many searches run.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from bot.search import chapters as chapter_search
from bot.search import episodes as episode_search
from bot.search import quotes as quote_search
from bot.search.build import build_index
from bot.search.results import (
    ChapterHit,
    EmptyQuery,
    EpisodeMatch,
    EpisodeRef,
    PersonMatch,
    QuoteHit,
    Suggestion,
)
from bot.store.lookup import LookupReader, connect_reader
from bot.store.stems import Stemmer
from bot.store.transcripts import TranscriptReader

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from bot.models import Chapter
    from bot.search.lookup import EpisodeIndex
    from bot.store import Store, StoredEpisode

__all__ = [
    "ChapterHit",
    "EmptyQuery",
    "EpisodeMatch",
    "EpisodeRef",
    "PersonMatch",
    "QuoteHit",
    "Search",
    "Suggestion",
    "tune_interpreter",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Lookups are pure Python over the in-memory index: they hold the GIL, so one thread runs them (a
# second would add no throughput, only a second thread for the event loop to wait behind). Quote and
# chapter searches spend their time inside SQLite with the GIL released: two threads, one per core,
# so that a slow quote never delays an autocomplete.
LOOKUP_WORKERS = 1
SQL_WORKERS = 2


@dataclass(slots=True)
class _Worker:
    """What one worker thread owns: its connection to the store and its stemmer."""

    conn: sqlite3.Connection
    lookup: LookupReader
    transcripts: TranscriptReader
    stemmer: Stemmer


def tune_interpreter(switch_interval: float = 0.001) -> None:
    """For the bot's process, once at start: let threads hand over the GIL every millisecond instead of
    every 5. Lookups run in a worker thread; when the event loop's thread wants the GIL, it waits at most
    this long, so its longest stall under concurrent lookups drops with it (see docs/search.md). Not done
    implicitly: it is a setting of the whole interpreter."""
    sys.setswitchinterval(switch_interval)


def _require(query: str) -> str:
    if not query or not query.strip():
        raise EmptyQuery("type a few words to search for")
    return query


class Search:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._index: EpisodeIndex | None = None
        self._refresh_lock = asyncio.Lock()
        self._lookups = ThreadPoolExecutor(max_workers=LOOKUP_WORKERS, thread_name_prefix="podbot-lookup")
        self._sql = ThreadPoolExecutor(max_workers=SQL_WORKERS, thread_name_prefix="podbot-quotes")
        self._local = threading.local()
        self._workers: list[_Worker] = []
        self._workers_lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------------------

    def _worker(self) -> _Worker:
        worker: _Worker | None = getattr(self._local, "worker", None)
        if worker is None:
            conn = connect_reader(self._store.path)
            worker = _Worker(conn, LookupReader(conn), TranscriptReader(conn), Stemmer())
            self._local.worker = worker
            with self._workers_lock:
                self._workers.append(worker)
        return worker

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._lookups, functools.partial(fn, *args))

    async def _run_sql(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._sql, functools.partial(fn, *args))

    async def _ready(self) -> EpisodeIndex:
        index = self._index
        if index is None:
            async with self._refresh_lock:
                if self._index is None:
                    await self.refresh()
            index = self._index
            assert index is not None
        return index

    async def refresh(self) -> None:
        """(Re)build the in-memory lookup index from the store; call after an ingest. Runs off the loop;
        searches keep using the previous index until the new one is complete."""

        def load() -> EpisodeIndex:
            return build_index(self._worker().lookup.index_rows())

        self._index = await self._run(load)
        # The index answers at once; the parts only typo and substring lookups need follow in the worker.
        asyncio.get_running_loop().run_in_executor(self._lookups, self._index.vocabulary.warm)
        # The index is a few million long-lived objects: move them out of the collector's generations
        # so that no later collection walks them (a walk holds the GIL, and so stalls the event loop).
        gc.freeze()
        log.debug("search index: %d episodes, %d people", len(self._index.episodes), len(self._index.people))

    async def close(self) -> None:
        """Stop the worker threads and close their connections (the store itself stays open)."""
        for executor in (self._lookups, self._sql):
            await asyncio.to_thread(executor.shutdown, wait=True)
        with self._workers_lock:
            for worker in self._workers:
                worker.conn.close()
                worker.stemmer.close()
            self._workers.clear()

    # --- episodes and people ----------------------------------------------------------------------------

    async def episodes(self, query: str, *, limit: int = 10) -> list[EpisodeMatch]:
        """Episodes for a fuzzy query, best first, each with a score; EmptyQuery for an empty one."""
        _require(query)
        index = await self._ready()
        return await self._run(lambda: episode_search.find(index, self._worker().lookup, query, limit=limit))

    async def suggest_episodes(self, typed: str, *, limit: int = 25) -> list[Suggestion]:
        """Autocomplete: the newest episodes for nothing typed yet, else the best matches so far."""
        index = await self._ready()
        return await self._run(episode_search.suggest, index, typed, limit)

    async def people(self, query: str, *, limit: int = 10) -> list[PersonMatch]:
        _require(query)
        index = await self._ready()
        return await self._run(episode_search.find_people, index, query, limit)

    async def suggest_people(self, typed: str, *, limit: int = 25) -> list[Suggestion]:
        index = await self._ready()
        return await self._run(episode_search.suggest_people, index, typed, limit)

    async def resolve_episode(self, query: str) -> EpisodeMatch | None:
        """An autocomplete value (the episode id as text) or free text -> the episode meant, or None."""
        _require(query)
        index = await self._ready()
        by_id = episode_search.by_id_text(index, query)
        if by_id is not None:
            return by_id
        found = await self.episodes(query, limit=1)
        return found[0] if found else None

    async def latest(self) -> StoredEpisode | None:
        newest = await self._store.catalog.episodes(limit=1)
        return newest[0] if newest else None

    # --- quotes -----------------------------------------------------------------------------------------

    async def quotes(
        self, query: str, *, episode_id: int | None = None, limit: int = 5, offset: int = 0
    ) -> list[QuoteHit]:
        """Transcript segments for a remembered line, exact phrase matches first."""
        _require(query)

        def work() -> list[QuoteHit]:
            worker = self._worker()
            return quote_search.search(
                query, worker.transcripts, worker.stemmer, episode_id=episode_id, limit=limit, offset=offset
            )

        return await self._run_sql(work)

    # --- chapters ---------------------------------------------------------------------------------------

    async def chapters(self, query: str) -> tuple[EpisodeRef, list[Chapter]] | None:
        """The table of contents of the episode that best matches `query` (or whose id it is)."""
        match = await self.resolve_episode(query)
        if match is None:
            return None
        stored = await self._store.catalog.get(match.episode_id)
        if stored is None:
            return None
        toc = [c for c in stored.episode.chapters if c.toc]
        return EpisodeRef(stored.id, stored.episode.title), toc

    async def chapter_at(self, episode_id: int, second: int) -> Chapter | None:
        """The chapter playing at `second`: the last table-of-contents chapter starting at or before it."""
        stored = await self._store.catalog.get(episode_id)
        if stored is None:
            return None
        return chapter_search.playing_at([c for c in stored.episode.chapters if c.toc], second)

    async def search_chapters(self, query: str, *, limit: int = 10) -> list[ChapterHit]:
        """Chapters across all episodes whose titles match `query` ("SWE-Bench"), best first."""
        _require(query)
        index = await self._ready()
        return await self._run_sql(
            lambda: chapter_search.find(index, self._worker().lookup, query, limit=limit)
        )
