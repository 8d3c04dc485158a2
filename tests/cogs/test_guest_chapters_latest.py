"""/guest, /chapters and /latest on the bundled store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cogs.helpers import button

if TYPE_CHECKING:
    from tests.cogs.conftest import World


async def test_guest_shows_the_persons_episodes(world: World) -> None:
    result = await world.alice.slash(world.channel, "guest", name="Erik Schluntz")

    assert not result.ephemeral
    (embed,) = result.response.embeds
    assert embed.title == "Erik Schluntz"
    assert "The new Claude 3.5 Sonnet" in embed.description
    assert "1:11:10" in embed.description
    assert embed.footer.text == "Guest in 1 episode"


async def test_guest_finds_a_host_in_every_episode(world: World) -> None:
    result = await world.alice.slash(world.channel, "guest", name="swyx")
    (embed,) = result.response.embeds
    assert embed.title.lower() == "swyx"
    assert embed.description.count("•") == 5
    assert embed.footer.text == "Host in 5 episodes"


async def test_guest_autocomplete_offers_people(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "guest", "name", "lin")
    assert "Lin Qiao" in [c["value"] for c in choices]
    assert all(1 <= len(c["name"]) <= 100 for c in choices)


async def test_an_unknown_guest_is_a_private_friendly_answer(world: World) -> None:
    result = await world.alice.slash(world.channel, "guest", name="Zzyzx Quux")
    assert result.ephemeral
    assert result.response.content.startswith("I don't know anyone called “Zzyzx Quux”.")


async def test_chapters_lists_every_chapter_with_its_time(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "chapters", "episode", "worldsim")
    result = await world.alice.slash(world.channel, "chapters", episode=choices[0]["value"])

    assert not result.ephemeral
    (embed,) = result.response.embeds
    lines = embed.description.splitlines()
    assert len(lines) == 19
    assert lines[0].startswith("`0:00` ")
    # Hours past one show as h:mm:ss.
    assert any(line.startswith("`1:") or line.startswith("`2:") for line in lines)
    assert embed.footer.text.startswith("19 chapters")
    # Fits one page: no paging buttons.
    assert not result.response.components


async def test_chapters_by_typed_title(world: World) -> None:
    result = await world.alice.slash(world.channel, "chapters", episode="compound ai")
    assert result.response.embeds[0].title == "Chapters: Why Compound AI + Open Source will beat Closed AI"


async def test_chapters_on_a_tie_picks_the_title_the_query_opens(world: World) -> None:
    # "Claude" is whole in two titles; the Sonnet episode is about it, Bolt.new ends with "a Claude Wrapper".
    result = await world.alice.slash(world.channel, "chapters", episode="claude")
    assert result.response.embeds[0].title.startswith("Chapters: The new Claude 3.5 Sonnet")

    card = await world.alice.slash(world.channel, "episode", query="claude")
    (embed,) = card.response.embeds
    assert embed.title.startswith("The new Claude 3.5 Sonnet")
    did_you_mean = next(f.value for f in embed.fields if f.name == "Did you mean")
    assert "Bolt.new" in did_you_mean


async def test_chapters_for_an_unknown_episode_is_private(world: World) -> None:
    result = await world.alice.slash(world.channel, "chapters", episode="qqqzzz xylophone")
    assert result.ephemeral
    assert result.response.content.startswith("No episode matches")


async def test_latest_is_the_newest_episode_as_episode_shows_it(world: World) -> None:
    latest = await world.alice.slash(world.channel, "latest")
    by_name = await world.alice.slash(world.channel, "episode", query="windsurf")

    assert not latest.ephemeral
    assert latest.response.embeds[0].to_dict() == by_name.response.embeds[0].to_dict()
    assert button(latest.response, "All chapters")
