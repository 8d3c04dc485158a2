"""Copying a whole store into a new one, on either engine (`podbot store copy SRC DEST`): SQLite into
PostgreSQL to move up, and back.

Every table's rows go across with their ids (announcements, subscriptions and feed items refer to them), in
an order that satisfies the foreign keys, in one transaction of the destination: a copy is all there or
not at all. The destination's own machinery builds its search indexes as the rows arrive (SQLite's FTS5
triggers; PostgreSQL's generated columns), but for PostgreSQL's transcript words and pairs, which are
written here with the segments (bot.store.pg_segments). Then the two are compared: row counts of every
table, and the episodes as the catalog reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.store.errors import StoreError

if TYPE_CHECKING:
    from bot.store import Store

# Each table with the columns it holds (every column: tests/test_store_copy.py checks this against the
# schema) and the key that orders it for reading in batches. Parents before children.
TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "shows",
        (
            "id", "key", "title", "description", "link", "artwork", "feed_url", "origin", "source", "added_at",
            "last_read_at", "generation", "podcast_guid", "apple_id",
        ),
        "id",
    ),
    ("people", ("id", "name", "name_key"), "id"),
    (
        "episodes",
        (
            "id", "show_id", "guid", "title", "title_key", "show_notes", "duration_s", "published",
            "source_order", "link", "audio_url", "artwork", "chapters_url", "people_hash", "chapters_hash",
            "segments_hash", "added_at", "updated_at", "segment_count", "speakers",
        ),
        "id",
    ),
    ("episode_people", ("episode_id", "person_id", "role", "position", "image", "href"), "episode_id, person_id"),
    ("chapters", ("id", "episode_id", "position", "start_s", "end_s", "title", "url", "toc"), "id"),
    ("segments", ("id", "episode_id", "position", "start_s", "speaker", "text", "cue_times"), "id"),
    ("transcript_refs", ("episode_id", "url", "mime_type", "language", "rel"), "episode_id, url"),
    (
        "feeds",
        (
            "id", "url", "title", "etag", "last_modified", "body_hash", "baseline_at", "next_check",
            "last_check", "last_success", "failures", "failing_since", "last_error", "warned", "paused",
            "created_at", "shared_guids", "lease_owner", "lease_until",
        ),
        "id",
    ),
    (
        "subscriptions",
        (
            "id", "guild_id", "channel_id", "feed_id", "role_id", "created_at", "last_error", "last_error_at",
            "last_sent_at", "template", "thread", "include_words", "exclude_words",
        ),
        "id",
    ),
    (
        "feed_items",
        (
            "feed_id", "item_key", "title_key", "audio_url", "published", "fingerprint", "episode_id",
            "first_seen", "files_pending", "file_tries", "file_error",
        ),
        "feed_id, item_key",
    ),
    (
        "announcements",
        (
            "id", "subscription_id", "item_key", "episode_id", "nonce", "state", "attempts", "position",
            "message_id", "last_error", "created_at", "sent_at", "lease_owner", "lease_until",
        ),
        "id",
    ),
    ("server_shows", ("guild_id", "show_id", "added_by", "added_at"), "guild_id, show_id"),
)  # fmt: skip
# Tables whose ids PostgreSQL hands out from an identity sequence: moved past the copied ids afterwards.
IDENTITY_TABLES = (
    "shows",
    "people",
    "episodes",
    "chapters",
    "segments",
    "feeds",
    "subscriptions",
    "announcements",
)
BATCH = 2_000
# Episodes compared as the catalog reads them (people, chapters, segments and all), after the counts.
SAMPLE = 25


@dataclass(slots=True)
class CopyReport:
    # Rows copied per table, in copy order.
    rows: dict[str, int] = field(default_factory=dict)
    sampled: int = 0


async def copy_store(source: Store, dest: Store) -> CopyReport:
    """Copy everything in `source` into `dest`, which must hold nothing yet; StoreError if it does, or if
    the two differ afterwards."""
    for table in ("shows", "feeds", "server_shows"):
        row = await dest.reader.fetch_one(f"SELECT count(*) FROM {table}")
        if row is not None and row[0]:
            raise StoreError(f"{dest.location} already holds a store; copy into a new, empty one")
    report = CopyReport()
    async with dest.transaction() as conn:
        for table, columns, key in TABLES:
            listed = ", ".join(columns)
            # Segments go through the engine's writer: PostgreSQL's words and pairs are the store's to
            # make (migration postgres/006).
            segments = dest.engine.segment_writer(columns) if table == "segments" else None
            copied = 0
            while True:
                batch = await source.reader.fetch_all(
                    f"SELECT {listed} FROM {table} ORDER BY {key} LIMIT ? OFFSET ?", (BATCH, copied)
                )
                if not batch:
                    break
                if segments is not None:
                    await segments.copy(conn, columns, batch)
                else:
                    await conn.insert_rows(table, columns, batch)
                copied += len(batch)
            report.rows[table] = copied
        generation = await source.reader.fetch_one("SELECT generation FROM catalog_state")
        await conn.execute("UPDATE catalog_state SET generation = ?", (generation[0] if generation else 0,))
        if dest.engine.name == "postgresql":
            for table in IDENTITY_TABLES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
    report.sampled = await _verify(source, dest, report)
    return report


async def _verify(source: Store, dest: Store, report: CopyReport) -> int:
    for table, _, _ in TABLES:
        row = await dest.reader.fetch_one(f"SELECT count(*) FROM {table}")
        if row is None or row[0] != report.rows[table]:
            raise StoreError(f"the copy in {dest.location} lacks rows of {table}; it is not to be used")
    ids = [e.id for e in await source.catalog.episodes(limit=SAMPLE)]
    for episode_id in ids:
        theirs = await source.catalog.get(episode_id, with_segments=True)
        ours = await dest.catalog.get(episode_id, with_segments=True)
        if ours != theirs:
            raise StoreError(f"episode {episode_id} reads back differently from {dest.location}")
    if await source.shows.all() != await dest.shows.all():
        raise StoreError(f"the shows read back differently from {dest.location}")
    return len(ids)
