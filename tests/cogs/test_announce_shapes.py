"""The shapes an announcement can take, posted through the real announcer on simcord: a template, a
discussion thread, a forum post tagged with the show, and publishing in an announcement channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.feeds.announce import Announcement, PostStatus
from cogs.common.announcer import DiscordAnnouncer

if TYPE_CHECKING:
    from bot.store import StoredEpisode
    from tests.cogs.conftest import World


async def newest(world: World) -> StoredEpisode:
    (stored,) = await world.env.bot.store.catalog.episodes(limit=1)
    return stored


async def test_a_template_fills_the_text_and_pings_only_the_role(world: World) -> None:
    fans = world.guild.create_role("Fans", mentionable=True)
    other = world.guild.create_role("Other", mentionable=True)
    stored = await newest(world)
    template = f"🎙️ {{show}}: **{{title}}** ({{duration}}) {{url}} @everyone <@&{other.id}> {{role}}"

    result = await DiscordAnnouncer(world.env.bot).announce(
        Announcement(world.channel.id, fans.id, stored, nonce="n-template", template=template)
    )

    assert result.status is PostStatus.SENT
    message = world.channel.history()[-1]
    assert message.content.startswith(f"🎙️ {stored.show_title.split()[0]}")
    assert "(1:" in message.content  # the duration
    assert message.content.endswith(f"<@&{fans.id}>")
    assert [r.id for r in message.role_mentions] == [fans.id]
    assert not message.mention_everyone


async def test_a_thread_opens_on_the_announcement_named_after_the_episode(world: World) -> None:
    stored = await newest(world)
    await DiscordAnnouncer(world.env.bot).announce(
        Announcement(world.channel.id, None, stored, nonce="n-thread", thread=True)
    )
    (thread,) = world.channel.threads
    assert thread.name == stored.episode.title  # under 100 characters, as it is
    (message,) = [m for m in world.channel.history() if m.embeds]
    assert message.embeds[0].title == stored.episode.title
    # The default text, without a role.
    assert message.content == f"New episode of **{discord.utils.escape_markdown(stored.show_title)}**"


async def test_an_announcement_channel_publishes_it(world: World) -> None:
    news = world.guild.create_news_channel("episodes")
    stored = await newest(world)
    await DiscordAnnouncer(world.env.bot).announce(Announcement(news.id, None, stored, nonce="n-news"))
    (message,) = news.history()
    # Published: simcord 3.2.1 records it with the wrong flag bit (is_crossposted, 1 << 1, instead of
    # crossposted, 1 << 0), so the request itself is what is checked.
    assert [
        r.method
        for r in world.env.http_requests
        if r.path == f"/channels/{news.id}/messages/{message.id}/crosspost"
    ] == ["POST"]


async def test_a_forum_gets_a_post_per_episode_tagged_with_the_show(world: World) -> None:
    forum_handle = world.guild.create_forum_channel("episodes")
    stored = await newest(world)
    forum = world.env.bot.get_channel(forum_handle.id)
    assert isinstance(forum, discord.ForumChannel)
    forum = await forum.edit(
        available_tags=[
            discord.ForumTag(name="Latent"),
            discord.ForumTag(name="latent space"),
            discord.ForumTag(name="Latent Spaces"),
            discord.ForumTag(name="Other show"),
        ]
    )
    assert stored.show_title.startswith("Latent Space:")
    result = await DiscordAnnouncer(world.env.bot).announce(
        Announcement(forum_handle.id, None, stored, nonce="n-forum", thread=True)
    )
    assert result.status is PostStatus.SENT
    (post,) = forum_handle.threads
    assert post.name.startswith(stored.episode.title[:50])
    (starter,) = post.history()
    assert starter.embeds[0].title == stored.episode.title
    thread = world.env.bot.get_channel(post.id)
    assert isinstance(thread, discord.Thread)
    assert [t.name for t in thread.applied_tags] == ["latent space"]
