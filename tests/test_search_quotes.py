"""Quote search: a line found the way a listener remembers it, with who said it and when."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pytest

from bot.models import Segment
from bot.scope import Scope
from bot.search import EmptyQuery, Search, quotes
from tests.factories import make_episode, make_source
from tests.search_data import BOLT, BOLT_SEGMENTS, WINDSURF

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.search import QuoteHit
    from bot.store import Store

WEBCONTAINER_TEXTS = {BOLT_SEGMENTS[2].text, BOLT_SEGMENTS[4].text, BOLT_SEGMENTS[5].text}


def marked(hit: QuoteHit) -> list[str]:
    return [hit.text[a:b] for a, b in hit.highlights]


@contextlib.asynccontextmanager
async def searching(store: Store) -> AsyncIterator[Search]:
    """A search over the store as the test filled it, closed afterwards."""
    search = Search(store)
    try:
        yield search
    finally:
        await search.close()


@pytest.mark.parametrize(
    "query",
    [
        "webcontainer",  # joined, finds "WebContainer", "WebContainers" and "web container"
        "WebContainers",
        "WEBCONTAINER",
        "web container",  # split, finds the joined forms too
        "webcontaner",  # one letter missing
        "wbecontainer",  # two letters swapped
    ],
)
async def test_every_way_of_writing_webcontainer_finds_all_three_forms(search: Search, query: str) -> None:
    hits = await search.quotes(query, limit=10, scope=EVERYWHERE)
    assert {h.text for h in hits} == WEBCONTAINER_TEXTS
    assert all(h.episode_title == BOLT and h.speaker == "Eric" for h in hits)


async def test_the_split_phrase_ranks_the_literal_phrase_first(search: Search) -> None:
    hits = await search.quotes("web container", limit=10, scope=EVERYWHERE)
    assert hits[0].text == BOLT_SEGMENTS[5].text
    assert hits[0].exact
    assert not any(h.exact for h in hits[1:])


async def test_a_hit_carries_speaker_time_highlights_and_context(search: Search) -> None:
    [hit] = await search.quotes("node.js inside the browser", scope=EVERYWHERE)
    assert hit.episode_title == BOLT
    assert hit.speaker == "Eric"
    assert hit.start_s == 90
    # The phrase is one marked span; "the" is a query word, so it is marked elsewhere too.
    assert marked(hit) == ["The", "Node.js inside the browser"]
    assert hit.exact
    # The words around it: the end of the previous turn and the start of the next.
    assert hit.before.endswith("building the browser runtime.")
    assert hit.after.startswith("Isn't that the dream?")


async def test_an_exact_phrase_is_the_only_thing_marked(search: Search) -> None:
    # Unquoted, "the" is marked elsewhere too (above); quoted, only the phrase was asked for.
    [hit] = await search.quotes('"node.js inside the browser"', scope=EVERYWHERE)
    assert marked(hit) == ["Node.js inside the browser"]
    # A word outside the quotes is still marked wherever it stands, the phrase only where it is whole.
    [hit] = await search.quotes('"inside the browser" node', scope=EVERYWHERE)
    assert marked(hit) == ["Node", "inside the browser"]


async def test_word_forms_match(search: Search) -> None:
    # "containers"/"container", "reached"/"reach", "running"/"runs" share porter stems.
    hits = await search.quotes("reach eight million dollars", scope=EVERYWHERE)
    assert [h.start_s for h in hits] == [400]
    # A phrase is marked as one span, from its first word to its last.
    assert marked(hits[0]) == ["reached eight million dollars"]
    assert [h.start_s for h in await search.quotes("run node", scope=EVERYWHERE)] == [90]


async def test_double_quotes_demand_the_exact_phrase(search: Search) -> None:
    assert [h.start_s for h in await search.quotes('"self healing"', scope=EVERYWHERE)] == [150]
    # Both words are in the 330 s segment too, but not as that phrase.
    assert {h.start_s for h in await search.quotes("self healing", scope=EVERYWHERE)} == {150, 330}
    assert await search.quotes('"healing self"', scope=EVERYWHERE) == []


async def test_exact_phrase_matches_rank_first(search: Search) -> None:
    hits = await search.quotes("self healing", scope=EVERYWHERE)
    assert [h.start_s for h in hits] == [150, 330]
    assert [h.exact for h in hits] == [True, False]
    assert hits[0].score > hits[1].score


async def test_quotes_can_be_restricted_to_one_episode(search: Search) -> None:
    everywhere = await search.quotes("welcome", scope=EVERYWHERE)
    assert {h.episode_title for h in everywhere} == {BOLT, WINDSURF}
    windsurf = next(h.episode_id for h in everywhere if h.episode_title == WINDSURF)
    only = await search.quotes("welcome", episode_id=windsurf, scope=EVERYWHERE)
    assert [h.episode_title for h in only] == [WINDSURF]
    assert await search.quotes("webcontainer", episode_id=windsurf, scope=EVERYWHERE) == []
    assert await search.quotes("webcontainer", episode_id=123456, scope=EVERYWHERE) == []


async def test_limit_and_offset_page_through_hits(search: Search) -> None:
    first = await search.quotes("webcontainer", limit=1, scope=EVERYWHERE)
    second = await search.quotes("webcontainer", limit=1, offset=1, scope=EVERYWHERE)
    third = await search.quotes("webcontainer", limit=1, offset=2, scope=EVERYWHERE)
    assert len({first[0].text, second[0].text, third[0].text}) == 3
    assert await search.quotes("webcontainer", limit=1, offset=3, scope=EVERYWHERE) == []


async def test_a_word_nobody_said_finds_nothing(search: Search) -> None:
    assert await search.quotes("kubernetes", scope=EVERYWHERE) == []
    # One unknown word among known ones: no hit contains all of them, and none is made up.
    assert await search.quotes("webcontainer kubernetes", scope=EVERYWHERE) == []


async def test_quotes_come_from_transcripts_only(search: Search) -> None:
    # "StackBlitz" is in the Bolt show notes and in a transcript line; "Sora" only in show notes.
    assert [h.start_s for h in await search.quotes("stackblitz", scope=EVERYWHERE)] == [0]
    assert await search.quotes("sora turbo", scope=EVERYWHERE) == []


async def test_empty_quote_query_is_refused(search: Search) -> None:
    with pytest.raises(EmptyQuery):
        await search.quotes("  ", scope=EVERYWHERE)


async def test_a_misspelling_is_corrected_towards_the_commonest_word(store: Store) -> None:
    # "grase" is one letter from both "grape" and "grade"; the transcripts say "grade" more often.
    segments = (
        Segment(0, "The grade of the work was high.", "Ana"),
        Segment(10, "Every grade counts.", "Ana"),
        Segment(20, "A grape, not a grade.", "Bo"),
        Segment(30, "Just a grape here.", "Bo"),
    )
    await store.catalog.ingest(make_source(make_episode("Grades", segments=segments)))
    async with searching(store) as search:
        hits = await search.quotes("grase", limit=10, scope=EVERYWHERE)
        assert {h.start_s for h in hits} == {0, 10, 20}
        assert all(h.text[a:b].lower() == "grade" for h in hits for a, b in h.highlights)


async def ingest_one_said_line_among_350_scattered(store: Store) -> Segment:
    """The oldest segment says "you know what I mean" as remembered; 350 newer ones hold every word of
    it, scattered. Returns the one that says it."""
    said = Segment(0, "Honestly, you know what I mean by that?", "Ana")
    scattered = tuple(
        Segment(10 + i, f"I know you mean {i} things, what a day number {i}.", "Bo") for i in range(350)
    )
    await store.catalog.ingest(make_source(make_episode("Busy", segments=(said, *scattered))))
    return said


async def test_an_exact_phrase_is_found_first_among_many_hits_that_share_its_words(store: Store) -> None:
    # 350 newer segments have every word, scattered (too many to rank, so they come newest first); only
    # the oldest one says the line as remembered.
    said = await ingest_one_said_line_among_350_scattered(store)
    async with searching(store) as search:
        hits = await search.quotes("you know what I mean", limit=3, scope=EVERYWHERE)
        assert hits[0].text == said.text
        assert hits[0].exact
        assert not hits[1].exact
        assert len(await search.quotes("you know what I mean", limit=50, offset=60, scope=EVERYWHERE)) == 40


async def test_a_quoted_phrase_is_found_however_many_newer_segments_share_its_words(store: Store) -> None:
    said = Segment(0, "We shipped the model yesterday.", "Ana")
    scattered = tuple(Segment(10 + i, f"The {i}th model beat the rest.", "Bo") for i in range(350))
    await store.catalog.ingest(make_source(make_episode("Models", segments=(said, *scattered))))
    async with searching(store) as search:
        assert [h.text for h in await search.quotes('"the model"', scope=EVERYWHERE)] == [said.text]


async def test_a_phrase_of_common_words_is_found_first_however_many_newer_segments_hold_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a store of millions of segments, where "you", "know", "what" and "mean" are all common
    # (here: in more than 50 segments), and 350 newer segments hold every word, scattered.
    monkeypatch.setattr(quotes, "COMMON", 50)
    said = await ingest_one_said_line_among_350_scattered(store)
    async with searching(store) as search:
        hits = await search.quotes("you know what I mean", limit=3, scope=EVERYWHERE)
        assert hits[0].text == said.text
        assert hits[0].exact
        assert not any(h.exact for h in hits[1:])
        # A quoted phrase of common words too.
        assert [h.text for h in await search.quotes('"know what i mean"', scope=EVERYWHERE)] == [said.text]


async def test_accents_and_case_do_not_stop_a_phrase_from_ranking_as_typed(store: Store) -> None:
    segments = (
        Segment(0, "Un CAFÉ crème, déjà vu.", "Ana"),
        Segment(10, "Cafe creme is not what I said.", "Bo"),
    )
    await store.catalog.ingest(make_source(make_episode("Cafés", segments=segments)))
    async with searching(store) as search:
        hits = await search.quotes("cafe creme deja vu", scope=EVERYWHERE)
        assert hits[0].start_s == 0
        assert hits[0].exact
        hits = await search.quotes('"déjà vu"', scope=EVERYWHERE)
        assert [h.start_s for h in hits] == [0]


async def test_a_phrase_can_be_restricted_to_one_episode(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Common words (as at scale), so that the phrase comes from the pair index, and said in two episodes.
    monkeypatch.setattr(quotes, "COMMON", 2)
    said = "You know what I mean, right?"
    for title in ("First", "Second"):
        filler = tuple(Segment(10 + i, f"What you mean is {i} things I know.", "Bo") for i in range(5))
        await store.catalog.ingest(
            make_source(make_episode(title, segments=(Segment(0, said, "Ana"), *filler)))
        )
    async with searching(store) as search:
        everywhere = await search.quotes('"you know what i mean"', scope=EVERYWHERE)
        assert sorted(h.episode_title for h in everywhere) == ["First", "Second"]
        second = next(h.episode_id for h in everywhere if h.episode_title == "Second")
        [only] = await search.quotes('"you know what i mean"', episode_id=second, scope=EVERYWHERE)
        assert only.episode_title == "Second"
        assert only.exact
        [first_hit, *_] = await search.quotes("you know what i mean", episode_id=second, scope=EVERYWHERE)
        assert first_hit.episode_title == "Second"
        assert first_hit.exact


async def test_a_query_with_symbols_prefers_the_hits_that_hold_it_as_typed(store: Store) -> None:
    # To the index, "c++" is the word "c", which "Plan C" holds twice (a better bm25).
    segments = (
        Segment(0, "I still write C++ every day.", "Ana"),
        Segment(10, "Plan C is the class C option, the cheap one.", "Bo"),
        Segment(20, "We raised $40,000 from friends.", "Ana"),
        Segment(30, "About 40 000 people listened, and 40,000 more later.", "Bo"),
    )
    await store.catalog.ingest(make_source(make_episode("Symbols", segments=segments)))
    async with searching(store) as search:
        assert [h.start_s for h in await search.quotes("c++", scope=EVERYWHERE)][:2] == [0, 10]
        assert [h.start_s for h in await search.quotes("$40,000", scope=EVERYWHERE)][:2] == [20, 30]
        assert (await search.quotes('"C++"', scope=EVERYWHERE))[0].start_s == 0
