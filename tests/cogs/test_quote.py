"""/quote on the bundled store: who said it, when, in which episode."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image

from bot.cards.quote import HEIGHT, WIDTH
from bot.text import parse_clock
from tests.cogs.helpers import buttons

if TYPE_CHECKING:
    from tests.cogs.conftest import World


async def test_quote_finds_who_said_it_and_when(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="webcontainer")

    assert not result.ephemeral
    (embed,) = result.response.embeds
    assert "Bolt.new" in embed.title
    assert embed.author.name == "Eric"
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Speaker"] == "Eric"
    # The time is the segment's own: the bundled page has no links, so it is plain text.
    said_at = parse_clock(fields["At"])
    stored = await world.env.bot.store.catalog.get(3, with_segments=True)
    assert stored.episode.title == embed.title
    assert any(
        s.start_s == said_at and s.speaker == "Eric" and "webcontainer" in s.text.lower()
        for s in stored.episode.segments
    )
    assert "**WebContainer" in embed.description
    assert embed.description.startswith("> ")
    assert "“webcontainer”" in embed.footer.text
    # No link or audio URL on the bundled page: no "Listen at" button.
    assert not any(b.get("url") for b in buttons(result.response))


async def test_quote_can_be_limited_to_one_episode(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "quote", "episode", "sonnet")
    sonnet = next(c for c in choices if "Claude 3.5 Sonnet" in c["name"])

    result = await world.alice.slash(world.channel, "quote", text="benchmark", episode=sonnet["value"])

    assert result.response.embeds[0].title.startswith("The new Claude 3.5 Sonnet")


async def test_quote_in_an_episode_without_that_line_says_so_privately(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "quote", "episode", "compound")
    result = await world.alice.slash(world.channel, "quote", text="webcontainer", episode=choices[0]["value"])

    assert result.ephemeral
    assert result.response.content.startswith("Nobody says “webcontainer” in that episode's transcript.")


async def test_quote_in_an_episode_without_a_transcript_says_it_has_none(world: World) -> None:
    # The bundled page has no transcript for the Windsurf episode.
    choices = await world.alice.autocomplete(world.channel, "quote", "episode", "windsurf")
    result = await world.alice.slash(world.channel, "quote", text="webcontainer", episode=choices[0]["value"])

    assert result.ephemeral
    assert result.response.content.startswith("“Windsurf: The Enterprise AI IDE")
    assert "has no transcript" in result.response.content
    assert "Nobody says" not in result.response.content


async def test_quote_with_an_unknown_episode_says_so_privately(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="agents", episode="qqqzzz xylophone")
    assert result.ephemeral
    assert result.response.content.startswith("No episode matches “qqqzzz xylophone”")


async def test_nothing_found_is_a_private_friendly_answer(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="zzyzx quux frobnicate")
    assert result.ephemeral
    assert result.response.content.startswith("Nobody says “zzyzx quux frobnicate” in any transcript.")


async def test_quote_pages_through_further_matches(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="agents")
    first = result.response.embeds[0]

    second = await world.alice.click(result.response, label="Next ▶")

    assert "Match 2" in second.response.embeds[0].footer.text
    assert second.response.embeds[0].description != first.description


async def test_share_as_image_posts_a_quote_card(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="webcontainer")

    # Someone else's results: their buttons are not yours.
    refused = await world.bob.click(result.response, label="Share as image")
    assert refused.ephemeral
    assert not refused.response.attachments

    shared = await world.alice.click(result.response, label="Share as image")
    assert not shared.ephemeral
    (attachment,) = shared.response.attachments
    assert attachment.filename == "quote.png"
    image = Image.open(io.BytesIO(await attachment.read()))
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
