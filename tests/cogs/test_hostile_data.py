"""Whatever a feed or page puts in the store, replies stay inside Discord's limits and ping no one.

The store here is built to hurt: a 300-character title with @everyone and a role mention in it, 5,000
characters of show notes full of Markdown, 70 chapters, a 5,000-character transcript segment, thirty
guests, and titles that would close a Markdown link early.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from bot.models import Chapter, Person, Role, Segment
from cogs.common import limits
from tests.cogs.conftest import make_world
from tests.cogs.helpers import button, buttons, embed_size, embed_text, message_bodies, store_with
from tests.factories import make_episode

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    import simcord

    from bot.client import PodBot
    from bot.store import Store
    from tests.cogs.conftest import MakeBot, World

PING_TITLE = "@everyone <@&123> @here " + "A very long episode title that goes on " * 7
LINK = "https://show.example/episodes/1"
AUDIO = "https://cdn.example/audio/1.mp3"
# The needle sits in the middle of a 5,000-character segment.
LONG_SEGMENT = (
    ("*stars* _under_ `tick` " * 110)[:2480]
    + " the needle is in this haystack here "
    + ("~~strike~~ |bars| " * 140)[:2500]
)
REPEATED = "the quick brown fox jumps over the lazy dog while the host keeps talking about databases"
CHAPTERS = tuple(
    Chapter(start_s=i * 60, title=f"Chapter {i} [part] (aside) **loud** — about topic {i} and more")
    for i in range(70)
)


@pytest.fixture
async def hostile_store(store_location: str | Path) -> AsyncIterator[Store]:
    first = make_episode(
        PING_TITLE,
        show_notes=("**Bold** _claims_ and @everyone pings <@&123>. " * 120)[:5000],
        link=LINK,
        audio_url=AUDIO,
        artwork="https://cdn.example/art.png",
        duration_s=4 * 3600,
        published=datetime(2024, 12, 1, tzinfo=UTC),
        people=(
            Person("Ana <@&123>", Role.HOST),
            *(Person(f"Guest Number {i} With A Rather Long Name", Role.GUEST) for i in range(30)),
        ),
        chapters=CHAPTERS,
        segments=(
            Segment(0, "Welcome everyone to the show.", "Ana"),
            Segment(60, LONG_SEGMENT, "Bo @everyone"),
            Segment(120, "And that was the needle again, said twice: needle.", "Ana"),
        ),
    )
    second = make_episode(
        "Second episode",
        link="https://show.example/episodes/2?ref=feed",
        published=datetime(2024, 11, 1, tzinfo=UTC),
        segments=(
            Segment(30, "Another needle in another episode.", "Cy"),
            *(Segment(100 + i, f"{i}: {REPEATED}", "Cy") for i in range(3)),
        ),
    )
    many = [make_episode(f"Filler episode number {i} " + "x" * 120) for i in range(40)]
    store = await store_with(store_location, first, second, *many)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def simcord_bot(hostile_store: Store, make_bot: MakeBot) -> PodBot:
    return await make_bot(hostile_store)


def assert_fits_and_pings_no_one(env: simcord.Env) -> None:
    bodies = message_bodies(env)
    assert bodies
    for body in bodies:
        assert body.get("allowed_mentions", {}).get("parse") == [], body.get("allowed_mentions")
        for key in ("users", "roles"):
            assert not body["allowed_mentions"].get(key)
        assert len(body.get("content") or "") <= limits.CONTENT
        embeds: list[dict[str, Any]] = body.get("embeds") or []
        assert len(embeds) <= limits.EMBEDS_PER_MESSAGE
        assert sum(embed_size(e) for e in embeds) <= limits.EMBEDS_TOTAL
        for embed in embeds:
            assert len(embed.get("title", "")) <= limits.EMBED_TITLE
            assert len(embed.get("description", "")) <= limits.EMBED_DESCRIPTION
            assert len(embed.get("fields", [])) <= limits.EMBED_FIELDS
            assert all(len(f["value"]) <= limits.FIELD_VALUE for f in embed.get("fields", []))


def assert_no_ping(message: Any) -> None:
    sent = message.message
    assert not sent.mention_everyone
    assert not sent.role_mentions
    assert not sent.raw_role_mentions
    assert not sent.mentions


async def _episode(world: World) -> Any:
    choices = await world.alice.autocomplete(world.channel, "episode", "query", "very long episode title")
    return await world.alice.slash(world.channel, "episode", query=choices[0]["value"])


async def test_an_episode_card_fits_whatever_the_data(world: World) -> None:
    result = await _episode(world)

    (embed,) = result.response.embeds
    assert len(embed.title) <= 256
    assert embed.title.endswith("…")
    assert embed.url == LINK
    assert embed.thumbnail.url == "https://cdn.example/art.png"
    guests = next(f.value for f in embed.fields if f.name == "Guests")
    assert len(guests) <= 1024
    assert guests.endswith("…")
    # Markdown from the store shows as typed.
    assert "\\*\\*Bold\\*\\*" in embed.description
    assert "Chapters (70)" in [f.name for f in embed.fields]
    published = next(f.value for f in embed.fields if f.name == "Published")
    assert published == "<t:1733011200:D>"  # shown in each reader's own time zone and format
    assert_fits_and_pings_no_one(world.env)
    assert_no_ping(result.response)


async def test_an_episode_card_links_the_page_and_the_audio(world: World) -> None:
    result = await _episode(world)
    assert button(result.response, "Open episode")["url"] == LINK
    assert button(result.response, "Listen")["url"] == AUDIO
    # Chapter previews link to their moment in the audio.
    chapters = next(f.value for f in result.response.embeds[0].fields if f.name == "Chapters (70)")
    assert f"({AUDIO}#t=60)" in chapters


async def test_seventy_chapters_page_through_and_every_one_is_shown_once(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "chapters", "episode", "very long")
    result = await world.alice.slash(world.channel, "chapters", episode=choices[0]["value"])
    message = result.response

    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        (embed,) = message.embeds
        assert f"page {pages} of" in embed.footer.text
        seen += embed.description.splitlines()
        nxt = button(message, "Next ▶")
        if nxt.get("disabled"):
            break
        clicked = await world.alice.click(message, label="Next ▶")
        message = clicked.response
        assert pages < 10
    assert pages > 1
    assert len(seen) == 70
    assert all(f"about topic {i} and more" in line for i, line in enumerate(seen))
    # Timestamps link to the moment; link text that looked like Markdown is escaped.
    assert seen[61].startswith("`1:01:00` [Chapter 61 \\[part\\] (aside) \\*\\*loud\\*\\*")
    assert seen[61].endswith(f"]({AUDIO}#t=3660)")
    assert_fits_and_pings_no_one(world.env)

    # And back again.
    back = await world.alice.click(message, label="◀ Previous")
    assert f"page {pages - 1} of" in back.response.embeds[0].footer.text


async def test_all_chapters_pages_privately_for_whoever_pressed_it(world: World) -> None:
    card = await _episode(world)

    shown = await world.bob.click(card.response, label="All chapters")
    assert shown.ephemeral
    assert "page 1 of" in shown.response.embeds[0].footer.text
    turned = await world.bob.click(shown.response, label="Next ▶")

    assert "page 2 of" in turned.response.embeds[0].footer.text
    assert turned.response.ephemeral
    assert_fits_and_pings_no_one(world.env)


async def test_only_the_person_who_asked_can_turn_the_chapter_pages(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "chapters", "episode", "very long")
    result = await world.alice.slash(world.channel, "chapters", episode=choices[0]["value"])
    before = result.response.embeds[0].description

    refused = await world.bob.click(result.response, label="Next ▶")

    assert refused.ephemeral
    assert "belong to the person who ran /chapters" in refused.response.content
    assert result.response.embeds[0].description == before


async def test_a_quote_in_a_five_thousand_character_segment_fits_and_shows_the_words_in_bold(
    world: World,
) -> None:
    result = await world.alice.slash(world.channel, "quote", text="haystack")

    (embed,) = result.response.embeds
    assert "**haystack**" in embed.description
    assert len(embed.description) < 1000  # the words around the match, not the whole segment
    assert embed.description.count("…") >= 2  # cut on both sides
    # Markdown in the transcript is shown as typed, never applied.
    assert "\\*stars\\*" in embed.description or "\\~\\~strike\\~\\~" in embed.description
    assert embed.author.name == "Bo @everyone"
    assert embed.url == f"{AUDIO}#t=60"
    assert button(result.response, "Listen at 1:00")["url"] == f"{AUDIO}#t=60"
    assert_fits_and_pings_no_one(world.env)
    assert_no_ping(result.response)


async def test_quote_matches_page_forward_and_back_for_the_asker_only(world: World) -> None:
    result = await world.alice.slash(world.channel, "quote", text="needle")
    first = result.response.embeds[0]
    assert "Match 1" in first.footer.text
    assert button(result.response, "◀ Previous").get("disabled")

    refused = await world.bob.click(result.response, label="Next ▶")
    assert refused.ephemeral
    assert "belong to the person who ran /quote" in refused.response.content

    second = await world.alice.click(result.response, label="Next ▶")
    assert "Match 2" in second.response.embeds[0].footer.text
    assert second.response.embeds[0].description != first.description
    back = await world.alice.click(second.response, label="◀ Previous")
    assert back.response.embeds[0].description == first.description

    # The last match says so and cannot go further.
    message = back.response
    for _ in range(10):
        if button(message, "Next ▶").get("disabled"):
            break
        message = (await world.alice.click(message, label="Next ▶")).response
    assert "(last)" in message.embeds[0].footer.text
    assert_fits_and_pings_no_one(world.env)


async def test_a_quote_link_on_a_page_uses_a_time_parameter(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "quote", "episode", "Second episode")
    result = await world.alice.slash(world.channel, "quote", text="needle", episode=choices[0]["value"])
    (embed,) = result.response.embeds
    assert embed.title == "Second episode"
    assert embed.url == "https://show.example/episodes/2?ref=feed&t=30"


async def test_autocomplete_gives_at_most_25_choices_of_at_most_100_characters(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "episode", "query", "filler episode")
    assert 1 <= len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100
        assert 1 <= len(choice["value"]) <= 100
    empty = await world.alice.autocomplete(world.channel, "episode", "query", "")
    assert len(empty) == 25


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("episode", {"query": "@everyone <@&123> zzzqqqxxx"}),
        ("quote", {"text": "@here <@&123> qqqzzzxxx"}),
        ("quote", {"text": "needle", "episode": "@everyone <@&123> zzzqqqxxx"}),
        ("guest", {"name": "@everyone <@&123>"}),
        ("chapters", {"episode": "<@&123> @here"}),
    ],
)
async def test_input_full_of_pings_is_echoed_harmlessly(
    world: World, command: str, options: dict[str, str]
) -> None:
    result = await world.alice.slash(world.channel, command, **options)

    assert_fits_and_pings_no_one(world.env)
    assert_no_ping(result.response)
    # Echoed text is also defused, so it does not even look like a mention.
    assert "@everyone" not in result.response.content
    assert "@here" not in result.response.content
    assert "<@&123>" not in result.response.content


async def test_the_guest_card_fits(world: World) -> None:
    result = await world.alice.slash(world.channel, "guest", name="Guest Number 7 With A Rather Long Name")
    (embed,) = result.response.embeds
    assert embed.title == "Guest Number 7 With A Rather Long Name"
    assert (
        PING_TITLE[:20].replace("@", "@\u200b") in embed_text(embed)
        or "very long episode" in embed_text(embed).lower()
    )
    assert_fits_and_pings_no_one(world.env)
    assert_no_ping(result.response)


async def test_buttons_keep_working_after_a_restart(
    world: World, hostile_store: Store, make_bot: MakeBot
) -> None:
    card = await _episode(world)
    quote = await world.alice.slash(world.channel, "quote", text="needle")

    await world.env.restart_bot(await make_bot(hostile_store))

    chapters = await world.bob.click(card.response, label="All chapters")
    assert chapters.ephemeral
    assert "Chapters:" in chapters.response.embeds[0].title
    paged = await world.alice.click(quote.response, label="Next ▶")
    assert "Match 2" in paged.response.embeds[0].footer.text


async def test_a_long_query_pages_until_a_restart_then_asks_to_search_again(
    world: World, hostile_store: Store, make_bot: MakeBot
) -> None:
    long_result = await world.alice.slash(world.channel, "quote", text=REPEATED)  # too long for a custom_id
    assert long_result.response.embeds
    assert all(len(b.get("custom_id", "")) <= 100 for b in buttons(long_result.response))
    assert (await world.alice.click(long_result.response, label="Next ▶")).response.embeds

    await world.env.restart_bot(await make_bot(hostile_store))
    stale = await world.alice.click(long_result.response, label="◀ Previous")
    assert stale.ephemeral
    assert stale.response.content == "These results are from before the bot restarted. Run /quote again."


async def test_latest_on_an_empty_store_says_there_is_nothing_yet(
    store_location: str | Path, make_bot: MakeBot
) -> None:
    import simcord

    from bot.store import Store

    async with await Store.open(store_location) as store:
        bot = await make_bot(store)
        async with simcord.run(bot) as env:
            world = await make_world(env)
            result = await world.alice.slash(world.channel, "latest")
            assert result.ephemeral
            assert result.response.content.startswith("There are no episodes yet")
