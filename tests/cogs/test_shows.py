"""Several shows, several servers, through simcord: /show add|remove|list, and isolation — nothing a
server did not choose appears in its replies, autocompletes or error messages. Feeds, transcripts and the
podcast directory are served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import discord
import pytest

from bot.client import sync_commands
from tests.cogs.helpers import embed_text
from tests.directory_server import itunes_answer, itunes_entry, serve_directory

if TYPE_CHECKING:
    from pathlib import Path

    import simcord

    from bot.config import Settings
    from tests.feedserver import FeedServer


@dataclass(frozen=True)
class ShowFeed:
    path: str
    title: str
    episode: str
    guest: str
    line: str


# Three shows with nothing in common but a guest (one person on two shows) and the word "lighthouse".
KELP = ShowFeed(
    "/kelp.xml", "Kelp Cast", "Forests Under the Sea", "Mara Quill", "The lighthouse keeper farmed kelp."
)
SONAR = ShowFeed(
    "/sonar.xml", "Sonar Hour", "Echoes in the Trench", "Mara Quill", "A lighthouse hums at sonar pitch."
)
TIDE = ShowFeed(
    "/tide.xml",
    "Tide Talk",
    "Moon Pull and Spring Tides",
    "Odo Varn",
    "Our lighthouse floods at spring tide.",
)
SHOWS = (KELP, SONAR, TIDE)


def show_feed(show: ShowFeed, transcript_url: str, *, extra_item: str = "") -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'"
        " xmlns:podcast='https://podcastindex.org/namespace/1.0'><channel>"
        f"<title>{escape(show.title)}</title><link>https://example.com{show.path}</link>"
        f"{extra_item}<item>"
        f"<title>{escape(show.episode)}</title><guid isPermaLink='false'>{show.path}#1</guid>"
        "<pubDate>Mon, 01 Jul 2024 12:00:00 +0000</pubDate>"
        f"<enclosure url='https://cdn.example.com{show.path}.mp3' type='audio/mpeg' length='1'/>"
        f"<podcast:person role='guest'>{escape(show.guest)}</podcast:person>"
        f"<podcast:transcript url='{escape(transcript_url)}' type='text/vtt'/>"
        "<itunes:duration>30:00</itunes:duration>"
        "</item></channel></rss>"
    ).encode()


def transcript(show: ShowFeed) -> bytes:
    return f"WEBVTT\n\n00:00:05.000 --> 00:00:09.000\n<v {show.guest}>{show.line}\n".encode()


@pytest.fixture
def bot_settings(tmp_path: Path, feed_server: FeedServer) -> Settings:
    from bot.config import Settings

    directory = serve_directory(
        feed_server,
        {
            "sonar": itunes_answer(
                [
                    itunes_entry("Sonar Hour", feed_server.url(SONAR.path), author="Deep Co"),
                    itunes_entry("Sonar Hour Kids", feed_server.url("/missing.xml"), author="Small Co"),
                ]
            ),
            "tide talk": itunes_answer([itunes_entry("Tide Talk", feed_server.url(TIDE.path))]),
        },
    )
    # Feeds and the directory are on the test server, on 127.0.0.1: allowed for tests only.
    return Settings(db=tmp_path / "unused.db", allow_private_urls=True, directory_url=directory)


@pytest.fixture(autouse=True)
def feeds(feed_server: FeedServer) -> None:
    for show in SHOWS:
        vtt = f"{show.path}.vtt"
        feed_server.serve(vtt, transcript(show), content_type="text/vtt")
        feed_server.serve(show.path, show_feed(show, feed_server.url(vtt)))


@dataclass
class Server:
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    manager: simcord.MemberActor
    member: simcord.MemberActor

    async def add(self, source: str) -> simcord.InteractionResult:
        return await self.manager.slash(self.channel, "show add", source=source)

    async def ask(self, command: str, **options: Any) -> simcord.InteractionResult:
        return await self.member.slash(self.channel, command, **options)


async def make_server(env: simcord.Env, name: str) -> Server:
    guild = env.create_guild(name)
    channel = guild.create_text_channel("pod")
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    manager = guild.add_member(env.create_user(f"{name} manager"), roles=[managers])
    member = guild.add_member(env.create_user(f"{name} listener"))
    await sync_commands(env.bot, guild.id)
    return Server(guild, channel, manager, member)


def reply_text(result: simcord.InteractionResult) -> str:
    message = result.response
    assert message is not None
    return "\n".join([message.content or "", *(embed_text(e) for e in message.embeds)])


@pytest.fixture
async def servers(simcord_env: simcord.Env, feed_server: FeedServer) -> list[Server]:
    """Alpha chose Kelp Cast, Beta Sonar Hour, Gamma Tide Talk, each by its feed URL."""
    made = []
    for name, show in zip(("Alpha", "Beta", "Gamma"), SHOWS, strict=True):
        server = await make_server(simcord_env, name)
        added = await server.add(feed_server.url(show.path))
        assert f"Added **{show.title}** to this server's shows" in added.response.content
        made.append(server)
    return made


async def test_each_server_answers_from_its_own_show_only(
    simcord_env: simcord.Env, servers: list[Server]
) -> None:
    for server, own in zip(servers, SHOWS, strict=True):
        others = [s for s in SHOWS if s is not own]
        latest = reply_text(await server.ask("latest"))
        assert own.episode in latest
        episode = await server.ask("episode", query=own.episode.split()[0])
        assert own.episode in reply_text(episode)
        for other in others:
            missed = await server.ask("episode", query=other.episode)
            assert missed.ephemeral
            # Not even as "did you mean".
            assert reply_text(missed).strip() == (
                f"No episode matches “{other.episode}”. Try a guest's name or fewer words."
            )
        # The bundled show is the instance's default, and these servers chose their own.
        assert "Bolt" not in reply_text(await server.ask("episode", query="bolt"))
        quote = reply_text(await server.ask("quote", text="lighthouse"))
        assert own.line.split()[1] in quote
        assert own.guest in quote
        assert all(other.line not in quote for other in others)


async def test_autocompletes_list_only_the_servers_shows(
    simcord_env: simcord.Env, servers: list[Server]
) -> None:
    for server, own in zip(servers, SHOWS, strict=True):
        episodes = await server.member.autocomplete(server.channel, "episode", "query", "")
        assert [c["name"] for c in episodes] == [own.episode]
        typed = await server.member.autocomplete(server.channel, "episode", "query", "e")
        assert {c["name"] for c in typed} <= {own.episode}
        people = await server.member.autocomplete(server.channel, "guest", "name", "")
        assert [c["name"] for c in people] == [f"{own.guest} (1 episode)"]
        shows = await server.member.autocomplete(server.channel, "quote", "show", "")
        assert [c["name"] for c in shows] == [own.title]


async def test_one_person_on_two_shows_shows_only_this_servers_episodes(
    simcord_env: simcord.Env, servers: list[Server]
) -> None:
    alpha, beta, gamma = servers
    kelp = reply_text(await alpha.ask("guest", name="mara quill"))
    assert KELP.episode in kelp
    assert SONAR.episode not in kelp
    sonar = reply_text(await beta.ask("guest", name="mara quill"))
    assert SONAR.episode in sonar
    assert KELP.episode not in sonar
    nobody = await gamma.ask("guest", name="mara quill")
    assert nobody.ephemeral
    assert "Mara" not in reply_text(nobody).replace("“mara quill”", "")


async def test_a_removed_show_disappears_at_once_and_stays_for_the_others(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha, beta, _ = servers
    await beta.add(feed_server.url(KELP.path))  # Beta has two shows now
    removed = await beta.manager.slash(beta.channel, "show remove", show=KELP.title)
    assert "Removed **Kelp Cast**" in removed.response.content
    assert "1 show left" in removed.response.content
    assert KELP.episode not in reply_text(await beta.ask("episode", query="forests"))
    assert KELP.episode in reply_text(await alpha.ask("episode", query="forests"))


async def test_a_server_that_removed_all_its_shows_answers_from_the_defaults(
    simcord_env: simcord.Env, servers: list[Server]
) -> None:
    alpha = servers[0]
    removed = await alpha.manager.slash(alpha.channel, "show remove", show="kelp")
    assert "default shows" in removed.response.content
    assert "Bolt.new" in reply_text(await alpha.ask("episode", query="bolt"))
    listed = await alpha.manager.slash(alpha.channel, "show list")
    assert "default shows" in reply_text(listed)
    assert "Latent Space" in reply_text(listed)


async def test_a_server_that_chose_nothing_answers_from_the_defaults(simcord_env: simcord.Env) -> None:
    fresh = await make_server(simcord_env, "Fresh")
    assert "Bolt.new" in reply_text(await fresh.ask("episode", query="bolt"))


async def test_show_list_gives_counts_and_when_each_was_read(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    await alpha.add(feed_server.url(TIDE.path))
    listed = reply_text(await alpha.manager.slash(alpha.channel, "show list"))
    assert "This server's shows" in listed
    assert "Kelp Cast" in listed
    assert "Tide Talk" in listed
    assert "Sonar Hour" not in listed
    assert listed.count("1 episodes") == 2
    assert "last read <t:" in listed


async def test_the_show_option_narrows_and_names_only_the_servers_shows(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    await alpha.add(feed_server.url(TIDE.path))
    both = reply_text(await alpha.ask("quote", text="lighthouse"))
    assert "keeper" in both or "floods" in both
    narrowed = reply_text(await alpha.ask("quote", text="lighthouse", show="Tide Talk"))
    assert "floods" in narrowed
    assert "keeper" not in narrowed
    outside = await alpha.ask("latest", show="Sonar Hour")
    assert outside.ephemeral
    assert "No show here matches “Sonar Hour”" in outside.response.content


async def test_adding_by_name_offers_the_directory_matches_to_pick_from(
    simcord_env: simcord.Env, feed_server: FeedServer
) -> None:
    server = await make_server(simcord_env, "Delta")
    offered = await server.add("sonar")
    assert "pick the one to add" in offered.response.content
    picked = await server.manager.select(offered.response, ["0"])
    assert picked.acknowledged
    final = await server.manager.slash(server.channel, "show list")
    assert "Sonar Hour" in reply_text(final)
    assert SONAR.episode in reply_text(await server.ask("latest"))


async def test_adding_by_a_name_with_one_match_adds_it_at_once(simcord_env: simcord.Env) -> None:
    server = await make_server(simcord_env, "Echo")
    added = await server.add("Tide Talk")
    assert "Added **Tide Talk**" in added.response.content


async def test_adding_what_cannot_be_read_says_why_and_adds_nothing(
    simcord_env: simcord.Env, feed_server: FeedServer
) -> None:
    server = await make_server(simcord_env, "Foxtrot")
    for source, expected in (
        ("no such podcast anywhere", "knows no show called"),
        (feed_server.url("/missing.xml"), "could not read that feed"),
        ("ftp://example.com/feed.xml", "cannot read that address"),
    ):
        result = await server.add(source)
        assert result.ephemeral
        assert expected in result.response.content, result.response.content
    assert "default shows" in reply_text(await server.manager.slash(server.channel, "show list"))


async def test_show_commands_are_for_managers_only(simcord_env: simcord.Env, feed_server: FeedServer) -> None:
    server = await make_server(simcord_env, "Golf")
    # A server may show the command to everyone; podbot still checks the permission itself.
    command = simcord_env.backend.find_command("show", server.guild.id)
    server.guild.set_command_permissions(int(command["id"]), {server.guild.default_role: True})
    refused = await server.member.slash(server.channel, "show add", source=feed_server.url(KELP.path))
    assert refused.ephemeral
    assert "Manage Server" in refused.response.content
    assert any(type(e).__name__ == "CheckFailure" for e in simcord_env.errors)
    assert "Bolt.new" in reply_text(await server.ask("episode", query="bolt"))


async def test_a_chosen_show_stays_current_without_announcing_anywhere(
    simcord_env: simcord.Env, servers: list[Server], feed_server: FeedServer
) -> None:
    alpha = servers[0]
    newer = (
        "<item><title>Kelp and the Otters</title><guid isPermaLink='false'>kelp#2</guid>"
        "<pubDate>Mon, 08 Jul 2024 12:00:00 +0000</pubDate></item>"
    )
    feed_server.serve(KELP.path, show_feed(KELP, feed_server.url(f"{KELP.path}.vtt"), extra_item=newer))
    for _ in range(3):  # the poll interval, its spread, and the first poll's baseline
        await simcord_env.advance_time(17 * 60)
    assert "Kelp and the Otters" in reply_text(await alpha.ask("latest"))
    # Nobody asked for announcements: none were posted.
    posts = [r for r in simcord_env.http_requests if r.method == "POST" and r.path.endswith("/messages")]
    assert posts == []


async def test_announce_set_offers_and_takes_one_of_the_servers_shows(
    simcord_env: simcord.Env, servers: list[Server]
) -> None:
    alpha = servers[0]
    offered = await alpha.manager.autocomplete(alpha.channel, "announce set", "feed", "")
    assert [c["name"] for c in offered] == [KELP.title]
    result = await alpha.manager.slash(
        alpha.channel, "announce set", channel=alpha.channel, feed=offered[0]["value"]
    )
    assert "New episodes of **Kelp Cast** will be announced" in result.response.content
