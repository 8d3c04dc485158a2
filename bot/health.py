"""Whether a running `podbot run` is really serving, for `podbot health` and the image's HEALTHCHECK.

A live process is not a serving bot: its gateway connection may be down, its store unreadable, its event
loop stuck. So the bot writes a heartbeat file every PODBOT_HEARTBEAT_SECONDS (30), saying when (the wall clock,
since the reader is another process) and what is wrong, if anything: the Discord side says whether every
gateway connection is up, and the store is asked for a read. `podbot health` reads the file, without
opening the store or talking to Discord, and answers in one sentence: serving, or why not. A heartbeat
that stopped coming means the bot stopped or is stuck.

The file sits beside the store (PODBOT_DB + ".heartbeat") unless PODBOT_HEARTBEAT_FILE says otherwise:
give each process its own when several serve one store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import default_db_path
from bot.store.errors import StoreError, damaged_sentence, is_damage

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.config import Settings
    from bot.store import Store

log = logging.getLogger(__name__)

# The default of PODBOT_HEARTBEAT_SECONDS. Docker's HEALTHCHECK asks every 30 s by default; a beat as
# often keeps the answer at most that old, for the price of one small read and one small file write.
HEARTBEAT_SECONDS = 30.0
# A heartbeat this many beats old is a bot that stopped or whose event loop is stuck; fewer would
# mistake one slow beat (a busy disk, a long ingest holding the store) for a dead bot.
STALE_AFTER_BEATS = 3


def heartbeat_path(settings: Settings) -> Path:
    if settings.heartbeat_file is not None:
        return settings.heartbeat_file.expanduser()
    if isinstance(settings.db, str):
        # A PostgreSQL store has no file to sit beside: the default store's folder, then.
        return default_db_path().with_name("podbot.heartbeat")
    db = settings.db.expanduser()
    return db.with_name(db.name + ".heartbeat")


@dataclass(frozen=True, slots=True)
class Heartbeat:
    at: float  # time.time() when it was written
    every_s: float  # the bot's interval, so that the reader knows when a beat is overdue
    pid: int
    # One sentence each for what stops the bot from serving; empty when it serves.
    problems: tuple[str, ...] = ()


class HeartbeatUnreadable(Exception):
    """The heartbeat file exists but is not one podbot wrote (or was cut short)."""


def write_heartbeat(path: Path, beat: Heartbeat) -> None:
    # Written aside and renamed over the old one: a reader sees the last beat or this one, never half.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(asdict(beat)), encoding="utf-8")
    os.replace(partial, path)


def read_heartbeat(path: Path) -> Heartbeat | None:
    """The last heartbeat at `path`; None when there is none (HeartbeatUnreadable for a broken one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise HeartbeatUnreadable(str(exc)) from exc
    try:
        return Heartbeat(
            at=float(data["at"]),
            every_s=float(data["every_s"]),
            pid=int(data["pid"]),
            problems=tuple(str(p) for p in data["problems"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise HeartbeatUnreadable(f"{type(exc).__name__}: {exc}") from exc


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


@dataclass(frozen=True, slots=True)
class Verdict:
    serving: bool
    sentence: str


def verdict(path: Path, now: float) -> Verdict:
    """What `podbot health` says about the heartbeat at `path`, at wall-clock time `now`."""
    try:
        beat = read_heartbeat(path)
    except HeartbeatUnreadable as exc:
        return Verdict(False, f"the heartbeat file {path} is unreadable ({exc}); is it podbot's?")
    if beat is None:
        return Verdict(
            False, f"no heartbeat at {path}: `podbot run` is not running, or has not connected to Discord yet"
        )
    age = max(0.0, now - beat.at)
    if age > beat.every_s * STALE_AFTER_BEATS:
        return Verdict(
            False,
            f"the last heartbeat (process {beat.pid}) is {_age(age)} old: `podbot run` has stopped or is stuck",
        )
    if beat.problems:
        return Verdict(False, "podbot is not serving: " + "; ".join(beat.problems))
    return Verdict(
        True, f"podbot is serving: connected to Discord, store readable (last heartbeat {_age(age)} ago)"
    )


async def store_problem(store: Store) -> str | None:
    """None when the store answers a small read, as every command's first read is; else why not."""
    try:
        await store.shows.all()
    except Exception as exc:
        # Whatever stops the read is the answer; the log keeps the traceback.
        log.warning("the heartbeat's read of the store failed", exc_info=True)
        if is_damage(exc):
            return damaged_sentence(store.location)
        if isinstance(exc, StoreError):
            return str(exc)  # already a sentence that names the store (a server that stopped answering)
        return f"the store {store.location} cannot be read ({type(exc).__name__}: {exc})"
    return None


class HeartbeatService:
    """The bot's heartbeat: after the bot is ready, a beat every `every_s` until closed, when the file
    is removed (a stopped bot has no heartbeat). `gateway_problem` is the Discord side's answer."""

    def __init__(
        self,
        path: Path,
        store: Store,
        gateway_problem: Callable[[], str | None],
        *,
        every_s: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.path = path
        self.store = store
        self.gateway_problem = gateway_problem
        self.every_s = every_s
        self._task: asyncio.Task[None] | None = None

    async def beat(self) -> Heartbeat:
        problems = [p for p in (self.gateway_problem(), await store_problem(self.store)) if p]
        beat = Heartbeat(at=time.time(), every_s=self.every_s, pid=os.getpid(), problems=tuple(problems))
        # A few hundred bytes and a rename, no fsync: done in place, cheaper than a hop to a thread.
        write_heartbeat(self.path, beat)
        return beat

    def start(self, ready: Callable[[], Awaitable[object]]) -> None:
        self._task = asyncio.create_task(self._run(ready), name="podbot-heartbeat")

    async def _run(self, ready: Callable[[], Awaitable[object]]) -> None:
        await ready()
        while True:
            try:
                await self.beat()
            except Exception:
                # A full disk, a read-only folder, a bug: no fresh heartbeat, which `podbot health` reports
                # as a stopped or stuck bot; the loop goes on, and the next beat may succeed.
                log.exception("cannot write the heartbeat file %s", self.path)
            await asyncio.sleep(self.every_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self.path.unlink)
