"""CPython's settings for the long-running bot: an event loop that must answer while threads work.

The bot's CPU work (parsing a feed, making a segment's search terms) runs in worker threads so that the
event loop stays free; but every thread shares one interpreter lock, and two things still made the loop
wait (measured with bench/stall.py while a poll reads and stores the 15 MB bench feed):

- **Full garbage collections.** A generation 2 collection walks every object the collector tracks, and
  every thread waits for it. A poll of the big feed set off one or two of 40-50 ms, nearly all of it
  spent walking objects made at start-up (modules, classes, cogs: 54k of them). Frozen after start-up,
  they are out of the collector's view, and the same collections took 0-9 ms.
- **The lock's switch interval.** A thread that wants the lock waits up to the interval (5 ms by
  default) before the running one is asked to let go, and with two busy workers the loop can lose the
  hand-over to the other one and wait again. At 1 ms the loop's p99 lateness fell from 4.5 to 1.6 ms.

Freezing is for objects that stay: one that is frozen and later becomes part of a reference cycle is
never collected (reference counting still frees everything else). Hence once, after start-up, and
after a collection that clears the cycles start-up left behind; and only in `podbot run`, not in the
tests' processes, which start hundreds of bots.
"""

from __future__ import annotations

import gc
import logging
import sys

log = logging.getLogger(__name__)

# Seconds a thread runs before one waiting for the interpreter lock is let in.
SWITCH_INTERVAL_S = 0.001


def tune_for_serving() -> None:
    """Once, when the bot's set-up is done: freeze start-up's objects and shorten the switch interval."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    log.info(
        "set-up done: %d start-up objects frozen out of the garbage collector's walks;"
        " interpreter lock switch interval %g ms",
        gc.get_freeze_count(),
        sys.getswitchinterval() * 1000,
    )
