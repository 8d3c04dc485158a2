"""/episode on the bundled store: the card a listener sees, its buttons, ambiguity and dead ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cogs.helpers import button, buttons

if TYPE_CHECKING:
    from tests.cogs.conftest import World

WINDSURF = "Windsurf: The Enterprise AI IDE - with Varun and Anshul of Codeium AI"


async def test_episode_shows_the_card_of_the_episode_asked_for(world: World) -> None:
    result = await world.alice.slash(world.channel, "episode", query="windsurf")

    assert not result.ephemeral
    (embed,) = result.response.embeds
    assert embed.title == WINDSURF
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Duration"] == "1:06:35"
    assert "swyx" in fields["Hosts"]
    assert "Varun" in fields["Guests"]
    # A preview of the chapters, not all twelve, with their times.
    assert fields["Chapters (12)"].startswith("`0:00` Introductions & Catchup")
    assert "…and 7 more" in fields["Chapters (12)"]
    # A short clean description: the first sentences, not the chapter list or the subscribe line.
    assert embed.description.startswith("Our second podcast guest ever in March 2023")
    assert "Chapters" not in embed.description
    assert "Get full access" not in embed.description
    assert len(embed.description) <= 420
    assert embed.footer.text


async def test_episode_card_has_an_all_chapters_button_anyone_can_use(world: World) -> None:
    result = await world.alice.slash(world.channel, "episode", query="windsurf")
    assert button(result.response, "All chapters")
    # The bundled page has no links, so no link buttons.
    assert [b["label"] for b in buttons(result.response)] == ["All chapters"]

    # Someone else in the channel presses it and gets the full list, just for them.
    clicked = await world.bob.click(result.response, label="All chapters")

    assert clicked.ephemeral
    (embed,) = clicked.response.embeds
    assert embed.title == f"Chapters: {WINDSURF}"
    assert embed.description.count("\n") == 11  # twelve chapters, one per line
    assert "`42:01` Copilot for X, AI UX, and Enterprise AI blog posts" in embed.description
    # The original card is unchanged.
    assert result.response.embeds[0].title == WINDSURF


async def test_episode_finds_by_a_guest_name(world: World) -> None:
    result = await world.alice.slash(world.channel, "episode", query="Erik Schluntz")
    assert result.response.embeds[0].title.startswith("The new Claude 3.5 Sonnet")


async def test_an_ambiguous_query_shows_the_best_match_and_did_you_mean(world: World) -> None:
    result = await world.alice.slash(world.channel, "episode", query="claude")

    (embed,) = result.response.embeds
    fields = {f.name: f.value for f in embed.fields}
    assert "Did you mean" in fields
    shown_and_offered = {embed.title, *[line.lstrip("• ") for line in fields["Did you mean"].splitlines()]}
    assert any("Claude 3.5 Sonnet" in t for t in shown_and_offered)
    assert any("Claude Wrapper" in t for t in shown_and_offered)


async def test_picking_from_autocomplete_gives_that_episode_without_did_you_mean(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "episode", "query", "claude")
    wrapper = next(c for c in choices if "Claude Wrapper" in c["name"])

    result = await world.alice.slash(world.channel, "episode", query=wrapper["value"])

    (embed,) = result.response.embeds
    assert "Claude Wrapper" in embed.title
    assert "Did you mean" not in [f.name for f in embed.fields]


async def test_no_match_is_a_private_friendly_answer(world: World) -> None:
    result = await world.alice.slash(world.channel, "episode", query="qqqqzzzz xylophone")

    assert result.ephemeral
    assert result.response.content.startswith("No episode matches “qqqqzzzz xylophone”")
    assert not result.response.embeds


async def test_autocomplete_offers_the_newest_episodes_before_anything_is_typed(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "episode", "query", "")
    assert choices[0]["name"] == WINDSURF
    assert len(choices) == 5


async def test_autocomplete_matches_titles_and_guests(world: World) -> None:
    by_title = await world.alice.autocomplete(world.channel, "episode", "query", "bolt")
    assert "Bolt.new" in by_title[0]["name"]
    by_guest = await world.alice.autocomplete(world.channel, "episode", "query", "schluntz")
    assert "Claude 3.5 Sonnet" in by_guest[0]["name"]
    for choice in by_title + by_guest:
        assert 1 <= len(choice["name"]) <= 100
        assert 1 <= len(choice["value"]) <= 100
