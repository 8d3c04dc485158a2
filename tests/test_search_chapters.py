"""Chapters: an episode's table of contents by fuzzy query, the chapter playing at a moment, and chapter
search across episodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.models import Chapter
from bot.scope import Scope
from bot.search import Search
from tests.factories import make_episode, make_source
from tests.search_data import CLAUDE, TOOLS, WINDSURF

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

if TYPE_CHECKING:
    from bot.store import Store


async def test_chapters_of_the_best_matching_episode(search: Search) -> None:
    found = await search.chapters("windsruf", scope=EVERYWHERE)
    assert found is not None
    ref, chapters = found
    assert ref.title == WINDSURF
    assert [(c.start_s, c.title) for c in chapters] == [
        (0, "Introductions & Catchup"),
        (232, "Why they created Windsurf"),
        (1518, "Evolution of Codeium's strategy"),
    ]


async def test_chapters_accepts_the_autocomplete_value(search: Search) -> None:
    [suggestion, *_] = await search.suggest_episodes("schluntz", scope=EVERYWHERE)
    found = await search.chapters(suggestion.value, scope=EVERYWHERE)
    assert found is not None
    assert found[0].title == CLAUDE


async def test_chapters_for_nothing_matching_is_none(search: Search) -> None:
    assert await search.chapters("qqqqzzzz", scope=EVERYWHERE) is None


@pytest.mark.parametrize(
    ("second", "title"),
    [
        (0, "Introductions & Catchup"),
        (231, "Introductions & Catchup"),
        (232, "Why they created Windsurf"),
        (99999, "Evolution of Codeium's strategy"),
    ],
)
async def test_the_chapter_playing_at_a_second(search: Search, second: int, title: str) -> None:
    [match] = await search.episodes("windsurf enterprise", limit=1, scope=EVERYWHERE)
    chapter = await search.chapter_at(match.episode_id, second, scope=EVERYWHERE)
    assert chapter is not None
    assert chapter.title == title


async def test_no_chapter_before_the_first_or_after_an_end_or_for_an_unknown_episode(store: Store) -> None:
    chapters = (Chapter(30, "Late start", end_s=60), Chapter(120, "Later"), Chapter(200, "Ad", toc=False))
    report = await store.catalog.ingest(make_source(make_episode("Odd chapters", chapters=chapters)))
    search = Search(store)
    try:
        [episode_id] = report.episode_ids
        assert await search.chapter_at(episode_id, 10, scope=EVERYWHERE) is None
        assert await search.chapter_at(episode_id, 75, scope=EVERYWHERE) is None
        chapter = await search.chapter_at(episode_id, 250, scope=EVERYWHERE)
        # toc: false chapters are metadata (an ad marker), not what is "playing".
        assert chapter is not None
        assert chapter.title == "Later"
        assert await search.chapter_at(999999, 10, scope=EVERYWHERE) is None
        found = await search.chapters("odd chapters", scope=EVERYWHERE)
        assert found is not None
        assert [c.title for c in found[1]] == ["Late start", "Later"]
    finally:
        await search.close()


@pytest.mark.parametrize("query", ["SWE-Bench", "swe bench", "swebench verified", "SWE Bnech"])
async def test_chapter_search_finds_the_episode_and_the_start(search: Search, query: str) -> None:
    hits = await search.search_chapters(query, scope=EVERYWHERE)
    assert hits, query
    assert (hits[0].episode_title, hits[0].start_s, hits[0].title) == (
        CLAUDE,
        1260,
        "SWE-Bench verified and agent scaffolds",
    )


async def test_chapter_search_ranks_the_closer_title_first(search: Search) -> None:
    hits = await search.search_chapters("why they created windsurf", scope=EVERYWHERE)
    assert [(h.episode_title, h.title) for h in hits] == [(WINDSURF, "Why they created Windsurf")]
    assert hits[0].score == 100
    both = await search.search_chapters("why windsurf", scope=EVERYWHERE)
    assert {h.episode_title for h in both} == {WINDSURF, TOOLS}
