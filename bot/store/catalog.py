"""Shows, episodes and what belongs to them: ingest (idempotent, atomic) and the reads built on it."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from bot.identity import derived_key, is_derived_key
from bot.models import Chapter, Episode, ParsedSource, Person, Role, Segment, Show, TranscriptRef
from bot.store import cue_times
from bot.store.scoped import TRUE, show_clause
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from bot.scope import Scope
    from bot.store import Store
    from bot.store.db import Connection, Row, SegmentWriter


@dataclass(frozen=True, slots=True)
class StoredEpisode:
    """An episode as the store holds it. `episode.segments` is filled only when asked for."""

    id: int
    show_title: str
    episode: Episode
    show_id: int = 0
    segment_count: int = 0
    # Table-of-contents chapters (Chapter.toc), counted also when `episode.chapters` was not read.
    toc_chapters: int = 0
    speakers: tuple[str, ...] = ()
    # How podcast apps know the episode's show (Show.podcast_guid, Show.apple_id), for listen links.
    show_guid: str | None = None
    show_apple_id: int | None = None


@dataclass(slots=True)
class IngestReport:
    source: str
    # The show the source filled (0 until the ingest ran).
    show_id: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Episode ids touched by this ingest, in source order, for callers that act on them (announcements).
    episode_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


# --- SQL -------------------------------------------------------------------------------------------------

UPSERT_SHOW = """
INSERT INTO shows (key, title, description, link, artwork, feed_url, origin, source, added_at, last_read_at,
                   podcast_guid, apple_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    title = excluded.title,
    -- The operator's ingest makes a show one of the instance's defaults; a server's never takes that away.
    origin = CASE WHEN excluded.origin = 'operator' THEN 'operator' ELSE shows.origin END,
    source = COALESCE(excluded.source, shows.source),
    added_at = COALESCE(shows.added_at, excluded.added_at),
    last_read_at = excluded.last_read_at,
    description = CASE WHEN excluded.description != '' THEN excluded.description ELSE shows.description END,
    link = COALESCE(excluded.link, shows.link),
    artwork = COALESCE(excluded.artwork, shows.artwork),
    feed_url = COALESCE(excluded.feed_url, shows.feed_url),
    podcast_guid = COALESCE(excluded.podcast_guid, shows.podcast_guid),
    apple_id = COALESCE(excluded.apple_id, shows.apple_id)
RETURNING id
"""

ADOPT_SHOW_KEY = "UPDATE shows SET key = ? WHERE key = ?"
# Tells processes that keep the catalog in memory that it changed (migration 005).
BUMP_GENERATION = "UPDATE catalog_state SET generation = generation + 1"
# And the show's own (migration 006): lookups rebuild only the indexes of shows whose generation moved.
BUMP_SHOW_GENERATION = "UPDATE shows SET generation = generation + 1 WHERE id = ?"

EPISODE_COLUMNS = "title, title_key, show_notes, duration_s, published, source_order, link, audio_url, artwork, chapters_url"

FIND_EPISODE_BY_GUID = f"""
SELECT id, guid, {EPISODE_COLUMNS}, people_hash, chapters_hash, segments_hash
FROM episodes WHERE show_id = ? AND guid = ?
"""

FIND_EPISODES_BY_TITLE_KEY = f"""
SELECT id, guid, {EPISODE_COLUMNS}, people_hash, chapters_hash, segments_hash
FROM episodes WHERE show_id = ? AND title_key = ? ORDER BY id
"""

INSERT_EPISODE = f"""
INSERT INTO episodes (show_id, guid, {EPISODE_COLUMNS}, added_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
"""

UPDATE_EPISODE = """
UPDATE episodes SET guid = ?, title = ?, title_key = ?, show_notes = ?, duration_s = ?, published = ?,
    source_order = ?, link = ?, audio_url = ?, artwork = ?, chapters_url = ?, updated_at = ?
WHERE id = ?
"""

UPSERT_PERSON = """
INSERT INTO people (name, name_key) VALUES (?, ?)
ON CONFLICT (name_key) DO UPDATE SET name = people.name
RETURNING id
"""

SELECT_EPISODE_PEOPLE = """
SELECT p.name, ep.role, ep.image, ep.href FROM episode_people ep JOIN people p ON p.id = ep.person_id
WHERE ep.episode_id = ? ORDER BY ep.position
"""

SELECT_EPISODES = """
SELECT e.id, s.title, e.show_id, e.guid, e.title, e.show_notes, e.duration_s, e.published, e.source_order, e.link,
       e.audio_url, COALESCE(e.artwork, s.artwork), e.chapters_url,
       e.segment_count, s.podcast_guid, s.apple_id, e.speakers
FROM episodes e JOIN shows s ON s.id = e.show_id
"""

# A LIMIT that limits nothing, valid on both engines (a 64-bit integer).
NO_LIMIT = 2**62

SEGMENT_COLUMNS = ("episode_id", "position", "start_s", "speaker", "text", "cue_times")

# Newest first: dated episodes by date, then undated ones in their source's own (newest-first) order.
NEWEST_FIRST = " ORDER BY e.published IS NULL, e.published DESC, e.source_order, e.id DESC"


# --- hashing and merging --------------------------------------------------------------------------------


def _part_hash(items: Sequence[object]) -> str:
    # Frozen dataclasses have a deterministic repr; an empty part hashes to '' so "never provided" is visible.
    if not items:
        return ""
    return hashlib.sha256(repr(tuple(items)).encode()).hexdigest()[:32]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Role(value) through the enum's machinery costs microseconds; a listing reads one per person per episode.
_ROLES = {role.value: role for role in Role}


@functools.lru_cache(maxsize=1024)
def _speakers(summary: str) -> tuple[str, ...]:
    # The episodes of a show mostly share a cast, so a listing decodes the same few summaries thousands of
    # times (migration 012's JSON array).
    return tuple(json.loads(summary))


def _episode_row(ep: Episode) -> tuple[Any, ...]:
    return (
        ep.title,
        fold(ep.title),
        ep.show_notes,
        ep.duration_s,
        _iso(ep.published),
        ep.source_order,
        ep.link,
        ep.audio_url,
        ep.artwork,
        ep.chapters_url,
    )


# Positions in _episode_row.
_NOTES, _PUBLISHED, _SOURCE_ORDER = 2, 4, 5


def _merged_row(old: Sequence[Any], new: tuple[Any, ...]) -> tuple[Any, ...]:
    """A source that lacks a field (None or empty) keeps what the store already had: nothing is lost.

    Two sources of one episode must also not overwrite each other in turn (the page's full show notes,
    then a feed's two-line summary, then the page again): notes less than half as long as the stored ones
    are a summary, not an edit, and keep the stored notes; and a dated episode keeps its place in its
    first source's listing (the order only sorts undated episodes)."""
    merged = [n if n not in (None, "") else o for o, n in zip(old, new, strict=True)]
    if new[_NOTES] and old[_NOTES] and len(new[_NOTES]) * 2 < len(old[_NOTES]):
        merged[_NOTES] = old[_NOTES]
    if merged[_PUBLISHED] is not None:
        merged[_SOURCE_ORDER] = old[_SOURCE_ORDER]
    return tuple(merged)


def _merge_people(incoming: Sequence[Person], stored: Sequence[Person]) -> tuple[Person, ...]:
    """The source's people, in its order and with its roles, then anyone stored that it does not name.

    A stored first name that a source now gives in full ("Erik" -> "Erik Schluntz") is the same person.
    Pictures and links a source leaves out are kept from the stored entry.
    """
    stored_by_key = {fold(p.name): p for p in stored}
    full_names: dict[str, list[str]] = {}
    for key in stored_by_key:
        if " " in key:
            full_names.setdefault(key.split()[0], []).append(key)
    merged: dict[str, Person] = {}
    for person in incoming:
        key = fold(person.name)
        if " " not in key and len(full_names.get(key, [])) == 1:
            # The source says "Erik" where the store already knows him in full: keep the full name.
            key = full_names[key][0]
            person = replace(person, name=stored_by_key[key].name)
        if not key or key in merged:
            continue
        known = stored_by_key.get(key)
        if known is not None and (person.image is None or person.href is None):
            person = replace(person, image=person.image or known.image, href=person.href or known.href)
        merged[key] = person
    first_names = {key.split()[0] for key in merged if " " in key}
    for key, person in stored_by_key.items():
        if key in merged or (" " not in key and key in first_names):
            continue
        merged[key] = person
    return tuple(merged.values())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the catalog ----------------------------------------------------------------------------------------


class Catalog:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def ingest(
        self,
        source: ParsedSource,
        *,
        label: str = "",
        origin: Literal["operator", "server"] = "operator",
        location: str | None = None,
    ) -> IngestReport:
        """Store a parsed source in one transaction: all of it, or (on any error) none of it.

        `origin`: who asked for the show ("operator": the CLI and the bundled page, whose shows are the
        instance's defaults; "server": a server's /show add or a followed feed). `location`: where it was
        read from (a feed URL or a file path), shown in show listings.

        Episodes are matched by GUID, else by folded title when one side only has a derived key, so the
        same episode from the bundled page and from the feed is one row. Unchanged episodes are not written.
        """
        report = IngestReport(source=label or source.show.title)
        async with self._store.transaction() as conn:
            show = source.show
            key = await self._show_key(conn, show)
            now = _now()
            row = await conn.fetch_one(
                UPSERT_SHOW,
                (
                    key,
                    show.title,
                    show.description,
                    show.link,
                    show.artwork,
                    show.feed_url,
                    origin,
                    location or show.feed_url,
                    now,
                    now,
                    show.podcast_guid,
                    show.apple_id,
                ),
            )
            assert row is not None  # RETURNING always returns the row
            show_id = int(row[0])
            report.show_id = show_id
            # Each engine indexes segments its own way; PostgreSQL's wait for the end (one COPY).
            segments = self._store.engine.segment_writer(SEGMENT_COLUMNS)
            for episode in source.episodes:
                episode_id, outcome = await self._upsert_episode(conn, show_id, episode, segments)
                report.episode_ids.append(episode_id)
                getattr(report, outcome).append(episode.title)
            await segments.flush(conn)
            if report.changed:
                # In the same transaction: whoever sees the new generation sees these episodes.
                await conn.execute(BUMP_GENERATION)
                await conn.execute(BUMP_SHOW_GENERATION, (show_id,))
        return report

    async def _show_key(self, conn: Connection, show: Show) -> str:
        """The key to store `show` under, so that a page and the show's feed make one show, in either order.

        A page keys its show by title (a derived key), a feed by its URL. The first feed ingest takes over
        the page's show; a page ingested after the feed finds the feed's show by its title.
        """
        if await conn.fetch_one("SELECT 1 FROM shows WHERE key = ?", (show.key,)) is not None:
            return show.key
        title_key = derived_key("show", show.title)
        if not is_derived_key(show.key):
            await conn.execute(ADOPT_SHOW_KEY, (show.key, title_key))
            return show.key
        for key, title in await conn.fetch_all("SELECT key, title FROM shows"):
            if derived_key("show", title) == title_key:
                return str(key)
        return show.key

    async def _find(self, conn: Connection, show_id: int, ep: Episode) -> Row | None:
        row = await conn.fetch_one(FIND_EPISODE_BY_GUID, (show_id, ep.guid))
        if row is not None:
            return row
        candidates = await conn.fetch_all(FIND_EPISODES_BY_TITLE_KEY, (show_id, fold(ep.title)))
        for candidate in candidates:
            # Two different real GUIDs are two episodes, even with one title ("Bonus", "Trailer").
            if is_derived_key(ep.guid) or is_derived_key(candidate[1]):
                return candidate
        return None

    async def _upsert_episode(
        self, conn: Connection, show_id: int, ep: Episode, segments: SegmentWriter
    ) -> tuple[int, str]:
        row = _episode_row(ep)
        hashes = (_part_hash(ep.people), _part_hash(ep.chapters), _part_hash(ep.segments))
        existing = await self._find(conn, show_id, ep)
        if existing is None:
            now = _now()
            inserted = await conn.fetch_one(INSERT_EPISODE, (show_id, ep.guid, *row, now, now))
            assert inserted is not None  # RETURNING always returns the row
            episode_id = int(inserted[0])
            await self._replace_parts(
                conn, episode_id, ep, hashes, segments, old_hashes=("", "", ""), new=True
            )
            return episode_id, "added"

        episode_id = int(existing[0])
        if ep.people:
            # People merge rather than replace: a feed that lists only its hosts must not erase the guests
            # the page named for the same episode.
            ep = replace(ep, people=_merge_people(ep.people, await self._stored_people(conn, episode_id)))
            hashes = (_part_hash(ep.people), *hashes[1:])
        old_guid = existing[1]
        old_row = tuple(existing[2:12])
        old_hashes = tuple(existing[12:15])
        # A real GUID replaces a derived one; a derived key never replaces a real GUID.
        guid = ep.guid if is_derived_key(old_guid) and not is_derived_key(ep.guid) else old_guid
        merged = _merged_row(old_row, row)
        changed = guid != old_guid or merged != old_row
        if changed:
            await conn.execute(UPDATE_EPISODE, (guid, *merged, _now(), episode_id))
        changed |= await self._replace_parts(conn, episode_id, ep, hashes, segments, old_hashes=old_hashes)
        return episode_id, "updated" if changed else "unchanged"

    async def _stored_people(self, conn: Connection, episode_id: int) -> list[Person]:
        rows = await conn.fetch_all(SELECT_EPISODE_PEOPLE, (episode_id,))
        return [Person(name, Role(role), image, href) for name, role, image, href in rows]

    async def _replace_parts(
        self,
        conn: Connection,
        episode_id: int,
        ep: Episode,
        hashes: tuple[str, str, str],
        segments: SegmentWriter,
        *,
        old_hashes: Sequence[str],
        new: bool = False,
    ) -> bool:
        """Rewrite each part the source provides and that differs from what is stored; True if any did.

        `new`: the episode row was inserted just now, so it has no parts to delete yet. Each statement
        saved counts: a feed of 500 episodes is ten thousand of them. `segments`: the engine's writer of
        the transaction's segments."""
        people_hash, chapters_hash, segments_hash = hashes
        # The episode's own columns that change with its parts, written in one UPDATE at the end.
        columns: dict[str, object] = {}
        if people_hash and people_hash != old_hashes[0]:
            await self._write_people(conn, episode_id, ep.people, new=new)
            columns["people_hash"] = people_hash
        if chapters_hash and chapters_hash != old_hashes[1]:
            if not new:
                await conn.execute("DELETE FROM chapters WHERE episode_id = ?", (episode_id,))
            await conn.insert_rows(
                "chapters",
                ("episode_id", "position", "start_s", "end_s", "title", "url", "toc"),
                [
                    (episode_id, i, c.start_s, c.end_s, c.title, c.url, int(c.toc))
                    for i, c in enumerate(ep.chapters)
                ],
            )
            columns["chapters_hash"] = chapters_hash
        if segments_hash and segments_hash != old_hashes[2]:
            rows = [
                (episode_id, i, s.start_s, s.speaker, s.text, cue_times.encode(s.cues))
                for i, s in enumerate(ep.segments)
            ]
            await segments.replace(conn, episode_id, rows, new=new)
            # The listing's summary (migration 012), so that listing episodes reads no segment rows.
            speakers = json.dumps(
                list(dict.fromkeys(s.speaker for s in ep.segments if s.speaker is not None))
            )
            columns.update(segments_hash=segments_hash, segment_count=len(ep.segments), speakers=speakers)
        if columns:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            await conn.execute(
                f"UPDATE episodes SET {assignments} WHERE id = ?", (*columns.values(), episode_id)
            )
        if ep.transcript_urls:
            if not new:
                await conn.execute("DELETE FROM transcript_refs WHERE episode_id = ?", (episode_id,))
            await conn.executemany(
                "INSERT INTO transcript_refs (episode_id, url, mime_type, language, rel)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(episode_id, t.url, t.mime_type, t.language, t.rel) for t in ep.transcript_urls],
            )
        return bool(columns)

    async def _write_people(
        self, conn: Connection, episode_id: int, people: Iterable[Person], *, new: bool = False
    ) -> None:
        if not new:
            await conn.execute("DELETE FROM episode_people WHERE episode_id = ?", (episode_id,))
        seen: set[int] = set()
        for position, person in enumerate(people):
            key = fold(person.name)
            if not key:
                continue
            found = await conn.fetch_one(UPSERT_PERSON, (person.name, key))
            assert found is not None  # RETURNING always returns the row
            person_id = int(found[0])
            if person_id in seen:
                continue
            seen.add(person_id)
            await conn.execute(
                "INSERT INTO episode_people (episode_id, person_id, role, position, image, href)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (episode_id, person_id, person.role.value, position, person.image, person.href),
            )

    # --- reads ------------------------------------------------------------------------------------------

    async def count(self, scope: Scope | None = None) -> int:
        clause, params = show_clause(scope) if scope is not None else (TRUE, ())
        sql = f"SELECT count(*) FROM episodes e WHERE {clause}"
        row = await self._store.reader.fetch_one(sql, params)
        return int(row[0]) if row else 0

    async def episodes(
        self,
        *,
        scope: Scope | None = None,
        limit: int | None = None,
        offset: int = 0,
        with_chapters: bool = True,
    ) -> list[StoredEpisode]:
        """Every episode (of the scope's shows; of all without one), newest first, with people and
        chapters (not segments); `limit` and `offset` page through them in that order.

        Without `with_chapters`, as a listing shows them: `episode.chapters` and `transcript_urls` are
        left empty (`toc_chapters` still counts the chapters): a 10k-episode listing would otherwise
        build 150k chapter objects that it never prints."""
        clause, params = show_clause(scope) if scope is not None else (TRUE, ())
        sql = SELECT_EPISODES + f" WHERE {clause}" + NEWEST_FIRST
        if limit is not None or offset:
            # An offset needs a LIMIT; "none" is spelt differently by each engine (-1, ALL), a huge one is not.
            sql += " LIMIT ? OFFSET ?"
            params = (*params, NO_LIMIT if limit is None else limit, offset)
        return await self._load(sql, params, with_chapters=with_chapters)

    async def get(
        self, episode_id: int, *, scope: Scope | None = None, with_segments: bool = False
    ) -> StoredEpisode | None:
        """The episode, if it exists (and belongs to one of the scope's shows, when one is given: an id
        typed or sent back by a button never reaches another server's show)."""
        clause, params = show_clause(scope) if scope is not None else (TRUE, ())
        found = await self._load(
            SELECT_EPISODES + f" WHERE e.id = ? AND {clause}",
            (episode_id, *params),
            with_segments=with_segments,
        )
        return found[0] if found else None

    async def get_many(
        self, episode_ids: Sequence[int], *, scope: Scope | None = None
    ) -> list[StoredEpisode]:
        """Episodes by id, in the order asked for; ids that do not exist (or are out of scope) are left out."""
        if not episode_ids:
            return []
        clause, params = show_clause(scope) if scope is not None else (TRUE, ())
        marks = ",".join("?" * len(episode_ids))
        found = await self._load(
            SELECT_EPISODES + f" WHERE e.id IN ({marks}) AND {clause}", (*episode_ids, *params)
        )
        by_id = {s.id: s for s in found}
        return [by_id[i] for i in episode_ids if i in by_id]

    async def _load(
        self, sql: str, params: tuple[Any, ...], *, with_segments: bool = False, with_chapters: bool = True
    ) -> list[StoredEpisode]:
        reader = self._store.reader
        rows = await reader.fetch_all(sql, params)
        if not rows:
            return []
        ids = [int(r[0]) for r in rows]
        people = await self._children(
            "SELECT ep.episode_id, p.name, ep.role, ep.image, ep.href FROM episode_people ep"
            " JOIN people p ON p.id = ep.person_id WHERE ep.episode_id IN ({}) ORDER BY ep.position",
            ids,
        )
        chapters: dict[int, list[tuple[Any, ...]]] = {}
        refs: dict[int, list[tuple[Any, ...]]] = {}
        toc_counts: dict[int, int] = {}
        if with_chapters:
            chapters = await self._children(
                "SELECT episode_id, start_s, title, end_s, url, toc FROM chapters"
                " WHERE episode_id IN ({}) ORDER BY position",
                ids,
            )
            refs = await self._children(
                "SELECT episode_id, url, mime_type, language, rel FROM transcript_refs"
                " WHERE episode_id IN ({})",
                ids,
            )
        else:
            counted = await self._children(
                "SELECT episode_id, count(*) FROM chapters WHERE episode_id IN ({}) AND toc <> 0"
                " GROUP BY episode_id",
                ids,
            )
            toc_counts = {eid: int(found[0][0]) for eid, found in counted.items()}
        segments: dict[int, list[tuple[Any, ...]]] = {}
        if with_segments:
            segments = await self._children(
                "SELECT episode_id, start_s, text, speaker, cue_times FROM segments WHERE episode_id IN ({})"
                " ORDER BY position",
                ids,
            )
        result = []
        for r in rows:
            eid = int(r[0])
            episode_chapters = tuple(
                Chapter(start, title, end, url, bool(toc))
                for start, title, end, url, toc in chapters.get(eid, [])
            )
            episode = Episode(
                title=r[4],
                guid=r[3],
                show_notes=r[5],
                duration_s=r[6],
                published=_parse_iso(r[7]),
                source_order=r[8],
                link=r[9],
                audio_url=r[10],
                artwork=r[11],
                chapters_url=r[12],
                people=tuple(
                    Person(n, _ROLES[role], img, href) for n, role, img, href in people.get(eid, [])
                ),
                chapters=episode_chapters,
                segments=tuple(
                    Segment(start, text, spk, cue_times.decode(cues))
                    for start, text, spk, cues in segments.get(eid, [])
                ),
                transcript_urls=tuple(TranscriptRef(*ref) for ref in refs.get(eid, [])),
            )
            result.append(
                StoredEpisode(
                    id=eid,
                    show_title=r[1],
                    show_id=int(r[2]),
                    episode=episode,
                    segment_count=int(r[13]),
                    toc_chapters=(
                        sum(1 for c in episode_chapters if c.toc) if with_chapters else toc_counts.get(eid, 0)
                    ),
                    speakers=_speakers(r[16]),
                    show_guid=r[14],
                    show_apple_id=r[15],
                )
            )
        return result

    async def _children(self, sql_template: str, ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
        out: dict[int, list[tuple[Any, ...]]] = {}
        # SQLite limits bound parameters per statement; chunk so a listing of every episode still works.
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            sql = sql_template.format(",".join("?" * len(chunk)))
            for row in await self._store.reader.fetch_all(sql, chunk):
                out.setdefault(int(row[0]), []).append(tuple(row[1:]))
        return out
