"""Search on the bundled page (data/latent-space.txt), as a newcomer's first store has it: the episode a
listener means comes first, and quotes carry the speaker and time the page gives them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.scope import Scope
from bot.search import Search

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.store import Store

WINDSURF = "Windsurf: The Enterprise AI IDE - with Varun and Anshul of Codeium AI"
ICML = "Generative Video WorldSim, Diffusion, Vision, Reinforcement Learning and Robotics — ICML 2024 Part 1"
BOLT = "Bolt.new, Flow Engineering for Code Agents, and >$8m ARR in 2 months as a Claude Wrapper"
CLAUDE = "The new Claude 3.5 Sonnet, Computer Use, and Building SOTA Agents — with Erik Schluntz, Anthropic"
COMPOUND = "Why Compound AI + Open Source will beat Closed AI"


@pytest.fixture
async def bundled(bundled_store: Store) -> AsyncIterator[Search]:
    search = Search(bundled_store)
    try:
        yield search
    finally:
        await search.close()


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("bolt", BOLT),
        ("windsruf", WINDSURF),
        ("windsurf", WINDSURF),
        ("lin qiao", COMPOUND),
        ("Qiao", COMPOUND),
        ("Schluntz", CLAUDE),
        ("erik schluntz", CLAUDE),
        ("Codeium", WINDSURF),
        ("codeium ai", WINDSURF),
        ("varun", WINDSURF),
        ("Brittany Walker", ICML),
        ("worldsim", ICML),
        ("icml", ICML),
        ("computer use", CLAUDE),
        ("sonet", CLAUDE),
        ("compound ai open source", COMPOUND),
        ("fireworks", COMPOUND),
        ("stackblitz", BOLT),
        ("Itamar", BOLT),
    ],
)
async def test_the_listeners_episode_comes_first(bundled: Search, query: str, meant: str) -> None:
    found = await bundled.episodes(query, scope=EVERYWHERE)
    assert found, query
    assert found[0].title == meant


async def test_a_title_match_outranks_a_show_notes_mention(bundled: Search) -> None:
    found = await bundled.episodes("bolt", scope=EVERYWHERE)
    assert found[0].title == BOLT
    assert found[0].matched_on == "title"
    # Other episodes may mention Bolt in passing; they rank below, with a lower score.
    assert all(m.score < found[0].score for m in found[1:])


@pytest.mark.parametrize("query", ["0", "99", "$", "0:00"])
async def test_a_bare_number_or_scrap_that_every_episodes_notes_hold_matches_nothing(
    bundled: Search, query: str
) -> None:
    # Every episode's show notes have times, prices and versions in them: finding one by "0" is noise.
    assert await bundled.episodes(query, scope=EVERYWHERE) == []


async def test_the_guest_lookup_knows_the_hosts_and_guests(bundled: Search) -> None:
    [erik, *_] = await bundled.people("schluntz", scope=EVERYWHERE)
    assert erik.name == "Erik Schluntz"
    assert [e.title for e in erik.episodes] == [CLAUDE]
    [lin, *_] = await bundled.people("qiao lin", scope=EVERYWHERE)
    assert lin.name == "Lin Qiao"
    hosts = await bundled.people("swyx", scope=EVERYWHERE)
    assert hosts[0].roles == ("host",)
    assert len(hosts[0].episodes) == 5


@pytest.mark.parametrize(
    ("query", "speaker", "start_s", "title"),
    [
        # Timed turns of the page: "Lin [00:13:27]: … The feedback to the meta team is very important."
        ("feedback to the meta team", "Lin", 13 * 60 + 27, COMPOUND),
        # "Erik [00:18:02]: … Surgeons will still use checklists …"
        ("surgeons", "Erik", 18 * 60 + 2, CLAUDE),
        # "Itamar [00:52:16]: … One is to focus on Bolt. The other is to focus on the WebContainer."
        ("focus on the webcontainer", "Itamar", 52 * 60 + 16, BOLT),
    ],
)
async def test_quotes_have_the_pages_speaker_and_time(
    bundled: Search, query: str, speaker: str, start_s: int, title: str
) -> None:
    [hit, *_] = await bundled.quotes(query, scope=EVERYWHERE)
    assert hit.episode_title == title
    assert hit.speaker == speaker
    # The segment's time: the turn's own, or a marker inside a long turn (within about a minute).
    assert start_s - 60 <= hit.start_s <= start_s
    assert hit.exact


async def test_webcontainer_finds_every_way_the_transcript_writes_it(bundled: Search) -> None:
    hits = await bundled.quotes("webcontainer", limit=50, scope=EVERYWHERE)
    texts = " ".join(h.text for h in hits)
    assert "WebContainers" in texts
    assert "WebContainer " in texts or "WebContainer." in texts
    assert "web container" in texts
    assert all(h.episode_title == BOLT for h in hits)
    misspelt = await bundled.quotes("webcontaner", limit=50, scope=EVERYWHERE)
    assert {h.text for h in misspelt} == {h.text for h in hits}


async def test_chapter_search_finds_swe_bench(bundled: Search) -> None:
    hits = await bundled.search_chapters("SWE-Bench", scope=EVERYWHERE)
    assert hits
    assert hits[0].episode_title == CLAUDE
    assert "SWE-Bench" in hits[0].title or "SWE-bench" in hits[0].title


async def test_chapters_of_a_fuzzy_episode(bundled: Search) -> None:
    found = await bundled.chapters("windsruf", scope=EVERYWHERE)
    assert found is not None
    ref, chapters = found
    assert ref.title == WINDSURF
    assert (chapters[0].start_s, chapters[0].title) == (0, "Introductions & Catchup")
    assert (chapters[-1].start_s, chapters[-1].title) == (
        42 * 60 + 1,
        "Copilot for X, AI UX, and Enterprise AI blog posts",
    )
    playing = await bundled.chapter_at(ref.episode_id, 26 * 60, scope=EVERYWHERE)
    assert playing is not None
    assert playing.title == "Evolution of Codeium's strategy"
