"""Claims on shared work (migration 011): which process polls a feed, which one sends an announcement.

Several bot processes may share one store (PostgreSQL, or one SQLite file on one machine). Each claims a
piece of work by writing its own name and a lease's end on the row, in one conditional UPDATE that only a
free row (never claimed, or its lease over) passes: two processes cannot both win it, on either engine.
The claimant releases the row when done; a process that dies holding a claim loses it when the lease
ends, and another takes the work over. No coordinator of our own, and no clock but the database rows'.

A claim is about efficiency for polls (a feed polled twice in one interval stores nothing twice: items
and announcements are unique rows) and about exactly-once for sends: an announcement is sent only by the
process that holds its claim, and one that finds a lapsed claim resends it flagged "maybe sent", so the
announcer looks for the first copy before posting another.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import TYPE_CHECKING

from bot.store.feed_state import FEED_COLUMNS, FOLLOWED, feed_from_row
from bot.store.times import iso

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from bot.store import Store
    from bot.store.feed_state import FeedState


def process_name() -> str:
    """This process's name in claims: where it runs, and a part that differs after every restart (a
    restarted process must not take its dead predecessor's claims for its own)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


FREE = "(lease_until IS NULL OR lease_until <= ?)"

# The inner query picks due feeds; the outer condition repeats the lease test on the row itself, so that on
# PostgreSQL an UPDATE that waited for another's lock re-checks the row as that one left it (READ
# COMMITTED) and skips it. SKIP LOCKED (PostgreSQL) spares the wait: a row being claimed is simply left.
CLAIM_DUE_FEEDS = f"""
UPDATE feeds SET lease_owner = ?, lease_until = ?
WHERE id IN (
    SELECT f.id FROM feeds f
    WHERE f.paused = 0 AND f.next_check <= ? AND {FOLLOWED} AND (f.lease_until IS NULL OR f.lease_until <= ?)
    ORDER BY f.next_check LIMIT ? {{lock}}
) AND {FREE}
RETURNING id
"""

CLAIM_ANNOUNCEMENT = f"""
UPDATE announcements SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
WHERE id = ? AND state = 'pending' AND {FREE}
RETURNING attempts
"""


class Leases:
    _store: Store

    async def claim_due_feeds(
        self, now: datetime, *, owner: str, lease: timedelta, limit: int = 1000
    ) -> list[FeedState]:
        """The due feeds this process now holds, for `lease`: those no other process holds."""
        lock = "FOR UPDATE OF f SKIP LOCKED" if self._store.engine.name == "postgresql" else ""
        async with self._store.transaction() as conn:
            claimed = await conn.fetch_all(
                CLAIM_DUE_FEEDS.format(lock=lock),
                (owner, iso(now + lease), iso(now), iso(now), limit, iso(now)),
            )
            if not claimed:
                return []
            ids = [int(row[0]) for row in claimed]
            rows = await conn.fetch_all(
                f"SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id IN ({','.join('?' * len(ids))})"
                " ORDER BY f.next_check",
                ids,
            )
        return [feed_from_row(row) for row in rows]

    async def release_feed(self, feed_id: int, *, owner: str) -> None:
        """The poll is over (its outcome recorded): the feed is free for whoever's turn is next."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
                (feed_id, owner),
            )

    async def claim_announcement(
        self, announcement_id: int, *, owner: str, now: datetime, lease: timedelta
    ) -> int | None:
        """Claim the send, counting the attempt, committed before the message goes out; the attempts so far
        (more than one: an earlier send may have gone out), or None when it is not this process's to send
        (another holds it, or it is no longer pending)."""
        async with self._store.transaction() as conn:
            row = await conn.fetch_one(
                CLAIM_ANNOUNCEMENT, (owner, iso(now + lease), announcement_id, iso(now))
            )
        return int(row[0]) if row else None
