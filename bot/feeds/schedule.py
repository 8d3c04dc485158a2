"""When to check a feed next: the configured interval when it works, exponential backoff when it fails.

A feed that keeps failing gets one warning in its channels after WARN_AFTER failures and is paused after
PAUSE_AFTER; with a 15-minute interval that is about 4 hours and about a day of failing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

WARN_AFTER = 5
PAUSE_AFTER = 8
MAX_BACKOFF = timedelta(hours=12)
# A server's Retry-After is honoured, up to this much.
MAX_RETRY_AFTER = timedelta(hours=24)
# Checks of different feeds spread over ±10% of the interval instead of all landing at once.
JITTER = 0.10


def _jitter(feed_url: str) -> float:
    """A fixed factor in [1 - JITTER, 1 + JITTER] per feed: spread out, yet reproducible."""
    unit = int.from_bytes(hashlib.sha256(feed_url.encode()).digest()[:4], "big") / 0xFFFFFFFF
    return 1 - JITTER + 2 * JITTER * unit


def after_success(now: datetime, interval: timedelta, feed_url: str) -> datetime:
    return now + interval * _jitter(feed_url)


def after_failure(
    now: datetime, interval: timedelta, failures: int, *, retry_after_s: float | None = None
) -> datetime:
    """Interval × 2^(failures-1), at most MAX_BACKOFF; later still if the server asked for it."""
    delay = min(interval * (2 ** max(0, failures - 1)), max(MAX_BACKOFF, interval))
    if retry_after_s is not None:
        delay = max(delay, min(timedelta(seconds=retry_after_s), MAX_RETRY_AFTER))
    return now + delay


def describe_delay(delay: timedelta) -> str:
    """'about 3 hours', 'about 45 minutes': how long, for people."""
    minutes = round(delay.total_seconds() / 60)
    if minutes < 90:
        return f"about {max(1, minutes)} minutes"
    hours = round(minutes / 60)
    return f"about {hours} hours" if hours < 48 else f"about {round(hours / 24)} days"
