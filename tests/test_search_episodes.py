"""Episode and people lookup: the episode a listener means comes first, whatever they typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.models import Person, Role
from bot.scope import Scope
from bot.search import EmptyQuery, Search
from tests.factories import make_episode, make_source
from tests.search_data import BOLT, CLAUDE, COMPOUND, GADGETS, ICML, TOOLS, WINDSURF

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

if TYPE_CHECKING:
    from bot.store import Store


async def titles(search: Search, query: str, limit: int = 10) -> list[str]:
    return [m.title for m in await search.episodes(query, limit=limit, scope=EVERYWHERE)]


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("bolt", BOLT),  # a partial word: "Bolt.new"
        ("Bolt.new", BOLT),
        ("windsurf", WINDSURF),
        ("windsruf", WINDSURF),  # letters swapped
        ("windsurff", WINDSURF),
        ("Codeium", WINDSURF),
        ("codeum", WINDSURF),
        ("enterprise ide", WINDSURF),
        ("lin qiao", COMPOUND),
        ("qiao lin", COMPOUND),  # names in any order
        ("LIN QIAO", COMPOUND),
        ("Schluntz", CLAUDE),
        ("erik schlüntz", CLAUDE),  # accents ignored
        ("schluntz!!", CLAUDE),  # punctuation ignored
        ("claude sonnet", CLAUDE),
        ("compound ai", COMPOUND),
        ("worldsim", ICML),
        ("icml", ICML),
        ("Brittany", ICML),
        ("flow engineering", BOLT),
    ],
)
async def test_the_intended_episode_comes_first(search: Search, query: str, meant: str) -> None:
    found = await search.episodes(query, scope=EVERYWHERE)
    assert found, f"nothing found for {query!r}"
    assert found[0].title == meant


async def test_a_title_the_query_opens_outranks_one_it_ends_on_a_tie(search: Search) -> None:
    # Both titles hold "Claude" whole (95 each): the Sonnet episode is about it, Bolt.new is "… a Claude
    # Wrapper". Bolt.new is the newer episode, which used to decide the tie.
    found = await search.episodes("claude", scope=EVERYWHERE)
    assert [m.title for m in found[:2]] == [CLAUDE, BOLT]
    assert found[0].score == found[1].score
    assert (await search.resolve_episode("claude", scope=EVERYWHERE)).title == CLAUDE
    [runner_up] = await search.runners_up("claude", found[0], scope=EVERYWHERE)
    assert runner_up.title == BOLT


async def test_a_strong_title_match_outranks_a_mention_in_show_notes(search: Search) -> None:
    found = await search.episodes("windsurf", scope=EVERYWHERE)
    ranked = [m.title for m in found]
    # The distractors mention Windsurf only in their notes or in a chapter title.
    assert ranked.index(WINDSURF) < ranked.index(TOOLS) < ranked.index(GADGETS)
    by_title = {m.title: m for m in found}
    assert by_title[WINDSURF].matched_on == "title"
    assert by_title[TOOLS].matched_on == "chapter"
    assert by_title[GADGETS].matched_on == "notes"
    assert by_title[WINDSURF].score > by_title[TOOLS].score > by_title[GADGETS].score


async def test_show_notes_alone_can_find_an_episode(search: Search) -> None:
    found = await search.episodes("sora turbo", scope=EVERYWHERE)
    assert [m.title for m in found] == [ICML]
    assert found[0].matched_on == "notes"


async def test_a_chapter_title_is_evidence_too(search: Search) -> None:
    found = await search.episodes("evolution of strategy", scope=EVERYWHERE)
    assert found[0].title == WINDSURF
    assert found[0].matched_on == "chapter"


async def test_results_carry_scores_best_first_and_episode_facts(search: Search) -> None:
    found = await search.episodes("claude", scope=EVERYWHERE)
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)
    top = found[0]
    assert top.title in {CLAUDE, BOLT}
    claude = next(m for m in found if m.title == CLAUDE)
    assert claude.guests == ("Erik Schluntz",)
    assert claude.duration_s == 4320
    assert claude.published is not None
    assert claude.published.year == 2024


async def test_limit_is_respected(search: Search) -> None:
    assert len(await search.episodes("ai", limit=2, scope=EVERYWHERE)) == 2


@pytest.mark.parametrize("query", ["qqqqzzzz", "xylophone orchestra", "zz", "!!!", "🎉🎉"])
async def test_nonsense_finds_nothing_rather_than_noise(search: Search, query: str) -> None:
    assert await search.episodes(query, scope=EVERYWHERE) == []


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
async def test_an_empty_query_is_refused(search: Search, query: str) -> None:
    with pytest.raises(EmptyQuery):
        await search.episodes(query, scope=EVERYWHERE)
    with pytest.raises(EmptyQuery):
        await search.people(query, scope=EVERYWHERE)


async def test_autocomplete_with_nothing_typed_offers_the_newest_episodes(search: Search) -> None:
    suggestions = await search.suggest_episodes("", scope=EVERYWHERE)
    assert [s.label.split(" (")[0] for s in suggestions[:3]] == [WINDSURF, ICML, TOOLS]
    assert all(1 <= len(s.label) <= 100 and 1 <= len(s.value) <= 100 for s in suggestions)
    assert len(suggestions) == 7


@pytest.mark.parametrize(
    ("typed", "meant"), [("bo", BOLT), ("win", WINDSURF), ("schl", CLAUDE), ("lin q", COMPOUND)]
)
async def test_autocomplete_is_sensible_from_the_first_letters(
    search: Search, typed: str, meant: str
) -> None:
    suggestions = await search.suggest_episodes(typed, scope=EVERYWHERE)
    assert suggestions, typed
    match = await search.resolve_episode(suggestions[0].value, scope=EVERYWHERE)
    assert match is not None
    assert match.title == meant
    assert suggestions[0].label.startswith(meant[:60])


async def test_autocomplete_labels_fit_discord_limits(store: Store) -> None:
    long_title = "A very long title " * 20
    await store.catalog.ingest(make_source(make_episode(long_title.strip())))
    search = Search(store)
    try:
        [suggestion] = await search.suggest_episodes("very long", scope=EVERYWHERE)
        assert len(suggestion.label) <= 100
        assert suggestion.label.endswith("…")
        assert len(await search.suggest_episodes("a", limit=50, scope=EVERYWHERE)) <= 25
    finally:
        await search.close()


async def test_resolve_accepts_an_id_or_free_text(search: Search) -> None:
    bolt = (await search.episodes("bolt", scope=EVERYWHERE))[0]
    by_id = await search.resolve_episode(str(bolt.episode_id), scope=EVERYWHERE)
    assert by_id is not None
    assert by_id.episode_id == bolt.episode_id
    by_text = await search.resolve_episode("windsruf", scope=EVERYWHERE)
    assert by_text is not None
    assert by_text.title == WINDSURF
    assert await search.resolve_episode("99999", scope=EVERYWHERE) is None
    assert await search.resolve_episode("qqqqzzzz", scope=EVERYWHERE) is None


async def test_people_lookup_finds_a_guest_with_their_episodes(search: Search) -> None:
    [erik, *_] = await search.people("schluntz", scope=EVERYWHERE)
    assert erik.name == "Erik Schluntz"
    assert erik.roles == ("guest",)
    assert [e.title for e in erik.episodes] == [CLAUDE]
    [lin, *rest] = await search.people("qiao lin", scope=EVERYWHERE)
    assert lin.name == "Lin Qiao"
    assert lin.score > max((p.score for p in rest), default=0)


async def test_people_lookup_knows_hosts_and_all_their_episodes(search: Search) -> None:
    [swyx, *_] = await search.people("swyx", scope=EVERYWHERE)
    assert swyx.roles == ("host",)
    assert len(swyx.episodes) == 7
    # Newest first.
    assert swyx.episodes[0].title == WINDSURF


async def test_people_autocomplete(search: Search) -> None:
    values = [s.value for s in await search.suggest_people("li", scope=EVERYWHERE)]
    assert "Lin Qiao" in values
    assert values[0] in {"Lin Qiao", "Lina Qiang"}
    assert [s.value for s in await search.suggest_people("schlu", scope=EVERYWHERE)][:1] == ["Erik Schluntz"]
    everyone = await search.suggest_people("", scope=EVERYWHERE)
    assert everyone
    assert all(len(s.label) <= 100 for s in everyone)


async def test_refresh_picks_up_a_new_ingest(search: Search, store: Store) -> None:
    assert await search.episodes("kubernetes", scope=EVERYWHERE) == []
    await store.catalog.ingest(make_source(make_episode("Kubernetes at the Edge")))
    # The index is a snapshot until refreshed: the bot refreshes after every ingest.
    await search.refresh()
    assert [m.title for m in await search.episodes("kubernetes", scope=EVERYWHERE)] == [
        "Kubernetes at the Edge"
    ]


async def test_latest_is_the_newest_episode(search: Search) -> None:
    latest = await search.latest(scope=EVERYWHERE)
    assert latest is not None
    assert latest.episode.title == WINDSURF


async def test_an_empty_store_answers_with_nothing(store: Store) -> None:
    search = Search(store)
    try:
        assert await search.episodes("bolt", scope=EVERYWHERE) == []
        assert await search.suggest_episodes("", scope=EVERYWHERE) == []
        assert await search.people("lin", scope=EVERYWHERE) == []
        assert await search.quotes("webcontainer", scope=EVERYWHERE) == []
        assert await search.chapters("bolt", scope=EVERYWHERE) is None
        assert await search.search_chapters("swe bench", scope=EVERYWHERE) == []
        assert await search.latest(scope=EVERYWHERE) is None
    finally:
        await search.close()


SOUND_ALIKE = [("Eric", "Erik"), ("Jon", "John"), ("Steven", "Stephen"), ("Katherine", "Catherine")]


async def test_names_that_sound_alike_find_each_other_below_the_exact_spelling(store: Store) -> None:
    guests = [
        f"{first} {surname}"
        for pair in SOUND_ALIKE
        for first, surname in zip(pair, ("Park", "Lund"), strict=True)
    ]
    await store.catalog.ingest(
        make_source(
            *(make_episode(f"Talking with {name}", people=(Person(name, Role.GUEST),)) for name in guests)
        )
    )
    search = Search(store)
    try:
        for pair in SOUND_ALIKE:
            for typed, other in (pair, pair[::-1]):
                found = await search.people(typed.lower(), scope=EVERYWHERE)
                assert [p.name.split()[0] for p in found[:2]] == [typed, other]
                assert found[0].score > found[1].score
    finally:
        await search.close()
