"""Search: fuzzy episode and people lookup, quotes, chapters. The core that the CLI and the cogs call.

Never imports discord. The event loop only awaits: lookups run over an in-memory index on a worker thread,
or in a process of their own (`Search(store, isolated=True)`, what the bot uses: see bot.search.engine);
quote searches run on threads with their own read-only connections, mostly inside SQLite with the GIL
released.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from bot.search import chapters as chapter_search
from bot.search import quotes as quote_search
from bot.search.engine import LocalLookups, LookupsStopped, ProcessLookups
from bot.search.results import (
    ChapterHit,
    EmptyQuery,
    EpisodeMatch,
    EpisodeRef,
    PersonMatch,
    QuoteHit,
    Suggestion,
)
from bot.store.readers import connect, stemmer, transcript_reader

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.models import Chapter
    from bot.scope import Scope
    from bot.store import Store, StoredEpisode
    from bot.store.readers import SyncConnection
    from bot.store.stems import Stemmer
    from bot.store.transcripts import TranscriptReader

__all__ = [
    "AMBIGUITY_MARGIN",
    "ChapterHit",
    "EmptyQuery",
    "EpisodeMatch",
    "EpisodeRef",
    "LookupsStopped",
    "PersonMatch",
    "QuoteHit",
    "Search",
    "Suggestion",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Quote and chapter searches spend their time inside SQLite with the GIL released: two threads, one per
# core, so that a slow quote never delays another.
SQL_WORKERS = 2
# Runners-up within this many points (of 100) of the best episode match make a query ambiguous.
AMBIGUITY_MARGIN = 10.0


@dataclass(slots=True)
class _Worker:
    """What one quote worker thread owns: its connection to the store and its stemmer."""

    conn: SyncConnection
    transcripts: TranscriptReader
    stemmer: Stemmer


def _require(query: str) -> str:
    if not query or not query.strip():
        raise EmptyQuery("type a few words to search for")
    return query


class Search:
    def __init__(self, store: Store, *, isolated: bool = False) -> None:
        """`isolated`: run lookups in a process of their own, so that they can never stall this
        process's event loop (the bot); otherwise on a worker thread (the CLI: no process to start)."""
        self._store = store
        self._lookups = ProcessLookups(store.address) if isolated else LocalLookups(store.address)
        self._refreshed = False
        self._refresh_lock = asyncio.Lock()
        self._sql = ThreadPoolExecutor(max_workers=SQL_WORKERS, thread_name_prefix="podbot-quotes")
        self._local = threading.local()
        self._workers: list[_Worker] = []
        self._workers_lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------------------

    def _worker(self) -> _Worker:
        worker: _Worker | None = getattr(self._local, "worker", None)
        if worker is None:
            conn = connect(self._store.address)
            worker = _Worker(conn, transcript_reader(conn), stemmer(conn))
            self._local.worker = worker
            with self._workers_lock:
                self._workers.append(worker)
        return worker

    async def _run_sql(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._sql, functools.partial(fn, *args))

    async def _lookup(self, method: str, *args: Any) -> Any:
        if not self._refreshed:
            async with self._refresh_lock:
                if not self._refreshed:
                    await self.refresh()
        return await self._lookups.call(method, *args)

    async def refresh(self) -> None:
        """(Re)build the lookup index from the store; call after an ingest. Lookups go on with the
        previous index until the new one is complete."""
        rebuilt, episodes = await self._lookups.call("refresh")
        self._refreshed = True
        log.debug("search index: %d show(s) rebuilt, %d episodes", rebuilt, episodes)

    async def close(self) -> None:
        """Stop the lookups (thread or process) and the quote threads (the store itself stays open)."""
        await self._lookups.close()
        await asyncio.to_thread(self._sql.shutdown, wait=True)
        with self._workers_lock:
            for worker in self._workers:
                worker.conn.close()
                worker.stemmer.close()
            self._workers.clear()

    # --- episodes and people ----------------------------------------------------------------------------
    # Every question names its scope: the shows it may be answered from (bot.scope). There is no default,
    # so that no caller can forget it.

    async def episodes(self, query: str, *, scope: Scope, limit: int = 10) -> list[EpisodeMatch]:
        """Episodes for a fuzzy query, best first, each with a score; EmptyQuery for an empty one."""
        _require(query)
        result: list[EpisodeMatch] = await self._lookup("episodes", _ids(scope), query, limit)
        return result

    async def suggest_episodes(self, typed: str, *, scope: Scope, limit: int = 25) -> list[Suggestion]:
        """Autocomplete: the newest episodes for nothing typed yet, else the best matches so far."""
        result: list[Suggestion] = await self._lookup("suggest_episodes", _ids(scope), typed, limit)
        return result

    async def people(
        self, query: str, *, scope: Scope, limit: int = 10, episodes: int | None = None
    ) -> list[PersonMatch]:
        """People for a fuzzy name query, best first, each with their episodes newest first: all of them,
        or the newest `episodes` (a host of 10,000 episodes is a large answer to pass between processes);
        `episode_count` is the total either way. Only the scope's episodes count."""
        _require(query)
        result: list[PersonMatch] = await self._lookup("people", _ids(scope), query, limit, episodes)
        return result

    async def suggest_people(self, typed: str, *, scope: Scope, limit: int = 25) -> list[Suggestion]:
        result: list[Suggestion] = await self._lookup("suggest_people", _ids(scope), typed, limit)
        return result

    async def resolve_episode(self, query: str, *, scope: Scope) -> EpisodeMatch | None:
        """An autocomplete value (the episode id as text) or free text -> the episode meant, or None."""
        _require(query)
        result: EpisodeMatch | None = await self._lookup("resolve", _ids(scope), query)
        return result

    async def runners_up(
        self, query: str, best: EpisodeMatch, *, scope: Scope, limit: int = 3
    ) -> list[EpisodeMatch]:
        """Other episodes of the scope that match `query` almost as well as `best` (within AMBIGUITY_MARGIN
        points): the "did you mean" / "also matched" of a command that acts on one episode."""
        matches = await self.episodes(query, scope=scope, limit=limit + 1)
        top = max([best.score, *(m.score for m in matches)])
        return [m for m in matches if m.episode_id != best.episode_id and m.score >= top - AMBIGUITY_MARGIN][
            :limit
        ]

    async def latest(self, *, scope: Scope) -> StoredEpisode | None:
        newest = await self._store.catalog.episodes(scope=scope, limit=1)
        return newest[0] if newest else None

    # --- quotes -----------------------------------------------------------------------------------------

    async def quotes(
        self,
        query: str,
        *,
        scope: Scope,
        episode_id: int | None = None,
        limit: int = 5,
        offset: int = 0,
    ) -> list[QuoteHit]:
        """Transcript segments for a remembered line, exact phrase matches first."""
        _require(query)
        show_ids = _ids(scope)

        def work() -> list[QuoteHit]:
            worker = self._worker()
            return quote_search.search(
                query,
                worker.transcripts,
                worker.stemmer,
                show_ids=show_ids,
                episode_id=episode_id,
                limit=limit,
                offset=offset,
            )

        return await self._run_sql(work)

    async def has_transcript(self, episode_id: int) -> bool:
        """Whether any transcript of the episode is stored: a quote search within one that has none finds
        nothing for that reason, not for the words (and the answer says so)."""

        def work() -> bool:
            return self._worker().transcripts.episode_range(episode_id) is not None

        return await self._run_sql(work)

    # --- chapters ---------------------------------------------------------------------------------------

    async def chapters(self, query: str, *, scope: Scope) -> tuple[EpisodeRef, list[Chapter]] | None:
        """The table of contents of the episode that best matches `query` (or whose id it is)."""
        match = await self.resolve_episode(query, scope=scope)
        if match is None:
            return None
        stored = await self._store.catalog.get(match.episode_id, scope=scope)
        if stored is None:
            return None
        toc = [c for c in stored.episode.chapters if c.toc]
        return EpisodeRef(stored.id, stored.episode.title, stored.show_id, stored.show_title), toc

    async def chapter_at(self, episode_id: int, second: int, *, scope: Scope) -> Chapter | None:
        """The chapter playing at `second`: the last table-of-contents chapter starting at or before it."""
        stored = await self._store.catalog.get(episode_id, scope=scope)
        if stored is None:
            return None
        return chapter_search.playing_at([c for c in stored.episode.chapters if c.toc], second)

    async def search_chapters(self, query: str, *, scope: Scope, limit: int = 10) -> list[ChapterHit]:
        """Chapters across the scope's episodes whose titles match `query` ("SWE-Bench"), best first."""
        _require(query)
        result: list[ChapterHit] = await self._lookup("search_chapters", _ids(scope), query, limit)
        return result


def _ids(scope: Scope) -> frozenset[int] | None:
    """What the lookups take: the scope's show ids, or None for every show."""
    return None if scope.unbounded else scope.show_ids
