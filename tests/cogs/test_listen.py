"""Listen buttons on announcements and /episode cards, through simcord, from a feed on a real HTTP server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from tests.cogs import test_announce
from tests.cogs.helpers import buttons
from tests.cogs.test_announce import EP1, EP2, QUARTER_HOUR, Server, follow_everywhere
from tests.feedkit import rss

if TYPE_CHECKING:
    import simcord

    from tests.feedserver import FeedServer


# The announcement tests' world: three servers following a feed on the test HTTP server.
bot_settings = test_announce.bot_settings
servers = test_announce.servers


def link_buttons(message: object) -> dict[str, str]:
    """Label to URL of a message's link buttons: a channel message (discord.py objects) or a reply."""
    if isinstance(message, discord.Message):
        return {b.label: b.url for row in message.components for b in row.children if getattr(b, "url", None)}  # type: ignore[union-attr, misc]
    return {b["label"]: b["url"] for b in buttons(message) if b.get("url")}


async def test_an_announcement_and_the_episode_card_carry_listen_buttons(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    await follow_everywhere(simcord_env, [alpha])
    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)

    (message,) = alpha.bot_messages(simcord_env)
    assert link_buttons(message) == {"Listen": EP2.audio}
    card = await alpha.member.slash(alpha.news, "episode", query="gliders")
    assert link_buttons(card.response) == {"Listen": EP2.audio}


async def test_a_feed_that_says_how_apps_know_the_show_gets_app_buttons(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    await follow_everywhere(simcord_env, [alpha])
    ids = (
        "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>"
        "<link>https://podcasts.apple.com/us/podcast/test-cast/id1674008350</link>"
    )
    feed_server.serve("/feed.xml", rss([EP2, EP1], extra_channel=ids))
    await simcord_env.advance_time(QUARTER_HOUR)

    expected = {
        "Listen": EP2.audio,
        "Apple Podcasts": "https://podcasts.apple.com/podcast/id1674008350",
        "Steno.fm": "https://steno.fm/show/917393e3-1b1e-5cef-ace4-edaa54e1f810",
    }
    (message,) = alpha.bot_messages(simcord_env)
    assert link_buttons(message) == expected
    card = await alpha.member.slash(alpha.news, "episode", query="gliders")
    assert link_buttons(card.response) == expected
