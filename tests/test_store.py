"""The episode store on real SQLite files: schema and migrations, idempotent and atomic ingest, merging."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING

import aiosqlite
import pytest

from bot.models import Chapter, Segment
from bot.scope import Scope
from bot.search import Search
from bot.store import Store, StoreError
from bot.store.catalog import Catalog
from bot.store.errors import INTEGRITY_ERRORS
from bot.store.migrations import Migration, bundled_migrations, migrate, schema_version
from tests.factories import make_episode, make_source
from tests.snapshots import dump

if TYPE_CHECKING:
    from pathlib import Path


async def test_new_store_is_migrated_to_the_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    async with await Store.open(path):
        pass
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(bundled_migrations())
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"shows", "episodes", "people", "episode_people", "chapters", "segments", "segments_fts"} <= tables
    conn.close()


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        async with store.transaction() as conn:
            await conn.execute(
                "INSERT INTO chapters (episode_id, position, start_s, title) VALUES (999, 0, 0, 'x')"
            )


async def test_an_older_store_file_upgrades_in_place_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    # Build a store at schema version 1, as the first release of podbot left it, with an episode in it.
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await migrate(conn, bundled_migrations()[:1])
        assert await schema_version(conn) == 1
    async with await Store.open(path) as store:
        await store.catalog.ingest(make_source(make_episode("Kept across upgrades", words=40)))
    extra = Migration(
        len(bundled_migrations()) + 1, "999_add_notes.sql", "ALTER TABLE shows ADD COLUMN notes TEXT;"
    )
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        version = await migrate(conn, [*bundled_migrations(), extra])
        assert version == extra.version
        async with conn.execute("SELECT title FROM episodes") as cursor:
            assert [r[0] for r in await cursor.fetchall()] == ["Kept across upgrades"]
        async with conn.execute("SELECT notes FROM shows") as cursor:
            assert [r[0] for r in await cursor.fetchall()] == [None]


async def test_a_failing_migration_leaves_the_store_at_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    async with await Store.open(path) as store:
        await store.catalog.ingest(make_source(make_episode("Before the bad migration")))
    before = dump(path)
    broken = Migration(
        len(bundled_migrations()) + 1,
        "999_broken.sql",
        "ALTER TABLE shows ADD COLUMN half TEXT; INSERT INTO no_such_table VALUES (1);",
    )
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(conn, [*bundled_migrations(), broken])
        assert await schema_version(conn) == len(bundled_migrations())
    assert dump(path) == before


async def test_a_store_from_a_newer_podbot_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    async with await Store.open(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer than this podbot understands"):
        await Store.open(path)


@pytest.mark.parametrize("content", [b"this is not a database, just text\n" * 100, b"\x00" * 4096])
async def test_a_corrupt_store_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a usable podbot store"):
        await Store.open(path)
    assert path.read_bytes() == content


async def test_ingesting_the_same_source_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    source = make_source(make_episode("One", words=100), make_episode("Two", words=60))
    first = await store.catalog.ingest(source)
    assert first.added == ["One", "Two"]
    # Reading a source again records when it was read, and only that: a clock that moved on to the
    # next second between the two ingests must not count as a change.
    before = dump(store.location, reads=False)
    second = await store.catalog.ingest(source)
    assert (second.added, second.updated, second.unchanged) == ([], [], ["One", "Two"])
    assert dump(store.location, reads=False) == before


async def test_an_episode_listed_twice_in_one_source_keeps_the_later_transcript(store: Store) -> None:
    # A feed that lists one GUID twice (a republished item left in place): the later entry's transcript
    # stands, once, and no segment of the earlier one is left behind (on PostgreSQL the segments of one
    # ingest are written together at its end).
    first = make_episode("Listed twice", guid="twice", segments=(Segment(0, "The first telling.", "Ana"),))
    later = replace(first, segments=(Segment(0, "The second telling.", "Ana"), Segment(5, "And more.", "Bo")))
    report = await store.catalog.ingest(make_source(first, make_episode("Other", words=40), later))
    [episode_id] = {report.episode_ids[0], report.episode_ids[2]}
    stored = await store.catalog.get(episode_id, with_segments=True)
    assert stored is not None
    assert [s.text for s in stored.episode.segments] == ["The second telling.", "And more."]
    search = Search(store)
    try:
        assert [h.text for h in await search.quotes("telling", scope=Scope.everything())] == [
            "The second telling."
        ]
    finally:
        await search.close()


async def test_a_monstrous_segment_is_stored_and_its_start_found(store: Store) -> None:
    # A hostile transcript: 120k distinct words in one segment, 1.7 MB, more than a PostgreSQL tsvector
    # holds (1 MiB of lexemes). The feed is stored all the same, other episodes with it, and the start of
    # the segment is found (on PostgreSQL, what its index holds of it: the first 250,000 characters).
    words = " ".join(f"w{i}x{i * 7919 % 100_003}" for i in range(120_000))
    monster = make_episode("Monster", segments=(Segment(0, f"zanzibar quokka {words}", "Ana"),))
    report = await store.catalog.ingest(make_source(monster, make_episode("Ordinary", words=40)))
    assert report.added == ["Monster", "Ordinary"]
    search = Search(store)
    try:
        [hit] = await search.quotes('"zanzibar quokka"', scope=Scope.everything())
        assert hit.text.startswith("zanzibar quokka w0x0")
    finally:
        await search.close()


async def test_a_changed_source_updates_its_episodes_in_place(store: Store) -> None:
    episode = make_episode("Original title", guid="guid-1", words=40)
    first = await store.catalog.ingest(make_source(episode))
    changed = replace(
        episode,
        title="Corrected title",
        chapters=(Chapter(0, "Intro"), Chapter(90, "Renamed part")),
        segments=(Segment(0, "entirely new words about webcontainers", "Ana"),),
    )
    second = await store.catalog.ingest(make_source(changed))
    assert second.updated == ["Corrected title"]
    assert second.episode_ids == first.episode_ids
    stored = await store.catalog.get(first.episode_ids[0], with_segments=True)
    assert stored is not None
    assert stored.episode.title == "Corrected title"
    assert [c.title for c in stored.episode.chapters] == ["Intro", "Renamed part"]
    assert [s.text for s in stored.episode.segments] == ["entirely new words about webcontainers"]
    # The full-text index follows the rewrite: old words are gone, new ones are found.
    if store.engine.name == "sqlite":
        # SQLite's full-text index (PostgreSQL's is the quote tests' business: test_search_quotes.py).
        count = "SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?"
        assert await store.reader.fetch_one(count, ("word0x1",)) == (0,)
        assert await store.reader.fetch_one(count, ("webcontainer",)) == (1,)
    assert await store.catalog.count() == 1


async def test_a_source_without_a_part_keeps_the_stored_part(store: Store) -> None:
    """A feed item without a transcript must not erase the transcript the page gave the same episode."""
    rich = make_episode("Shared episode", words=100, link=None)
    await store.catalog.ingest(make_source(rich))
    poor = replace(rich, segments=(), chapters=(), show_notes="", link="https://example.com/ep")
    report = await store.catalog.ingest(make_source(poor))
    assert report.updated == ["Shared episode"]
    [stored] = await store.catalog.episodes()
    assert stored.segment_count == 5
    assert len(stored.episode.chapters) == 2
    assert stored.episode.link == "https://example.com/ep"


async def test_a_listing_without_chapters_still_counts_the_table_of_contents(store: Store) -> None:
    # `podbot episodes` prints only how many chapters an episode lists: it reads counts, not chapters.
    chapters = (
        Chapter(0, "Intro"),
        Chapter(30, "Sponsor", toc=False),
        Chapter(60, "Main"),
        Chapter(90, "End"),
    )
    await store.catalog.ingest(
        make_source(
            make_episode("Four chapters", chapters=chapters),
            make_episode("No chapters", chapters=()),
            make_episode("Hidden only", chapters=(Chapter(0, "Ad", toc=False),)),
        )
    )
    full = {s.episode.title: s for s in await store.catalog.episodes()}
    listed = {s.episode.title: s for s in await store.catalog.episodes(with_chapters=False)}
    assert {t: s.toc_chapters for t, s in listed.items()} == {
        "Four chapters": 3,
        "No chapters": 0,
        "Hidden only": 0,
    }
    assert {t: s.toc_chapters for t, s in full.items()} == {t: s.toc_chapters for t, s in listed.items()}
    assert full["Four chapters"].episode.chapters == chapters
    assert all(s.episode.chapters == () for s in listed.values())
    # Everything else a listing shows is as the full read gives it.
    assert {
        t: replace(s, episode=replace(s.episode, chapters=(), transcript_urls=())) for t, s in full.items()
    } == listed


async def test_a_real_guid_takes_over_a_derived_key_for_the_same_title(store: Store) -> None:
    from_page = make_episode("Same Episode", words=40)
    await store.catalog.ingest(make_source(from_page))
    from_feed = replace(from_page, guid="https://example.com/guid/42", segments=())
    report = await store.catalog.ingest(make_source(from_feed))
    assert report.updated == ["Same Episode"]
    [stored] = await store.catalog.episodes()
    assert stored.episode.guid == "https://example.com/guid/42"
    assert stored.segment_count == 2


async def test_two_real_guids_with_one_title_stay_two_episodes(store: Store) -> None:
    await store.catalog.ingest(make_source(make_episode("Bonus", guid="a"), make_episode("Bonus", guid="b")))
    assert await store.catalog.count() == 2


async def test_a_failure_halfway_through_an_ingest_leaves_the_store_exactly_as_before(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.catalog.ingest(make_source(make_episode("Already there", words=40)))
    before = dump(store.location)
    calls = 0
    original = Catalog._replace_parts

    async def fail_on_the_third_episode(self: Catalog, *args: object, **kwargs: object) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk on fire")
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Catalog, "_replace_parts", fail_on_the_third_episode)
    source = make_source(
        make_episode("Already there", words=80), make_episode("New one", words=40), make_episode("New two")
    )
    with pytest.raises(RuntimeError, match="disk on fire"):
        await store.catalog.ingest(source)
    assert calls == 3
    assert dump(store.location) == before
    # The store is still usable afterwards.
    monkeypatch.setattr(Catalog, "_replace_parts", original)
    report = await store.catalog.ingest(source)
    assert report.added == ["New one", "New two"]


async def test_readers_never_see_half_an_ingest(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seen_during_ingest: list[int] = []
    original = Catalog._replace_parts

    async def peek(self: Catalog, *args: object, **kwargs: object) -> bool:
        seen_during_ingest.append(await self.count())
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Catalog, "_replace_parts", peek)
    await store.catalog.ingest(make_source(make_episode("A"), make_episode("B"), make_episode("C")))
    assert seen_during_ingest == [0, 0, 0]
    assert await store.catalog.count() == 3


async def test_episodes_are_listed_newest_first_with_people_and_chapters(store: Store) -> None:
    from datetime import UTC, datetime

    older = make_episode("Older", published=datetime(2024, 1, 1, tzinfo=UTC))
    newer = make_episode("Newer", published=datetime(2024, 6, 1, 12, tzinfo=UTC), words=40)
    undated = make_episode("Undated")
    await store.catalog.ingest(make_source(older, undated, newer))
    listed = await store.catalog.episodes()
    assert [s.episode.title for s in listed] == ["Newer", "Older", "Undated"]
    top = listed[0]
    assert top.episode.published == datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert top.episode.hosts == ("Ana",)
    assert top.episode.guests == ("Bo Guest",)
    assert [c.title for c in top.episode.chapters] == ["Intro", "Main part"]
    assert top.speakers == ("Ana",)
    assert top.segment_count == 2


async def test_a_source_listing_fewer_people_keeps_the_guests_another_source_named(store: Store) -> None:
    """A feed item with only its hosts must not erase the guest the page named, nor flip-flop on re-ingest."""
    from bot.models import Person, Role

    from_page = make_episode("Shared", people=(Person("Ana", Role.HOST), Person("Erik", Role.GUEST)))
    from_feed = replace(
        from_page,
        guid="https://example.com/guid/7",
        people=(Person("Ana", Role.HOST, image="https://example.com/ana.png"), Person("Erik Schluntz")),
    )
    hosts_only = replace(from_feed, people=(Person("Ana", Role.HOST),))
    await store.catalog.ingest(make_source(from_page))
    await store.catalog.ingest(make_source(from_feed))
    await store.catalog.ingest(make_source(hosts_only))
    [stored] = await store.catalog.episodes()
    assert stored.episode.hosts == ("Ana",)
    assert stored.episode.guests == ("Erik Schluntz",)
    assert stored.episode.people[0].image == "https://example.com/ana.png"
    for source in (from_page, from_feed, hosts_only):
        again = await store.catalog.ingest(make_source(source))
        assert again.unchanged == ["Shared"], source


async def test_another_programs_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes-app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('buy milk')")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program's SQLite database"):
        await Store.open(path)
    assert path.read_bytes() == before


async def test_an_empty_sqlite_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    async with await Store.open(path) as store:
        assert await store.catalog.count() == 0
