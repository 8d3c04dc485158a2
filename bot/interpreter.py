"""CPython's collector and interpreter lock, for a bot whose event loop must answer while threads work.

The bot's CPU work (parsing a feed, making a segment's search terms) runs in worker threads so that the
event loop stays free; but every thread shares one interpreter lock, and three things still made the loop
wait (measured with bench/stall.py while a poll reads and stores the 15 MB bench feed):

- **Full garbage collections.** A generation 2 collection walks every object the collector tracks, and
  every thread waits for it. A poll of the big feed set off one or two of 40-50 ms, nearly all of it
  spent walking objects made at start-up (modules, classes, cogs: 54k of them). Frozen after start-up,
  they are out of the collector's view, and the same collections took 0-9 ms.
- **The lock's switch interval.** A thread that wants the lock waits up to the interval (5 ms by
  default) before the running one is asked to let go, and with two busy workers the loop can lose the
  hand-over to the other one and wait again. At 1 ms the loop's p99 lateness fell from 4.5 to 1.6 ms.
- **A big feed's parsed episodes.** While a poll holds the 15 MB feed's 39k segments (55k tracked
  objects in all), a full collection walks them: 22-35 ms, and they are all alive, so it frees nothing.
  Full collections wait while a feed is read and stored (`full_collections_deferred`); the younger
  generations are still collected, and the full collection due runs once the episodes are freed, which
  happens one at a time in a worker thread (`release_gradually`): all at once they hold the lock ~10 ms.

Freezing is for objects that stay: one that is frozen and later becomes part of a reference cycle is
never collected (reference counting still frees everything else). Hence once, after start-up, and
after a collection that clears the cycles start-up left behind; and only in `podbot run`, not in the
tests' processes, which start hundreds of bots.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

log = logging.getLogger(__name__)

# Seconds a thread runs before one waiting for the interpreter lock is let in.
SWITCH_INTERVAL_S = 0.001
# Generation 1 collections before a full one, while full collections wait: never, in practice.
_DEFERRED_FULL = 1_000_000_000

# How many reads are deferring full collections, and the threshold to restore when none is. Only the
# event loop's thread enters and leaves (the poller, /show add), so a plain counter is enough.
_deferring = 0
_restore_full = 0


def prefer_the_event_loop() -> None:
    """Let threads hand the interpreter lock over every millisecond instead of every 5: when the event
    loop's thread wants it, it waits at most about this long. A setting of the whole interpreter."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def tune_for_serving() -> None:
    """Once, when the bot's set-up is done: freeze start-up's objects and shorten the switch interval."""
    gc.collect()
    gc.freeze()
    prefer_the_event_loop()
    log.info(
        "set-up done: %d start-up objects frozen out of the garbage collector's walks;"
        " interpreter lock switch interval %g ms",
        gc.get_freeze_count(),
        sys.getswitchinterval() * 1000,
    )


@contextlib.contextmanager
def full_collections_deferred() -> Iterator[None]:
    """No full garbage collection until the outermost of these ends (reads may overlap)."""
    global _deferring, _restore_full
    if _deferring == 0:
        young, middle, _restore_full = gc.get_threshold()
        gc.set_threshold(young, middle, _DEFERRED_FULL)
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if _deferring == 0:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, _restore_full)


async def release_gradually(items: list[Any]) -> None:
    """Drop the items of `items` one at a time in a worker thread; the caller holds no other reference
    to them. Freed at once, a big feed's episodes hold the interpreter lock for ~10 ms in one C call."""

    def drop() -> None:
        while items:
            items.pop()

    await asyncio.to_thread(drop)
