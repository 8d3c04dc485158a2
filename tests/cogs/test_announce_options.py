"""/announce set's shapes end to end: a template, a keyword filter and a thread on the announcements of a
feed served over real HTTP; a forum as the target; and what a manager is told when one cannot work."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from simcord.backend.models.channel import Overwrite
from simcord.enums import OverwriteType

from tests.cogs import test_announce
from tests.cogs.test_announce import EP1, EP2, QUARTER_HOUR, Server
from tests.feedkit import Item, day, rss

if TYPE_CHECKING:
    import simcord

    from tests.feedserver import FeedServer

bot_settings = test_announce.bot_settings
servers = test_announce.servers

TRAILER = Item("ep-t", "Trailer: season 2 of Test Cast", day(8), "https://cdn.example/t.mp3")


async def test_a_template_filter_and_thread_shape_what_is_announced(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    result = await alpha.announce(
        "set",
        channel=alpha.news,
        role=alpha.fans,
        thread=True,
        template="🎙️ **{title}** is out ({duration}) {role} @everyone",
        skip="trailer, bonus",
    )
    assert "Each announcement opens a thread" in result.response.content
    assert "keyword filter" in result.response.content

    feed_server.serve("/feed.xml", rss([TRAILER, EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)

    (message,) = [m for m in alpha.bot_messages(simcord_env) if m.embeds]
    assert message.embeds[0].title == EP2.title  # the trailer was filtered out
    assert message.content == f"🎙️ **{EP2.title}** is out (1:00:00) <@&{alpha.fans.id}> @\u200beveryone"
    assert [r.id for r in message.role_mentions] == [alpha.fans.id]
    assert not message.mention_everyone
    assert [t.name for t in alpha.news.threads] == [EP2.title]

    status = await alpha.announce("status")
    shape = status.response.embeds[0].fields[0].value
    assert "a thread on each" in shape
    assert "never titles with trailer, bonus" in shape


async def test_a_bad_template_or_missing_thread_permission_is_told_at_set_time(
    simcord_env: simcord.Env, servers: list[Server]
) -> None:
    alpha = servers[0]
    typo = await alpha.announce("set", channel=alpha.news, template="New: {titel}")
    assert typo.ephemeral
    assert typo.response.content == (
        "I cannot use that: {titel} is not a placeholder; use {show}, {title}, {url}, {duration}, {guests}, {role}."
    )
    deny = discord.Permissions(create_public_threads=True).value
    simcord_env.backend.set_overwrite(
        alpha.news.id,
        Overwrite(target_id=simcord_env.bot.user.id, type=OverwriteType.MEMBER, allow=0, deny=deny),
    )
    await simcord_env.advance_time(1)
    no_threads = await alpha.announce("set", channel=alpha.news, thread=True)
    assert no_threads.response.content == (
        f"I cannot post in {alpha.news.mention}: give me Create Public Threads there first."
    )
    # Neither was followed.
    status = await alpha.announce("status")
    assert status.response.content.startswith("Nothing is announced in this server yet.")


async def test_a_forum_gets_a_post_per_episode(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    forum = alpha.guild.create_forum_channel("episodes")
    result = await alpha.manager.slash(alpha.news, "announce set", channel=forum)
    assert "Each episode becomes a post." in result.response.content

    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)

    (post,) = forum.threads
    assert post.name == EP2.title
    (starter,) = post.history()
    assert starter.embeds[0].title == EP2.title


async def test_a_forum_whose_feed_keeps_failing_gets_the_warning_as_a_post(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    # A forum takes no plain messages: the warning before a feed is given up is a post of its own.
    alpha = servers[0]
    forum = alpha.guild.create_forum_channel("episodes")
    result = await alpha.manager.slash(alpha.news, "announce set", channel=forum)
    assert "Each episode becomes a post." in result.response.content
    feed_server.serve("/feed.xml", b"down for maintenance", status=503, content_type="text/plain")
    for _ in range(8):  # five failed checks with backoff, as in test_announce
        await simcord_env.advance_time(60 * 60)

    (post,) = forum.threads
    assert post.name == "podbot"
    (warning,) = post.history()
    assert warning.content.startswith("⚠️ I have not been able to read the feed of **Test Cast**")
    assert "503 Service Unavailable" in warning.content
