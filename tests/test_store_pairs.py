"""The transcript phrase index (segment_pairs, migration 004): its terms, kept in step with every write."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import aiosqlite
import pytest

from bot.models import Segment
from bot.store import Store, transcripts
from bot.store.index_reads import connect_reader
from bot.store.migrations import bundled_migrations, migrate
from bot.store.pairs import pair_terms, word_pairs
from bot.store.transcripts import TranscriptReader, Within
from tests.factories import make_episode, make_source

if TYPE_CHECKING:
    from pathlib import Path


# Inherently SQLite: PostgreSQL finds phrases with its own full-text search.
pytestmark = pytest.mark.sqlite_only("the word-pair index is SQLite's (an FTS5 table filled by triggers)")


def indexed_terms(path: Path) -> dict[str, int]:
    """Every term of the phrase index with the number of segments it is listed for."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.pair_vocab USING fts5vocab (main, segment_pairs, 'row')")
        return dict(conn.execute("SELECT term, doc FROM temp.pair_vocab").fetchall())


def expected_terms(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        texts = [text for (text,) in conn.execute("SELECT text FROM segments")]
    counts: dict[str, int] = {}
    for text in texts:
        for term in set(word_pairs(text).split()):
            counts[term] = counts.get(term, 0) + 1
    return counts


def test_terms_are_the_folded_word_pairs_and_other_scripts_are_hashed() -> None:
    assert word_pairs("You know, what I MEAN?") == "you_know know_what what_i i_mean"
    assert word_pairs("Déjà vu") == "deja_vu"
    assert word_pairs("one") == word_pairs("") == word_pairs("?!") == ""
    # A term must be one token of the table's ASCII tokenizer; a query's words give the same terms.
    [term] = word_pairs("日本語 テスト").split()
    assert term.isascii()
    assert term.isalnum()
    assert pair_terms(["日本語", "テスト"]) == [term]
    assert pair_terms(["you", "know", "what"]) == ["you_know", "know_what"]


async def test_the_index_follows_every_ingest_replace_and_unchanged_transcript(store: Store) -> None:
    first = (Segment(0, "You know what I mean?", "Ana"), Segment(10, "Café au lait, s'il vous plaît.", "Bo"))
    await store.catalog.ingest(make_source(make_episode("Pairs", segments=first)))
    assert indexed_terms(store.path) == expected_terms(store.path)
    assert "you_know" in indexed_terms(store.path)
    # The transcript changes: the old segments' pairs leave the index with them.
    second = (Segment(0, "Something else entirely.", "Ana"),)
    await store.catalog.ingest(make_source(make_episode("Pairs", segments=second)))
    assert (
        indexed_terms(store.path) == expected_terms(store.path) == {"something_else": 1, "else_entirely": 1}
    )
    await store.catalog.ingest(make_source(make_episode("Other", segments=first)))
    await store.catalog.ingest(make_source(make_episode("Other", segments=first)))  # unchanged
    assert indexed_terms(store.path) == expected_terms(store.path)


async def test_an_older_store_gets_its_transcripts_indexed_by_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    # A store from the release before the phrase index: schema 3, with a transcript in it.
    async with aiosqlite.connect(path) as conn:
        assert await migrate(conn, bundled_migrations()[:3]) == 3
        await conn.executescript(
            "INSERT INTO shows (id, key, title) VALUES (1, 'old-show', 'Old Show');"
            "INSERT INTO episodes (id, show_id, guid, title, title_key, added_at, updated_at)"
            " VALUES (1, 1, 'g', 'Before', 'before', '2024-01-01', '2024-01-01');"
            "INSERT INTO segments (episode_id, position, start_s, speaker, text)"
            " VALUES (1, 0, 0, 'Ana', 'Said before the upgrade.');"
        )
        await conn.commit()
    async with await Store.open(path):
        pass
    assert (
        indexed_terms(path)
        == expected_terms(path)
        == {
            "said_before": 1,
            "before_the": 1,
            "the_upgrade": 1,
        }
    )


async def test_pairs_checked_on_the_text_find_the_same_segments_as_the_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "Of the model, I mean.",  # the phrase
        "The model of the year.",  # its pairs apart: of_the and the_model both, not as a phrase
        "Sell the model, of course.",  # the rarer pair only
        "Of the two, neither.",  # the common pair only
        "Of the model again, of the model.",
    ]
    segments = tuple(Segment(10 * i, text, "Ana") for i, text in enumerate(lines * 3))
    await store.catalog.ingest(make_source(make_episode("Pairs", segments=segments)))
    conn = connect_reader(store.path)
    try:
        reader = TranscriptReader(conn)
        phrase = [["of", "the", "model"]]
        (low,) = conn.execute("SELECT min(id) FROM segments").fetchone()
        for limit, within in ((100, None), (2, None), (100, Within(episode_range=(low + 3, low + 9)))):
            whole = reader.find_phrases(phrase, limit=limit, within=within)
            checked = reader.find_phrases(phrase, limit=limit, within=within, costly=["of_the"])
            assert [m.segment_id for m in checked] == [m.segment_id for m in whole]
            assert whole
        # Past the segments it may test, the index answers the whole phrase: the same rows still.
        monkeypatch.setattr(transcripts, "PAIRS_CHECKED", 2)
        checked = reader.find_phrases(phrase, limit=100, costly=["of_the"])
        assert [m.segment_id for m in checked] == [
            m.segment_id for m in reader.find_phrases(phrase, limit=100)
        ]
    finally:
        conn.close()


async def test_segments_indexed_once_per_episode_are_the_index_the_triggers_build(store: Store) -> None:
    # The catalog indexes an episode's segments in two statements (migration 013); a writer that does
    # not (another tool) still has the triggers do it row by row. Both give the same, complete indexes.
    first = (Segment(0, "You know what I mean?", "Ana"), Segment(10, "Sort of, I think.", "Bo"))
    await store.catalog.ingest(make_source(make_episode("Bulk", segments=first)))
    await store.catalog.ingest(
        make_source(make_episode("Bulk", segments=(Segment(0, "Kind of new.", "Ana"),)))
    )
    with sqlite3.connect(store.path) as conn:
        conn.create_function("word_pairs", 1, word_pairs, deterministic=True)
        episode_id = conn.execute("SELECT episode_id FROM segments").fetchone()[0]
        conn.execute(
            "INSERT INTO segments (episode_id, position, start_s, speaker, text) VALUES (?, 5, 30, 'Bo', ?)",
            (episode_id, "Written by another tool, you know."),
        )
        conn.commit()
        # FTS5 checks an external-content index against its table: every segment, none twice or stale.
        conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")
        assert conn.execute("SELECT count(*) FROM segment_index_deferred").fetchone()[0] == 0
        found = conn.execute("SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'tool'").fetchall()
        assert len(found) == 1
        assert (
            conn.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'mean'").fetchone()[0]
            == 0
        )
    assert indexed_terms(store.path) == expected_terms(store.path)
    assert "you_know" in indexed_terms(store.path)  # from the other tool's segment
    assert "kind_of" in indexed_terms(store.path)


async def test_a_phrase_of_common_pairs_found_through_its_rarest_pairs_finds_what_the_index_finds(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "you know" and "i think" are in most segments, "know i" in a few, the phrase in fewer still.
    lines = [
        "You know, I think so.",  # the phrase
        "I think you know it.",  # every word, not the phrase
        "You know I said, I think.",  # you_know and know_i and i_think, apart
        "Well you know, and I think not.",  # the common pairs only
        "Do you know what I think?",
        "So you know I think, you know.",  # the phrase again
    ]
    segments = tuple(Segment(10 * i, text, "Ana") for i, text in enumerate(lines * 4))
    await store.catalog.ingest(make_source(make_episode("Common pairs", segments=segments)))
    conn = connect_reader(store.path)
    try:
        phrase = [["you", "know", "i", "think"]]
        every = ["you_know", "know_i", "i_think"]
        (low,) = conn.execute("SELECT min(id) FROM segments").fetchone()
        monkeypatch.setattr(transcripts, "PAIR_COUNT_CAP", 0)
        expected = {}
        for limit, within in ((100, None), (3, None), (100, Within(episode_range=(low + 4, low + 15)))):
            expected[limit, within] = [
                m.segment_id for m in TranscriptReader(conn).find_phrases(phrase, limit=limit, within=within)
            ]
            assert expected[limit, within]
        # Caps below the common pairs' counts: they are estimated, the rare one drives, the rest is
        # tested on the texts; at 1 every pair is estimated. Past PAIRS_CHECKED the index answers.
        for cap, checked in ((5, 200), (1, 200), (5, 2)):
            monkeypatch.setattr(transcripts, "PAIR_COUNT_CAP", cap)
            monkeypatch.setattr(transcripts, "PAIRS_CHECKED", checked)
            reader = TranscriptReader(conn)
            for (limit, within), ids in expected.items():
                found = reader.find_phrases(phrase, limit=limit, within=within, costly=every)
                assert [m.segment_id for m in found] == ids
        counts = TranscriptReader(conn).pair_counts(every)
        assert counts["know_i"] < counts["you_know"]
    finally:
        conn.close()
