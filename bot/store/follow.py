"""Followed feeds, channel subscriptions, the items each feed has listed, and announcements.

The SQL behind bot.feeds: which feeds are due, what a feed listed before, recording a poll and the
announcements it creates in one transaction, and each announcement's delivery state. Times are passed in
(the poller owns the clock) and stored as ISO 8601 UTC.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.ingest.keys import is_derived_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    import aiosqlite

    from bot.store import Store


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def announcement_nonce(subscription_id: int, item_key: str) -> str:
    """The same announcement always gets the same nonce (Discord allows 25 characters)."""
    return "pb" + hashlib.sha256(f"{subscription_id}\x1f{item_key}".encode()).hexdigest()[:23]


# --- what callers get back ------------------------------------------------------------------------------


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
class Subscription:
    id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    feed: FeedState
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class KnownItem:
    fingerprint: str
    files_pending: bool
    file_tries: int


@dataclass(frozen=True, slots=True)
class ItemIndex:
    """What a feed listed before: by key, plus what recognises an item that comes back under a new key."""

    items: dict[str, KnownItem]
    audio_urls: frozenset[str]
    titles: frozenset[str]
    # Titles of items known only by a derived key: a real GUID may later arrive for the same episode.
    derived_titles: frozenset[str]
    titles_with_dates: frozenset[tuple[str, str | None]]
    # The newest date not after the poll: an item dated in the future (a trailer, a year typo) is no
    # measure of what is old.
    newest_published: datetime | None


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One item of a poll, as it is to be remembered."""

    item_key: str
    title_key: str
    audio_url: str | None
    published: datetime | None
    fingerprint: str
    episode_id: int | None
    files_pending: bool = False
    file_tries: int = 0
    file_error: str | None = None


@dataclass(frozen=True, slots=True)
class PollSuccess:
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    title: str | None
    next_check: datetime
    # The feed's shared-GUID notice: None when the body was not read (304: the last one stands), "" for none.
    shared_guids: str | None = None


@dataclass(frozen=True, slots=True)
class PendingAnnouncement:
    id: int
    subscription_id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    episode_id: int | None
    nonce: str
    attempts: int
    created_at: datetime
    feed_title: str | None


# --- SQL ------------------------------------------------------------------------------------------------

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
    paused = 0, warned = CASE WHEN feeds.paused THEN 0 ELSE feeds.warned END,
    failures = CASE WHEN feeds.paused THEN 0 ELSE feeds.failures END,
    next_check = CASE WHEN feeds.paused OR feeds.baseline_at IS NULL THEN excluded.next_check
                      ELSE feeds.next_check END
RETURNING id
"""

UPSERT_SUBSCRIPTION = """
INSERT INTO subscriptions (guild_id, channel_id, feed_id, role_id, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (channel_id, feed_id) DO UPDATE SET role_id = excluded.role_id, last_error = NULL,
    last_error_at = NULL
RETURNING id
"""

SELECT_SUBSCRIPTIONS = f"""
SELECT s.id, s.guild_id, s.channel_id, s.role_id, s.last_error, s.last_error_at, s.last_sent_at, {FEED_COLUMNS}
FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
"""

SELECT_DUE_FEEDS = f"""
SELECT {FEED_COLUMNS} FROM feeds f
WHERE f.paused = 0 AND f.next_check <= ? AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id)
ORDER BY f.next_check LIMIT ?
"""

UPSERT_ITEM = """
INSERT INTO feed_items (feed_id, item_key, title_key, audio_url, published, fingerprint, episode_id, first_seen,
                        files_pending, file_tries, file_error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (feed_id, item_key) DO UPDATE SET
    title_key = excluded.title_key, audio_url = excluded.audio_url, published = excluded.published,
    fingerprint = excluded.fingerprint, episode_id = COALESCE(excluded.episode_id, feed_items.episode_id),
    files_pending = excluded.files_pending, file_tries = excluded.file_tries, file_error = excluded.file_error
"""

# One announcement per subscription that exists now; a subscription added later never gets this item.
INSERT_ANNOUNCEMENTS = """
INSERT OR IGNORE INTO announcements (subscription_id, item_key, episode_id, nonce, position, created_at)
VALUES (?, ?, ?, ?, ?, ?)
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

SELECT_PENDING = """
SELECT a.id, a.subscription_id, s.guild_id, s.channel_id, s.role_id, a.episode_id, a.nonce, a.attempts,
       a.created_at, f.title
FROM announcements a
JOIN subscriptions s ON s.id = a.subscription_id
JOIN feeds f ON f.id = s.feed_id
WHERE a.state = 'pending'
ORDER BY a.subscription_id, a.created_at, a.position
"""


def _feed(row: Sequence[Any], start: int = 0) -> FeedState:
    r = row[start:]
    return FeedState(
        id=int(r[0]),
        url=r[1],
        title=r[2],
        etag=r[3],
        last_modified=r[4],
        body_hash=r[5],
        baseline_at=_when(r[6]),
        next_check=datetime.fromisoformat(r[7]),
        last_check=_when(r[8]),
        last_success=_when(r[9]),
        failures=int(r[10]),
        failing_since=_when(r[11]),
        last_error=r[12],
        warned=bool(r[13]),
        paused=bool(r[14]),
        shared_guids=r[15],
    )


def _subscription(row: Sequence[Any]) -> Subscription:
    return Subscription(
        id=int(row[0]),
        guild_id=int(row[1]),
        channel_id=int(row[2]),
        role_id=row[3],
        last_error=row[4],
        last_error_at=_when(row[5]),
        last_sent_at=_when(row[6]),
        feed=_feed(row, 7),
    )


class Follows:
    def __init__(self, store: Store) -> None:
        self._store = store

    # --- subscriptions ----------------------------------------------------------------------------------

    async def subscribe(
        self, *, guild_id: int, channel_id: int, feed_url: str, role_id: int | None, now: datetime
    ) -> Subscription:
        """Follow `feed_url` in a channel (or change its role). A paused feed resumes and is checked now."""
        async with self._store.transaction() as conn:
            async with conn.execute(INSERT_FEED, (feed_url, _iso(now), _iso(now))) as cursor:
                feed_id = int((await cursor.fetchone())[0])  # type: ignore[index]
            async with conn.execute(
                UPSERT_SUBSCRIPTION, (guild_id, channel_id, feed_id, role_id, _iso(now))
            ) as cursor:
                subscription_id = int((await cursor.fetchone())[0])  # type: ignore[index]
            rows = await self._select(conn, " WHERE s.id = ?", (subscription_id,))
        return rows[0]

    async def unsubscribe(self, *, guild_id: int, channel_id: int | None = None) -> int:
        """Stop announcing in one channel of a guild, or in all of them; returns how many were removed.

        A feed nobody follows any more is dropped with what it listed: following it again starts afresh.
        """
        async with self._store.transaction() as conn:
            sql = "DELETE FROM subscriptions WHERE guild_id = ?"
            params: tuple[Any, ...] = (guild_id,)
            if channel_id is not None:
                sql += " AND channel_id = ?"
                params += (channel_id,)
            cursor = await conn.execute(sql, params)
            removed = cursor.rowcount
            await conn.execute(
                "DELETE FROM feeds WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = feeds.id)"
            )
        return removed

    async def subscriptions(
        self, *, guild_id: int | None = None, feed_id: int | None = None
    ) -> list[Subscription]:
        where, params = [], []
        if guild_id is not None:
            where.append("s.guild_id = ?")
            params.append(guild_id)
        if feed_id is not None:
            where.append("s.feed_id = ?")
            params.append(feed_id)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        return await self._select(
            self._store.reader, clause + " ORDER BY s.guild_id, s.channel_id", tuple(params)
        )

    async def _select(
        self, conn: aiosqlite.Connection, clause: str, params: tuple[Any, ...]
    ) -> list[Subscription]:
        async with conn.execute(SELECT_SUBSCRIPTIONS + clause, params) as cursor:
            return [_subscription(row) for row in await cursor.fetchall()]

    # --- polling ----------------------------------------------------------------------------------------

    async def due_feeds(self, now: datetime, *, limit: int = 1000) -> list[FeedState]:
        """Feeds to check now: not paused, followed somewhere, and their time has come."""
        async with self._store.reader.execute(SELECT_DUE_FEEDS, (_iso(now), limit)) as cursor:
            return [_feed(row) for row in await cursor.fetchall()]

    async def next_due(self) -> datetime | None:
        async with self._store.reader.execute(
            "SELECT min(next_check) FROM feeds f WHERE paused = 0"
            " AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id)"
        ) as cursor:
            row = await cursor.fetchone()
        return _when(row[0]) if row else None

    async def feed(self, feed_id: int) -> FeedState | None:
        async with self._store.reader.execute(
            f"SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = ?", (feed_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _feed(row) if row else None

    async def has_pending_files(self, feed_id: int) -> bool:
        async with self._store.reader.execute(
            "SELECT 1 FROM feed_items WHERE feed_id = ? AND files_pending = 1 LIMIT 1", (feed_id,)
        ) as cursor:
            return await cursor.fetchone() is not None

    async def item_index(self, feed_id: int, *, now: datetime) -> ItemIndex:
        async with self._store.reader.execute(
            "SELECT item_key, fingerprint, files_pending, file_tries, title_key, audio_url, published"
            " FROM feed_items WHERE feed_id = ?",
            (feed_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        dates = [moment for r in rows if r[6] and (moment := datetime.fromisoformat(r[6])) <= now]
        return ItemIndex(
            items={r[0]: KnownItem(r[1], bool(r[2]), int(r[3])) for r in rows},
            audio_urls=frozenset(r[5] for r in rows if r[5]),
            titles=frozenset(r[4] for r in rows),
            derived_titles=frozenset(r[4] for r in rows if is_derived_key(r[0])),
            titles_with_dates=frozenset((r[4], r[6]) for r in rows),
            newest_published=max(dates, default=None),
        )

    async def record_poll(
        self,
        feed_id: int,
        success: PollSuccess,
        items: Sequence[ItemRecord],
        announce: Sequence[ItemRecord],
        *,
        now: datetime,
    ) -> int:
        """Remember a good poll: its items, an announcement per subscription for each of `announce` (oldest
        first), and the feed's new state, all in one transaction. Returns the announcements created."""
        created = 0
        async with self._store.transaction() as conn:
            await conn.executemany(
                UPSERT_ITEM,
                [
                    (
                        feed_id,
                        i.item_key,
                        i.title_key,
                        i.audio_url,
                        _iso(i.published) if i.published else None,
                        i.fingerprint,
                        i.episode_id,
                        _iso(now),
                        int(i.files_pending),
                        i.file_tries,
                        i.file_error,
                    )
                    for i in items
                ],
            )
            if announce:
                async with conn.execute(
                    "SELECT id FROM subscriptions WHERE feed_id = ?", (feed_id,)
                ) as cursor:
                    subscription_ids = [int(r[0]) for r in await cursor.fetchall()]
                rows = [
                    (
                        sid,
                        item.item_key,
                        item.episode_id,
                        announcement_nonce(sid, item.item_key),
                        position,
                        _iso(now),
                    )
                    for sid in subscription_ids
                    for position, item in enumerate(announce)
                ]
                cursor = await conn.executemany(INSERT_ANNOUNCEMENTS, rows)
                created = cursor.rowcount
            await conn.execute(
                RECORD_SUCCESS,
                (
                    success.etag,
                    success.last_modified,
                    success.body_hash,
                    success.title,
                    _iso(now),
                    _iso(success.next_check),
                    _iso(now),
                    _iso(now),
                    success.shared_guids,
                    feed_id,
                ),
            )
        return created

    async def record_unchanged(self, feed_id: int, success: PollSuccess, *, now: datetime) -> None:
        """A 304, or the same body as last time: only the schedule and the validators change."""
        await self.record_poll(feed_id, success, (), (), now=now)

    async def record_failure(
        self, feed_id: int, error: str, *, next_check: datetime, now: datetime, warn_at: int, pause_at: int
    ) -> tuple[int, bool, bool]:
        """Count a failed poll; returns (failures, warn now, paused now). The warning is claimed here, in the
        same transaction, so it is posted at most once however often the feed fails afterwards."""
        async with self._store.transaction() as conn:
            async with conn.execute(
                RECORD_FAILURE, (_iso(now), error, _iso(now), _iso(next_check), feed_id)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return 0, False, False
            failures, warned, paused = int(row[0]), bool(row[1]), bool(row[2])
            warn_now = failures >= warn_at and not warned
            pause_now = failures >= pause_at and not paused
            if warn_now or pause_now:
                await conn.execute(
                    "UPDATE feeds SET warned = warned OR ?, paused = paused OR ? WHERE id = ?",
                    (int(warn_now), int(pause_now), feed_id),
                )
        return failures, warn_now, pause_now

    # --- announcements ----------------------------------------------------------------------------------

    async def pending_announcements(self) -> list[PendingAnnouncement]:
        """Every announcement not yet delivered, per subscription in the order they are to be posted."""
        async with self._store.reader.execute(SELECT_PENDING) as cursor:
            rows = await cursor.fetchall()
        return [
            PendingAnnouncement(
                id=int(r[0]),
                subscription_id=int(r[1]),
                guild_id=int(r[2]),
                channel_id=int(r[3]),
                role_id=r[4],
                episode_id=r[5],
                nonce=r[6],
                attempts=int(r[7]),
                created_at=datetime.fromisoformat(r[8]),
                feed_title=r[9],
            )
            for r in rows
        ]

    async def start_attempt(self, announcement_id: int) -> None:
        """Committed before the message is sent: after a crash, attempts > 0 says it may have gone out."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE announcements SET attempts = attempts + 1 WHERE id = ?", (announcement_id,)
            )

    async def mark_sent(self, announcement_id: int, message_id: int | None, *, now: datetime) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE announcements SET state = 'sent', message_id = ?, sent_at = ?, last_error = NULL WHERE id = ?",
                (message_id, _iso(now), announcement_id),
            )
            await conn.execute(
                "UPDATE subscriptions SET last_sent_at = ?, last_error = NULL, last_error_at = NULL"
                " WHERE id = (SELECT subscription_id FROM announcements WHERE id = ?)",
                (_iso(now), announcement_id),
            )

    async def mark_failed(self, announcement_id: int, error: str, *, now: datetime, final: bool) -> None:
        """Record a failed delivery on the announcement and its subscription (where /announce status shows
        it); `final` gives the announcement up, otherwise it is tried again on the next cycle."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE announcements SET last_error = ?, state = CASE WHEN ? THEN 'failed' ELSE state END"
                " WHERE id = ?",
                (error, int(final), announcement_id),
            )
            await conn.execute(
                "UPDATE subscriptions SET last_error = ?, last_error_at = ?"
                " WHERE id = (SELECT subscription_id FROM announcements WHERE id = ?)",
                (error, _iso(now), announcement_id),
            )

    async def set_subscription_error(self, subscription_id: int, error: str | None, *, now: datetime) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE subscriptions SET last_error = ?, last_error_at = ? WHERE id = ?",
                (error, _iso(now) if error else None, subscription_id),
            )
