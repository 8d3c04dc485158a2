"""Episode, people and chapter lookups over the in-memory index, and where they run.

`Lookups` holds the index and a read connection and answers every lookup, synchronously. It runs either
on a worker thread of the calling process (`LocalLookups`: the CLI, tests) or in a process of its own
(`ProcessLookups`: the bot). Lookups are pure Python and hold the GIL; in the bot's process they compete
with the event loop for it, and when the machine is busy the operating system may suspend the worker
while it holds the GIL, stalling the loop for a whole time slice (10–20 ms measured with 20 concurrent
lookups at 100k episodes). In a process of their own they cannot: the loop only writes a request to a
pipe and reads the answer (see docs/search.md).

There is one index per show. A refresh rebuilds, on a thread of its own, the indexes of the shows that
changed, while lookups go on with the previous ones. Besides
the explicit `refresh()` after an ingest, each lookup notices when another process changed the catalog
(`podbot ingest` while the bot runs) and has the index rebuilt in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import os
import pickle
import queue
import signal
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

from bot.locations import is_postgres_url
from bot.logs import configure_logging
from bot.search import across
from bot.search.build import build_index
from bot.store.readers import connect, lookup_reader

if TYPE_CHECKING:
    from bot.search.index import EpisodeIndex
    from bot.search.results import ChapterHit, EpisodeMatch, PersonMatch, Suggestion

log = logging.getLogger(__name__)

# Requests a client may make: Lookups' public methods, by name (the process protocol sends names).
METHODS = frozenset(
    {
        "refresh",
        "episodes",
        "suggest_episodes",
        "people",
        "suggest_people",
        "resolve",
        "search_chapters",
        "size",
    }
)
# How long close() waits for the lookup process to finish before it is killed.
STOP_TIMEOUT_S = 5.0
# A lookup takes milliseconds (a first one may wait for the index to build): a child that has not
# answered in this long is stuck, and is replaced.
LOOKUP_TIMEOUT_S = 60.0
# The longest wait before starting a new lookup process after one died young (the wait doubles from 1 s);
# a child that lived longer than this is replaced at once.
RESTART_MAX_S = 60.0


class LookupsStopped(RuntimeError):
    """The lookup process ended while a lookup was waiting for it (it is started again on the next)."""


class Lookups:
    """The lookup indexes of one store, one per show, and every lookup over them. Lookups run on one
    thread; `refresh()` runs on another (the set of indexes is swapped whole, so a lookup sees the old
    set or the new one). Each lookup names the shows it may see: `show_ids`, or None for every show."""

    def __init__(self, path: Path | str, background: Callable[[Callable[[], object]], object]) -> None:
        """`background` runs a function on the thread that refreshes (never the lookups' own)."""
        self._path = path
        self._conn = connect(path)
        self._reader = lookup_reader(self._conn)
        self._background = background
        self._indexes: dict[int, EpisodeIndex] | None = None
        # The catalog generation the published indexes were built from, and the store's data_version at
        # the last look for changes.
        self._generation = -1
        self._seen_version: int | None = None
        self._refreshing = threading.Lock()

    @property
    def indexes(self) -> dict[int, EpisodeIndex]:
        if self._indexes is None:
            # A refresh in flight publishes them: wait for it rather than build a second time.
            with self._refreshing:
                pass
            if self._indexes is None:
                self.refresh()
        else:
            self._notice_changes()
        assert self._indexes is not None
        return self._indexes

    def _in_scope(self, show_ids: frozenset[int] | None) -> list[EpisodeIndex]:
        indexes = self.indexes
        if show_ids is None:
            return [indexes[i] for i in sorted(indexes)]
        return [indexes[i] for i in sorted(show_ids) if i in indexes]

    def _notice_changes(self) -> None:
        """On the lookups' thread, before a lookup: if the catalog changed since the indexes were built,
        have the changed shows rebuilt in the background; this lookup, and those until then, answer from
        the current ones. Usually one PRAGMA that reads nothing: the generation is read only after some
        commit."""
        version = self._reader.data_version()
        if version == self._seen_version:
            return
        self._seen_version = version
        if self._reader.generation() != self._generation:
            self._background(self._refresh_if_stale)

    def _refresh_if_stale(self) -> None:
        # Queued behind any refresh already running, which may have made this one needless.
        try:
            rebuilt = self._rebuild_if_stale()
            if rebuilt:
                log.info("the catalog changed: search index of %d show(s) rebuilt", rebuilt)
                self.settle()
        except Exception:
            # Nobody awaits this: say so here. Lookups go on with the indexes they have; the next commit
            # to the store (or an explicit refresh) tries again.
            log.exception("rebuilding the search index after a change to the catalog failed")

    def refresh(self) -> tuple[int, int]:
        """Bring the indexes up to the store's current state; (shows rebuilt, episodes indexed). Only the
        shows whose generation moved are rebuilt: a new 500-episode show costs its own few milliseconds,
        not a rebuild of the 200,000 episodes of the others."""
        rebuilt = self._rebuild_if_stale()
        # Not the people across all shows (size() counts them): that union walks every show's people
        # while holding the GIL, tens of milliseconds at 1,000 shows, stalling the lookups on every
        # refresh after an ingest.
        return rebuilt, sum(len(index.episode_ids) for index in (self._indexes or {}).values())

    def _rebuild_if_stale(self) -> int:
        """Rebuild the indexes of the shows that changed (and drop those of shows that are gone), then
        publish the new set; how many were rebuilt. Runs on the refreshing thread, with a connection of
        its own."""
        with self._refreshing:
            conn = connect(self._path)
            try:
                reader = lookup_reader(conn)
                with reader.snapshot():
                    generation = reader.generation()
                    if self._indexes is not None and generation == self._generation:
                        return 0
                    current = self._indexes or {}
                    shows = reader.show_generations()
                    indexes = {s.show_id: current[s.show_id] for s in shows if s.show_id in current}
                    rebuilt = 0
                    for show in shows:
                        if show.show_id in current and current[show.show_id].generation == show.generation:
                            continue
                        # Built as each show's rows are read, so that only one show's rows are ever held.
                        index = build_index(reader.index_rows(show))
                        if self._indexes is not None:
                            # Lookups go on with the previous index meanwhile: publish this one complete.
                            # (A first set is published at once, and completed by settle().)
                            index.vocabulary.warm()
                        indexes[show.show_id] = index
                        rebuilt += 1
            finally:
                conn.close()
            self._indexes, self._generation = indexes, generation
            return rebuilt or int(len(indexes) != len(current))

    def settle(self) -> None:
        """After a refresh, off the lookups' path: what the new indexes still want."""
        indexes = self._indexes
        if indexes is None:
            return
        # The parts only typo and substring lookups need, made now rather than by the first of them (a
        # no-op for the indexes a refresh made them for already).
        for index in indexes.values():
            index.vocabulary.warm()
        # The indexes are millions of long-lived objects: move them out of the collector's generations,
        # so that no later collection walks them (a walk holds the GIL for as long as it takes).
        gc.freeze()

    def size(self, show_ids: frozenset[int] | None = None) -> tuple[int, int]:
        indexes = self._in_scope(show_ids)
        people = {person_id for index in indexes for person_id in index.person_ids}
        return sum(len(index.episode_ids) for index in indexes), len(people)

    def episodes(self, show_ids: frozenset[int] | None, query: str, limit: int) -> list[EpisodeMatch]:
        return across.find(self._in_scope(show_ids), self._reader, query, limit=limit)

    def suggest_episodes(self, show_ids: frozenset[int] | None, typed: str, limit: int) -> list[Suggestion]:
        return across.suggest(self._in_scope(show_ids), typed, limit)

    def people(
        self, show_ids: frozenset[int] | None, query: str, limit: int, episodes: int | None
    ) -> list[PersonMatch]:
        return across.find_people(self._in_scope(show_ids), query, limit, episodes)

    def suggest_people(self, show_ids: frozenset[int] | None, typed: str, limit: int) -> list[Suggestion]:
        return across.suggest_people(self._in_scope(show_ids), typed, limit)

    def resolve(self, show_ids: frozenset[int] | None, query: str) -> EpisodeMatch | None:
        """An autocomplete value (the episode id as text) or free text -> the episode meant, or None."""
        return across.resolve(self._in_scope(show_ids), self._reader, query)

    def search_chapters(self, show_ids: frozenset[int] | None, query: str, limit: int) -> list[ChapterHit]:
        return across.search_chapters(self._in_scope(show_ids), self._reader, query, limit=limit)

    def close(self) -> None:
        self._conn.close()


class LocalLookups:
    """Lookups on a worker thread of this process; a refresh on another."""

    def __init__(self, path: Path | str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="podbot-lookup")
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="podbot-index")
        self._lookups = Lookups(path, background=self._builder.submit)

    async def call(self, method: str, *args: Any) -> Any:
        assert method in METHODS, method
        loop = asyncio.get_running_loop()
        if method == "refresh":
            result = await loop.run_in_executor(self._builder, self._lookups.refresh)
            # Not awaited: the first lookups need not wait for it.
            self._builder.submit(self._lookups.settle)
            return result
        return await loop.run_in_executor(self._thread, getattr(self._lookups, method), *args)

    async def close(self) -> None:
        for executor in (self._thread, self._builder):
            await asyncio.to_thread(executor.shutdown, wait=True)
        self._lookups.close()


class ProcessLookups:
    """Lookups in a child process, asked through a socket that the event loop reads itself (asyncio
    streams: it never waits on a half-arrived answer), so no thread of this process holds the GIL for
    them. A child that dies is started again by a later lookup: one start for all the lookups waiting, and
    not sooner than a backoff that grows while children keep dying young."""

    def __init__(self, path: Path | str) -> None:
        self._path = path
        self._process: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        # One start (and its first index) for every lookup that finds no child.
        self._starting = asyncio.Lock()
        self._started_at = 0.0
        self._young_deaths = 0
        self._restart_not_before = 0.0
        self._closed = False

    async def _start(self) -> None:
        ours, theirs = socket.socketpair()
        # A fresh interpreter that imports only the search (multiprocessing's spawn would import the
        # parent's __main__ again: for `podbot run`, the whole CLI, half a second). Not a fork: this
        # process has threads (SQLite's among them) whose held locks a fork would copy. `-P` and
        # PYTHONPATH: it imports the very `bot` package this process runs, never one from the working
        # directory. The token is not passed on: the child never talks to Discord.
        env = {key: value for key, value in os.environ.items() if key != "PODBOT_TOKEN"}
        # The store's location by the environment, not the command line: a PostgreSQL URL may hold a
        # password, and every user of the machine can read a process's arguments.
        env[STORE_ENV] = str(self._path)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))
        level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
        try:
            with theirs:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-P",
                    "-c",
                    CHILD,
                    str(theirs.fileno()),
                    STORE_FROM_ENV,
                    str(level),
                    pass_fds=(theirs.fileno(),),
                    stdin=asyncio.subprocess.DEVNULL,
                    env=env,
                )
            reader, self._writer = await asyncio.open_unix_connection(sock=ours)
        except BaseException:
            ours.close()
            raise
        self._process = process
        self._started_at = time.monotonic()
        self._reading = asyncio.create_task(self._read(reader, process))
        log.info("lookup process %d started", process.pid)

    async def _read(self, reader: asyncio.StreamReader, process: asyncio.subprocess.Process) -> None:
        try:
            while True:
                (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
                request_id, ok, result = pickle.loads(await reader.readexactly(size))
                future = self._waiting.pop(request_id, None)
                if future is None or future.done():
                    continue
                if ok:
                    future.set_result(result)
                else:
                    future.set_exception(result)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the child ended
        except asyncio.CancelledError:
            return  # close() is ending it
        except Exception:
            # An answer this side cannot read: the conversation is out of step from here on. End it
            # rather than leave every later lookup waiting for an answer that will never be read.
            log.exception("lookup process %d sent an unreadable answer; stopping it", process.pid)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        if process is self._process:
            self._stopped()
        await process.wait()
        log.error("lookup process %d stopped (exit code %s)", process.pid, process.returncode)

    def _stopped(self) -> None:
        """The child is gone: fail what waits for it, and allow another start after the backoff."""
        if self._writer is not None:
            self._writer.close()
        self._writer = self._reading = self._process = None
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(LookupsStopped("the lookup process stopped; try again"))
        now = time.monotonic()
        # A child that lived long, or the first to die young, is replaced at once. Children that keep
        # dying young (out of memory building their index) are replaced after a wait that doubles from
        # 1 s up to a minute, rather than in a loop.
        self._young_deaths = 0 if now - self._started_at > RESTART_MAX_S else self._young_deaths + 1
        delay = 0.0 if self._young_deaths <= 1 else min(2.0 ** (self._young_deaths - 2), RESTART_MAX_S)
        self._restart_not_before = now + delay

    async def call(self, method: str, *args: Any) -> Any:
        assert method in METHODS, method
        if self._writer is None:
            async with self._starting:
                if self._writer is None:
                    if self._closed:
                        raise LookupsStopped("the lookups are closed")
                    if time.monotonic() < self._restart_not_before:
                        raise LookupsStopped("the lookup process is restarting; try again in a moment")
                    await self._start()
                    if method != "refresh":
                        # A new child has no index yet: its first request builds one.
                        await self._send("refresh")
        return await self._send(method, *args)

    async def _send(self, method: str, *args: Any) -> Any:
        writer = self._writer
        if writer is None:
            raise LookupsStopped("the lookup process stopped; try again")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        # Buffered by the transport: never waits for the child.
        writer.write(frame((request_id, method, args)))
        if method == "refresh":
            return await future
        try:
            return await asyncio.wait_for(future, LOOKUP_TIMEOUT_S)
        except TimeoutError:
            # A lookup takes milliseconds: a child this late is stuck. Start afresh.
            process = self._process
            log.error(
                "lookup process %s did not answer in %.0f s; stopping it",
                process and process.pid,
                LOOKUP_TIMEOUT_S,
            )
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            raise LookupsStopped("the lookup process did not answer; try again") from None
        finally:
            self._waiting.pop(request_id, None)

    async def close(self) -> None:
        # After any start in flight, so that no child outlives this.
        async with self._starting:
            self._closed = True
            writer, reading, process = self._writer, self._reading, self._process
            self._writer = self._reading = self._process = None
        if reading is not None:
            reading.cancel()
        if writer is not None:
            # Closing our end is the child's signal to finish.
            writer.close()
        for future in self._waiting.values():
            future.cancel()
        self._waiting.clear()
        if process is not None:
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                process.kill()
                await process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


# --- the lookup process ---------------------------------------------------------------------------------

# The directory that holds the `bot` package this process runs: the lookup process imports the same.
_ROOT = str(Path(__file__).resolve().parents[2])
# Every message, either way, is a pickle after its length.
HEADER = struct.Struct("!I")
# The child's program: `python -c CHILD <socket fd> <store path>`.
STORE_ENV, STORE_FROM_ENV = "PODBOT_LOOKUP_STORE", "-"
CHILD = "import sys; from bot.search.engine import main; main(sys.argv[1:])"


def frame(message: object) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def main(argv: list[str]) -> None:
    fd, path, level = argv
    location = os.environ.pop(STORE_ENV) if path == STORE_FROM_ENV else path
    # The bot's own log format and level, on the bot's stdout (this process inherits it).
    configure_logging(level, stream=sys.stdout)
    serve(socket.socket(fileno=int(fd)), location if is_postgres_url(location) else Path(location))


def _error_frame(request_id: int, method: str, exc: Exception) -> bytes:
    """The exception, for the caller to raise; or, if the parent could not rebuild it from a pickle (an
    exception class with required arguments of its own), a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL))
        return frame((request_id, False, exc))
    except Exception:  # noqa: BLE001 - any failure to round-trip means: send something plainer
        return frame((request_id, False, RuntimeError(f"{method}: {exc!r}")))


def serve(sock: socket.socket, path: Path | str) -> None:
    """The child's whole life: read requests until the parent closes the socket, answer each in order (a
    refresh on a thread of its own, so lookups go on meanwhile). Each answer is (id, ok, result)."""
    # Ctrl-C in a terminal reaches the whole process group: the parent decides when this process ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests: queue.SimpleQueue[tuple[int, str, tuple[Any, ...]] | None] = queue.SimpleQueue()
    sending = threading.Lock()
    builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="podbot-index")
    lookups = Lookups(path, background=builder.submit)

    def answer(request_id: int, method: str, args: tuple[Any, ...]) -> None:
        try:
            reply = frame((request_id, True, getattr(lookups, method)(*args)))
        except Exception as exc:  # noqa: BLE001 - raised again in the caller, whose handler logs it
            reply = _error_frame(request_id, method, exc)
        with sending, contextlib.suppress(OSError):
            sock.sendall(reply)

    def read() -> None:
        # Drains the socket as requests come, so the parent's writes never wait for a slow lookup.
        try:
            while True:
                (size,) = HEADER.unpack(_read_exactly(sock, HEADER.size))
                requests.put(pickle.loads(_read_exactly(sock, size)))
        except (EOFError, OSError):
            requests.put(None)

    threading.Thread(target=read, name="podbot-requests", daemon=True).start()
    while (request := requests.get()) is not None:
        request_id, method, args = request
        if method not in METHODS:
            continue
        if method == "refresh":
            builder.submit(answer, request_id, method, args)
            builder.submit(lookups.settle)
        else:
            answer(request_id, method, args)
    builder.shutdown(wait=False, cancel_futures=True)
    lookups.close()
    sock.close()
