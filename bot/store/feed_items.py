"""What each followed feed has listed (the `feed_items` table): how the poller tells a new episode from one
it has seen, and which items still wait for their chapter and transcript files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.identity import is_derived_key
from bot.store.times import iso

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store import Store
    from bot.store.db import Connection


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


UPSERT_ITEM = """
INSERT INTO feed_items (feed_id, item_key, title_key, audio_url, published, fingerprint, episode_id, first_seen,
                        files_pending, file_tries, file_error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (feed_id, item_key) DO UPDATE SET
    title_key = excluded.title_key, audio_url = excluded.audio_url, published = excluded.published,
    fingerprint = excluded.fingerprint, episode_id = COALESCE(excluded.episode_id, feed_items.episode_id),
    files_pending = excluded.files_pending, file_tries = excluded.file_tries, file_error = excluded.file_error
"""


async def remember_items(
    conn: Connection, feed_id: int, items: Sequence[ItemRecord], *, now: datetime
) -> None:
    await conn.executemany(
        UPSERT_ITEM,
        [
            (
                feed_id,
                i.item_key,
                i.title_key,
                i.audio_url,
                iso(i.published) if i.published else None,
                i.fingerprint,
                i.episode_id,
                iso(now),
                int(i.files_pending),
                i.file_tries,
                i.file_error,
            )
            for i in items
        ],
    )


class FeedItems:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def has_pending_files(self, feed_id: int) -> bool:
        row = await self._store.reader.fetch_one(
            "SELECT 1 FROM feed_items WHERE feed_id = ? AND files_pending = 1 LIMIT 1", (feed_id,)
        )
        return row is not None

    async def item_index(self, feed_id: int, *, now: datetime) -> ItemIndex:
        rows = await self._store.reader.fetch_all(
            "SELECT item_key, fingerprint, files_pending, file_tries, title_key, audio_url, published"
            " FROM feed_items WHERE feed_id = ?",
            (feed_id,),
        )
        dates = [moment for r in rows if r[6] and (moment := datetime.fromisoformat(r[6])) <= now]
        return ItemIndex(
            items={r[0]: KnownItem(r[1], bool(r[2]), int(r[3])) for r in rows},
            audio_urls=frozenset(r[5] for r in rows if r[5]),
            titles=frozenset(r[4] for r in rows),
            derived_titles=frozenset(r[4] for r in rows if is_derived_key(r[0])),
            titles_with_dates=frozenset((r[4], r[6]) for r in rows),
            newest_published=max(dates, default=None),
        )
