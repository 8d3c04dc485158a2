"""/announce and the poll loop through simcord, across several servers, with feeds on a real HTTP server.

Time is simcord's: `advance_time` moves the clock the poller reads (discord.utils.utcnow) and wakes its
sleeps, so a test can let a quarter of an hour pass in a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
import pytest
from simcord.backend.models.channel import Overwrite
from simcord.enums import OverwriteType

from bot.client import sync_commands
from bot.feeds.files import FileReader
from bot.feeds.poller import Poller, PollerConfig
from bot.net.fetch import Limits
from tests.cogs.helpers import callback_types
from tests.feedkit import Item, day, rss
from tests.feedserver import stalls

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    import simcord

    from bot.config import Settings
    from bot.store import Store
    from tests.cogs.conftest import MakeBot
    from tests.feedserver import FeedServer

EP1 = Item("ep-1", "Episode 1: Kelp", day(0), "https://cdn.example/1.mp3", notes="<p>All about kelp.</p>")
EP2 = Item(
    "ep-2", "Episode 2: Gliders", day(7), "https://cdn.example/2.mp3", notes="<p>Gliders that count kelp.</p>"
)
EP3 = Item("ep-3", "Episode 3: Sonar", day(14), "https://cdn.example/3.mp3")
QUARTER_HOUR = 17 * 60  # the poll interval, its ±10% spread, and a little more


@pytest.fixture
def bot_settings(tmp_path: Path, feed_server: FeedServer) -> Settings:
    from bot.config import Settings

    # The show's own feed is on the test server, which is on 127.0.0.1: allowed for tests only.
    return Settings(
        db=tmp_path / "unused.db",
        feed_url=feed_server.url("/feed.xml"),
        allow_private_urls=True,
        poll_minutes=15,
    )


@dataclass
class Server:
    guild: simcord.GuildHandle
    news: simcord.ChannelHandle
    fans: simcord.RoleHandle
    manager: simcord.MemberActor
    member: simcord.MemberActor

    async def announce(self, subcommand: str, **options: Any) -> simcord.InteractionResult:
        return await self.manager.slash(self.news, f"announce {subcommand}", **options)

    def bot_messages(self, env: simcord.Env) -> list[discord.Message]:
        return [m for m in self.news.history() if m.author.id == env.bot.user.id]


async def make_server(env: simcord.Env, name: str) -> Server:
    guild = env.create_guild(name)
    news = guild.create_text_channel("news")
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    fans = guild.create_role("Episode fans", mentionable=True)
    manager = guild.add_member(env.create_user(f"{name} manager"), roles=[managers])
    member = guild.add_member(env.create_user(f"{name} listener"))
    await sync_commands(env.bot, guild.id)
    return Server(guild, news, fans, manager, member)


@pytest.fixture
async def servers(simcord_env: simcord.Env, feed_server: FeedServer) -> list[Server]:
    feed_server.serve("/feed.xml", rss([EP1]))
    return [await make_server(simcord_env, name) for name in ("Alpha", "Beta", "Gamma")]


def message_posts(env: simcord.Env, channel_id: int) -> list[dict[str, Any]]:
    return [
        r.json
        for r in env.http_requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages" and isinstance(r.json, dict)
    ]


async def follow_everywhere(env: simcord.Env, servers: list[Server]) -> None:
    """Every server follows the show's feed in #news (the first pings its fans role); first poll done."""
    for index, server in enumerate(servers):
        options: dict[str, Any] = {"channel": server.news}
        if index == 0:
            options["role"] = server.fans
        result = await server.announce("set", **options)
        assert result.ephemeral
        assert "will be announced in" in result.response.content, result.response.content


# --- announcing ------------------------------------------------------------------------------------------


async def test_a_new_episode_is_announced_once_in_every_server(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    await follow_everywhere(simcord_env, servers)
    # Following announces nothing that was already in the feed.
    assert all(s.bot_messages(simcord_env) == [] for s in servers)

    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)
    await simcord_env.advance_time(QUARTER_HOUR)

    for server in servers:
        (message,) = server.bot_messages(simcord_env)
        assert message.embeds[0].title == EP2.title
        assert message.embeds[0].footer.text == "Test Cast"
        assert "Gliders that count kelp." in (message.embeds[0].description or "")
    alpha, beta, _ = servers
    # The role ping is in the content, and the allowed mentions name exactly that role.
    alpha_message = alpha.bot_messages(simcord_env)[0]
    assert alpha_message.content == f"<@&{alpha.fans.id}> New episode of **Test Cast**"
    assert [r.id for r in alpha_message.role_mentions] == [alpha.fans.id]
    (alpha_post,) = message_posts(simcord_env, alpha.news.id)
    assert alpha_post["allowed_mentions"]["parse"] == []
    assert [int(r) for r in alpha_post["allowed_mentions"]["roles"]] == [alpha.fans.id]
    assert beta.bot_messages(simcord_env)[0].content == "New episode of **Test Cast**"
    (beta_post,) = message_posts(simcord_env, beta.news.id)
    assert beta_post["allowed_mentions"]["parse"] == []
    assert not beta_post["allowed_mentions"].get("roles")
    # Stored (and searchable) by the time it was announced.
    found = await beta.member.slash(beta.news, "episode", query="gliders")
    assert found.response.embeds[0].title == EP2.title


async def test_several_new_episodes_are_announced_oldest_first(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    await follow_everywhere(simcord_env, servers[:1])
    feed_server.serve("/feed.xml", rss([EP3, EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)
    assert [m.embeds[0].title for m in servers[0].bot_messages(simcord_env)] == [EP2.title, EP3.title]


async def test_feed_text_pings_no_one(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    await follow_everywhere(simcord_env, servers)
    alpha, beta, _ = servers
    hostile = Item(
        "ep-evil",
        f"@everyone @here <@&{beta.fans.id}> <@{beta.member.id}> big news",
        day(30),
        notes=f"<p>@everyone listen now, <@&{alpha.fans.id}> and @here too</p>",
    )
    feed_server.serve("/feed.xml", rss([hostile, EP1], title="Show @everyone"))
    await simcord_env.advance_time(QUARTER_HOUR)

    for server in servers:
        (message,) = server.bot_messages(simcord_env)
        assert not message.mention_everyone
        assert message.mentions == []
        assert "@everyone" not in message.content
        assert "@here" not in message.content
    assert alpha.bot_messages(simcord_env)[0].role_mentions == [alpha.guild.me.guild.get_role(alpha.fans.id)]
    assert beta.bot_messages(simcord_env)[0].role_mentions == []
    for server in servers:
        for post in message_posts(simcord_env, server.news.id):
            assert post["allowed_mentions"]["parse"] == []
            assert not post["allowed_mentions"].get("users")


# --- exactly once ----------------------------------------------------------------------------------------


async def test_a_restart_re_announces_nothing(
    simcord_env: simcord.Env,
    servers: list[Server],
    feed_server: FeedServer,
    bundled_store: Store,
    make_bot: MakeBot,
) -> None:
    await follow_everywhere(simcord_env, servers)
    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)

    await simcord_env.restart_bot(await make_bot(bundled_store))
    await simcord_env.advance_time(QUARTER_HOUR)
    await simcord_env.advance_time(QUARTER_HOUR)
    assert all(len(s.bot_messages(simcord_env)) == 1 for s in servers)

    feed_server.serve("/feed.xml", rss([EP3, EP2, EP1]))
    await simcord_env.restart_bot(await make_bot(bundled_store))
    await simcord_env.advance_time(QUARTER_HOUR)
    for server in servers:
        assert [m.embeds[0].title for m in server.bot_messages(simcord_env)] == [EP2.title, EP3.title]


async def test_a_crash_between_send_and_record_does_not_post_twice(
    simcord_env: simcord.Env,
    servers: list[Server],
    feed_server: FeedServer,
    bundled_store: Store,
    make_bot: MakeBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await follow_everywhere(simcord_env, servers[:2])
    follows = bundled_store.follows
    original = follows.mark_sent

    async def crash(*args: object, **kwargs: object) -> None:
        # The process dies after Discord accepted the message and before podbot wrote that down.
        raise RuntimeError("killed between send and record")

    monkeypatch.setattr(follows, "mark_sent", crash)
    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)
    assert all(len(s.bot_messages(simcord_env)) == 1 for s in servers[:2])

    monkeypatch.setattr(follows, "mark_sent", original)
    await simcord_env.restart_bot(await make_bot(bundled_store))
    await simcord_env.advance_time(QUARTER_HOUR)
    await simcord_env.advance_time(QUARTER_HOUR)

    for server in servers[:2]:
        assert [m.embeds[0].title for m in server.bot_messages(simcord_env)] == [EP2.title]
        # The resend looked in the channel first, and sent nothing once it found the message.
        assert len(message_posts(simcord_env, server.news.id)) == 1
        assert any(
            r.method == "GET" and r.path == f"/channels/{server.news.id}/messages"
            for r in simcord_env.http_requests
        )
    assert not await follows.pending_announcements()


# --- channels that do not work ---------------------------------------------------------------------------


async def test_missing_permission_and_deleted_channel_are_shown_and_others_still_announce(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    await follow_everywhere(simcord_env, servers)
    alpha, beta, gamma = servers
    # Alpha takes Send Messages away from the bot; Beta deletes its channel.
    deny = discord.Permissions(send_messages=True).value
    simcord_env.backend.set_overwrite(
        alpha.news.id,
        Overwrite(target_id=simcord_env.bot.user.id, type=OverwriteType.MEMBER, allow=0, deny=deny),
    )
    beta_news = beta.news.id
    simcord_env.backend.delete_channel(beta_news)
    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)

    assert [m.embeds[0].title for m in gamma.bot_messages(simcord_env)] == [EP2.title]
    assert alpha.bot_messages(simcord_env) == []
    alpha_status = await alpha.announce("status")
    assert "podbot lacks Send Messages in #news" in alpha_status.response.embeds[0].fields[0].value
    beta_general = beta.guild.create_text_channel("general")
    beta_status = await beta.manager.slash(beta_general, "announce status")
    assert "the channel no longer exists" in beta_status.response.embeds[0].fields[0].value
    gamma_status = await gamma.announce("status")
    assert "Last announcement" in gamma_status.response.embeds[0].fields[0].value

    # The loop carries on: the next episode reaches Gamma too.
    feed_server.serve("/feed.xml", rss([EP3, EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)
    assert [m.embeds[0].title for m in gamma.bot_messages(simcord_env)] == [EP2.title, EP3.title]


async def test_a_failing_feed_warns_its_channels_once(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    await follow_everywhere(simcord_env, servers[:2])
    feed_server.serve("/feed.xml", b"down for maintenance", status=503, content_type="text/plain")
    # Five failed checks with backoff: 15 + 30 + 60 + 120 minutes after the first, and some spread.
    for _ in range(8):
        await simcord_env.advance_time(60 * 60)

    for server in servers[:2]:
        (warning,) = server.bot_messages(simcord_env)
        assert warning.content.startswith("⚠️ I have not been able to read the feed of **Test Cast**")
        assert "503 Service Unavailable" in warning.content
        assert not warning.embeds
        (post,) = message_posts(simcord_env, server.news.id)
        assert post["allowed_mentions"] == {"parse": []} or post["allowed_mentions"]["parse"] == []
    status = await servers[0].announce("status")
    assert "Failing since" in status.response.embeds[0].fields[0].value


# --- the commands ----------------------------------------------------------------------------------------


async def test_only_server_managers_can_use_announce(simcord_env: simcord.Env, servers: list[Server]) -> None:
    alpha = servers[0]
    assert not [c for c in alpha.member.available_commands(alpha.news) if c.startswith("announce")]
    assert "announce status" in alpha.manager.available_commands(alpha.news)
    # A server may show the command to others; podbot still checks the permission itself.
    command = simcord_env.backend.find_command("announce", alpha.guild.id)
    alpha.guild.set_command_permissions(int(command["id"]), {alpha.guild.default_role: True})
    result = await alpha.member.slash(alpha.news, "announce status")
    assert result.ephemeral
    assert (
        result.response.content == "Only members with the Manage Server permission can manage announcements."
    )
    assert any(type(e).__name__ == "CheckFailure" for e in simcord_env.errors)


async def test_set_refuses_what_cannot_work(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    page = feed_server.serve(
        "/page", b"<!doctype html><html><body><p>Our podcast</p></body></html>", content_type="text/html"
    )
    cases = [
        ({"feed": "ftp://example.com/feed.xml"}, "I cannot follow that feed: ", "is not an http(s) URL"),
        (
            {"feed": page},
            "That is not a podcast feed I can read: ",
            "the address serves a web page, not a feed",
        ),
        (
            {"feed": feed_server.url("/missing.xml")},
            "I could not read that feed: ",
            "the server answered 404 Not Found",
        ),
        ({"role": alpha.guild.default_role}, "", "@everyone cannot be the announcement role"),
    ]
    for options, opening, expected in cases:
        result = await alpha.announce("set", channel=alpha.news, **options)
        assert result.ephemeral
        assert result.response.content.startswith(opening), result.response.content
        assert expected in result.response.content, result.response.content
    status = await alpha.announce("status")
    assert status.response.content.startswith("Nothing is announced in this server yet")


async def test_status_remove_and_test(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    await follow_everywhere(simcord_env, servers[:2])
    alpha, beta = servers[:2]

    status = await alpha.announce("status")
    (field,) = status.response.embeds[0].fields
    assert field.name == "Test Cast"
    assert f"<#{alpha.news.id}> · pings <@&{alpha.fans.id}>" in field.value
    assert "Last check" in field.value

    tested = await alpha.announce("test")
    assert tested.response.content == f"Posted a test announcement in <#{alpha.news.id}>."
    (test_message,) = alpha.bot_messages(simcord_env)
    assert test_message.content.startswith("🧪 **Test announcement**")
    assert "It would ping @Episode fans." in test_message.content
    assert test_message.role_mentions == []  # names the role, pings no one
    assert message_posts(simcord_env, alpha.news.id)[0]["allowed_mentions"]["parse"] == []

    removed = await alpha.announce("remove", channel=alpha.news)
    assert removed.response.content == f"Stopped announcing new episodes in <#{alpha.news.id}>."
    again = await alpha.announce("remove")
    assert again.response.content == "Nothing was being announced in this server."
    feed_server.serve("/feed.xml", rss([EP2, EP1]))
    await simcord_env.advance_time(QUARTER_HOUR)
    assert len(alpha.bot_messages(simcord_env)) == 1  # only the test
    assert [m.embeds[0].title for m in beta.bot_messages(simcord_env)] == [EP2.title]


# --- the 3-second rule -----------------------------------------------------------------------------------


@pytest.mark.simcord(settle_timeout=1.0)
async def test_remove_answers_in_time_while_the_poller_holds_the_store(
    simcord_env: simcord.Env,
    servers: list[Server],
    bundled_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alpha = servers[0]
    await follow_everywhere(simcord_env, [alpha])
    original = bundled_store.transaction

    @contextlib.asynccontextmanager
    async def behind_the_poller() -> AsyncIterator[Any]:
        # A poll storing a big feed holds the write lock for seconds; every write waits its turn.
        await asyncio.sleep(4)  # simcord's virtual seconds
        async with original() as conn:
            yield conn

    monkeypatch.setattr(bundled_store, "transaction", behind_the_poller)
    answered_before = len(callback_types(simcord_env))
    result = await alpha.announce("remove", channel=alpha.news)
    await simcord_env.advance_time(10)

    # "Thinking…" went out within Discord's 3 s, privately, and the answer replaced it.
    assert callback_types(simcord_env)[answered_before:] == [5]
    assert result.ephemeral
    assert result.response.content == f"Stopped announcing new episodes in <#{alpha.news.id}>."
    assert await bundled_store.follows.subscriptions(guild_id=alpha.guild.id) == []


@pytest.mark.simcord(settle_timeout=1.0)
async def test_status_answers_in_time_when_the_store_is_slow(
    simcord_env: simcord.Env,
    servers: list[Server],
    bundled_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alpha = servers[0]
    await follow_everywhere(simcord_env, [alpha])
    original = bundled_store.follows.subscriptions

    async def slow_subscriptions(**kwargs: Any) -> Any:
        await asyncio.sleep(4)  # the reader is busy (the search index being rebuilt)
        return await original(**kwargs)

    monkeypatch.setattr(bundled_store.follows, "subscriptions", slow_subscriptions)
    answered_before = len(callback_types(simcord_env))
    result = await alpha.announce("status")
    await simcord_env.advance_time(10)

    assert callback_types(simcord_env)[answered_before:] == [5]
    assert result.ephemeral
    assert result.response.embeds[0].fields[0].name == "Test Cast"


async def test_status_shows_a_hostile_feed_title_as_written(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha, beta = servers[:2]
    hostile = f"**Big** _news_ @everyone <@&{alpha.fans.id}> `code` ||spoiler|| [link](https://evil.example)"
    feed_server.serve("/feed.xml", rss([EP1], title=hostile))
    await alpha.announce("set", channel=alpha.news)
    long_title = "*" * 300
    feed_server.serve("/long.xml", rss([EP1], title=long_title))
    await beta.announce("set", channel=beta.news, feed=feed_server.url("/long.xml"))

    (field,) = (await alpha.announce("status")).response.embeds[0].fields
    # Markdown shown as typed, mentions as text: nothing is bold, hidden, linked or highlighted.
    assert field.name.startswith(r"\*\*Big\*\* \_news\_ @")
    assert "@everyone" not in field.name
    assert f"<@&{alpha.fans.id}>" not in field.name
    assert r"\`code\`" in field.name
    assert r"\|\|spoiler\|\|" in field.name
    assert r"\[link](" in field.name  # not a link
    (long_field,) = (await beta.announce("status")).response.embeds[0].fields
    assert long_field.name.startswith(r"\*\*\*")
    assert len(long_field.name) <= 256


async def test_listeners_are_answered_while_a_poll_waits_on_a_feed_that_never_answers(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    await follow_everywhere(simcord_env, [alpha])
    # The server also chose the bundled show, whose transcripts the listeners ask about.
    store = simcord_env.bot.store
    [bundled] = [show for show in await store.shows.all() if show.title.startswith("Latent Space")]
    await store.shows.add_to_server(alpha.guild.id, bundled.id)
    feed_server.route("/feed.xml", stalls)  # the show's host now accepts connections and says nothing
    cog = simcord_env.bot.get_cog("Announce")
    # The bot's own fetcher and announcer, and a clock an hour ahead: the show's feed is due now. (The
    # loop's own schedule is not what is tested here.)
    poller = Poller(
        simcord_env.bot.store,
        cog.feeds.fetcher,  # type: ignore[union-attr]
        FileReader(cog.feeds.fetcher),  # type: ignore[union-attr]
        cog.announcer,  # type: ignore[union-attr]
        PollerConfig(feed_limits=Limits(connect_s=2, total_s=3)),
        clock=lambda: discord.utils.utcnow() + timedelta(hours=1),
    )
    cycle = asyncio.create_task(poller.run_cycle())
    await asyncio.sleep(0.2)  # the request is out, and hangs

    latest = await alpha.member.slash(alpha.news, "latest")
    quote = await alpha.member.slash(alpha.news, "quote", text="webcontainer")
    episode = await alpha.member.slash(alpha.news, "episode", query="bolt")

    assert not cycle.done()  # all three answered while the poll was still waiting
    assert latest.response.embeds[0].title
    assert "WebContainer" in quote.response.embeds[0].description
    assert "Bolt.new" in episode.response.embeds[0].title
    report = await cycle
    assert report.failed == 1
    assert "no complete answer within 3 s" in next(iter(report.errors.values()))


async def test_status_says_what_became_of_items_that_share_a_guid(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    recut = Item(EP1.guid, "Episode 1: Kelp (extended cut)", day(1), "https://cdn.example/1-extended.mp3")
    feed_server.serve("/feed.xml", rss([recut, EP1, EP1]))
    await alpha.announce("set", channel=alpha.news)

    (field,) = (await alpha.announce("status")).response.embeds[0].fields
    note = next(line for line in field.value.splitlines() if line.startswith("ℹ️"))
    assert "3 items share the GUID" in note
    assert "kept as 2 episodes" in note
    assert "1 identical repeat merged" in note
    assert "(extended cut)" in note
