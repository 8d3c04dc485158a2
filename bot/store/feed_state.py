"""Each followed feed's poll state (the `feeds` table): which feeds are due, their validators, their failures.

A feed row exists while some channel follows it (bot.store.subscriptions adds and drops it); the poller
moves its schedule on after every check, good or bad.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.store.times import iso, when

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store import Store
    from bot.store.db import Connection


@dataclass(frozen=True, slots=True)
class FeedState:
    id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    baseline_at: datetime | None
    next_check: datetime
    last_check: datetime | None
    last_success: datetime | None
    failures: int
    failing_since: datetime | None
    last_error: str | None
    warned: bool
    paused: bool
    # What the last read found about GUIDs shared by several items (bot.feeds.source.shared_guid_notice).
    shared_guids: str | None = None


@dataclass(frozen=True, slots=True)
class PollSuccess:
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    title: str | None
    next_check: datetime
    # The feed's shared-GUID notice: None when the body was not read (304: the last one stands), "" for none.
    shared_guids: str | None = None


FEED_COLUMNS = (
    "f.id, f.url, f.title, f.etag, f.last_modified, f.body_hash, f.baseline_at, f.next_check, f.last_check,"
    " f.last_success, f.failures, f.failing_since, f.last_error, f.warned, f.paused, f.shared_guids"
)

INSERT_FEED = """
INSERT INTO feeds (url, next_check, created_at) VALUES (?, ?, ?)
ON CONFLICT (url) DO UPDATE SET
    -- Following a paused feed again is how a server manager resumes it: check it now, from a clean slate.
    -- A feed that is failing but not paused keeps its count and its warning: following it again (another
    -- channel, a new role) must not warn its channels a second time. A good poll clears both.
    paused = 0, warned = CASE WHEN feeds.paused = 1 THEN 0 ELSE feeds.warned END,
    failures = CASE WHEN feeds.paused = 1 THEN 0 ELSE feeds.failures END,
    next_check = CASE WHEN feeds.paused = 1 OR feeds.baseline_at IS NULL THEN excluded.next_check
                      ELSE feeds.next_check END
RETURNING id
"""

# A feed is followed while a channel announces it, or while some server has its show among its shows
# (/show add): then it is polled, so the show stays current, and announced nowhere.
FOLLOWED = """(
    EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id)
    OR EXISTS (SELECT 1 FROM shows sh JOIN server_shows ss ON ss.show_id = sh.id WHERE sh.feed_url = f.url)
)"""

SELECT_DUE_FEEDS = f"""
SELECT {FEED_COLUMNS} FROM feeds f
WHERE f.paused = 0 AND f.next_check <= ? AND {FOLLOWED}
ORDER BY f.next_check LIMIT ?
"""

RECORD_SUCCESS = """
UPDATE feeds SET etag = ?, last_modified = ?, body_hash = COALESCE(?, body_hash), title = COALESCE(?, title),
    baseline_at = COALESCE(baseline_at, ?), next_check = ?, last_check = ?, last_success = ?,
    failures = 0, failing_since = NULL, last_error = NULL, warned = 0,
    shared_guids = NULLIF(COALESCE(?, shared_guids), '')
WHERE id = ?
"""

RECORD_FAILURE = """
UPDATE feeds SET failures = failures + 1, failing_since = COALESCE(failing_since, ?), last_error = ?,
    last_check = ?, next_check = ?
WHERE id = ?
RETURNING failures, warned, paused
"""


def feed_from_row(row: Sequence[Any], start: int = 0) -> FeedState:
    """The FeedState in `row` from column `start` on, in FEED_COLUMNS order."""
    r = row[start:]
    return FeedState(
        id=int(r[0]),
        url=r[1],
        title=r[2],
        etag=r[3],
        last_modified=r[4],
        body_hash=r[5],
        baseline_at=when(r[6]),
        next_check=datetime.fromisoformat(r[7]),
        last_check=when(r[8]),
        last_success=when(r[9]),
        failures=int(r[10]),
        failing_since=when(r[11]),
        last_error=r[12],
        warned=bool(r[13]),
        paused=bool(r[14]),
        shared_guids=r[15],
    )


async def add_feed(conn: Connection, url: str, *, now: datetime) -> int:
    """The id of the feed at `url`, added if new; a paused feed resumes and is checked now."""
    row = await conn.fetch_one(INSERT_FEED, (url, iso(now), iso(now)))
    assert row is not None  # RETURNING always returns the row
    return int(row[0])


async def drop_unfollowed_feeds(conn: Connection) -> None:
    """A feed nobody follows any more goes, with what it listed: following it again starts afresh."""
    await conn.execute(f"DELETE FROM feeds AS f WHERE NOT {FOLLOWED}")


async def record_success(conn: Connection, feed_id: int, success: PollSuccess, *, now: datetime) -> None:
    """A good poll: new validators and schedule, failures cleared, the baseline set by the first one."""
    await conn.execute(
        RECORD_SUCCESS,
        (
            success.etag,
            success.last_modified,
            success.body_hash,
            success.title,
            iso(now),
            iso(success.next_check),
            iso(now),
            iso(now),
            success.shared_guids,
            feed_id,
        ),
    )


class FeedStates:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def due_feeds(self, now: datetime, *, limit: int = 1000) -> list[FeedState]:
        """Feeds to check now: not paused, followed somewhere, and their time has come."""
        rows = await self._store.reader.fetch_all(SELECT_DUE_FEEDS, (iso(now), limit))
        return [feed_from_row(row) for row in rows]

    async def next_due(self) -> datetime | None:
        row = await self._store.reader.fetch_one(
            # A feed another process is polling is due again when its lease ends, at the earliest.
            "SELECT min(CASE WHEN lease_until > next_check THEN lease_until ELSE next_check END)"
            f" FROM feeds f WHERE paused = 0 AND {FOLLOWED}"
        )
        return when(row[0]) if row else None

    async def feed(self, feed_id: int) -> FeedState | None:
        row = await self._store.reader.fetch_one(
            f"SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = ?", (feed_id,)
        )
        return feed_from_row(row) if row else None

    async def record_failure(
        self, feed_id: int, error: str, *, next_check: datetime, now: datetime, warn_at: int, pause_at: int
    ) -> tuple[int, bool, bool]:
        """Count a failed poll; returns (failures, warn now, paused now). The warning is claimed here, in the
        same transaction, so it is posted at most once however often the feed fails afterwards."""
        async with self._store.transaction() as conn:
            row = await conn.fetch_one(RECORD_FAILURE, (iso(now), error, iso(now), iso(next_check), feed_id))
            if row is None:
                return 0, False, False
            failures, warned, paused = int(row[0]), bool(row[1]), bool(row[2])
            warn_now = failures >= warn_at and not warned
            pause_now = failures >= pause_at and not paused
            if warn_now or pause_now:
                await conn.execute(
                    "UPDATE feeds SET warned = CASE WHEN ? = 1 THEN 1 ELSE warned END,"
                    " paused = CASE WHEN ? = 1 THEN 1 ELSE paused END WHERE id = ?",
                    (int(warn_now), int(pause_now), feed_id),
                )
        return failures, warn_now, pause_now
