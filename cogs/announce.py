"""/announce: which channels announce new episodes; the cog starts and stops the feed service that polls.

The commands are for members with Manage Server: Discord hides them from everyone else by default
(`default_permissions`), and `interaction_check` refuses anyone without it at run time, because a server
can change who sees a command. The work is in bot.shows (reading a feed's show), bot.feeds.service
(subscribing, polling, exactly-once delivery) and bot.store; this cog parses the interaction, calls the
core, and renders the answer.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.feeds.announce import Announcement, PostStatus
from bot.feeds.service import CannotFollow, FeedService
from bot.links import redact_credentials
from bot.search.results import Suggestion
from bot.shaping import PLACEHOLDERS, ShapeError, Template, TitleFilter
from bot.shows import Added, ShowError
from bot.text import fold
from cogs.common.announcer import DiscordAnnouncer, forum_tag, missing_permissions
from cogs.common.choices import answer_choices
from cogs.common.errors import tell
from cogs.common.limits import EMBED_FIELDS, FIELD_NAME, FIELD_VALUE, shorten, shorten_lines
from cogs.common.render import ACCENT, md, md_within
from cogs.common.reply import deferred_if_slow, reply

if TYPE_CHECKING:
    from datetime import datetime

    from bot.client import PodBot
    from bot.store.subscriptions import Subscription

log = logging.getLogger(__name__)

# Where announcements can go: a text or announcement channel, or a forum (a post per episode).
AnnounceChannel = discord.TextChannel | discord.ForumChannel


def _when(moment: datetime | None) -> str:
    return discord.utils.format_dt(moment, style="R") if moment else "never"


def status_lines(subscription: Subscription) -> list[str]:
    """What /announce status says about one channel's feed."""
    feed = subscription.feed
    channel = f"<#{subscription.channel_id}>" + (
        f" · pings <@&{subscription.role_id}>" if subscription.role_id else ""
    )
    lines = [channel, md(shorten(redact_credentials(feed.url), 200))]
    shape = []
    if subscription.thread:
        shape.append("a thread on each")
    if subscription.template:
        shape.append(f"template `{shorten(subscription.template, 120).replace('`', 'ˋ')}`")
    if subscription.titles.include:
        shape.append("only titles with " + ", ".join(md(w) for w in subscription.titles.include))
    if subscription.titles.exclude:
        shape.append("never titles with " + ", ".join(md(w) for w in subscription.titles.exclude))
    if shape:
        lines.append("✏️ " + " · ".join(shape))
    if feed.paused:
        lines.append(
            f"⏸️ **Paused** after {feed.failures} failed checks: {md(feed.last_error or 'unknown error')}. "
            "Run `/announce set` with this feed to resume."
        )
    elif feed.failures:
        lines.append(
            f"⚠️ Failing since {_when(feed.failing_since)} ({feed.failures} checks): "
            f"{md(feed.last_error or 'unknown error')}. Next check {_when(feed.next_check)}."
        )
    else:
        checked = f"Last check {_when(feed.last_check)}" if feed.last_check else "Not checked yet"
        lines.append(f"{checked} · next {_when(feed.next_check)}")
    if feed.shared_guids:
        lines.append(f"ℹ️ {md(shorten(feed.shared_guids, 400))}")
    if subscription.last_error:
        lines.append(
            f"❗ Last announcement failed {_when(subscription.last_error_at)}: {md(subscription.last_error)}"
        )
    elif subscription.last_sent_at:
        lines.append(f"Last announcement {_when(subscription.last_sent_at)}")
    return lines


class Announce(commands.Cog):
    announce = app_commands.Group(
        name="announce",
        description="Announce new episodes in this server's channels (Manage Server only).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: PodBot) -> None:
        self.bot = bot
        self.announcer = DiscordAnnouncer(bot)
        self._feeds: FeedService | None = None

    @property
    def feeds(self) -> FeedService:
        if self._feeds is None:
            raise RuntimeError("feeds are followed only while the bot serves (not in a one-shot run)")
        return self._feeds

    async def cog_load(self) -> None:
        if not self.bot.serving:
            return  # a one-shot run (`podbot sync`): no store, no polling
        self._feeds = FeedService.over(self.bot.core, self.announcer, clock=discord.utils.utcnow)
        self._feeds.start(self.bot.wait_until_ready)

    async def cog_unload(self) -> None:
        if self._feeds is not None:
            await self._feeds.close()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage
        if not interaction.permissions.manage_guild:
            raise app_commands.CheckFailure(
                "Only members with the Manage Server permission can manage announcements."
            )
        return True

    # --- /announce set ------------------------------------------------------------------------------------

    @announce.command(
        name="set", description="Announce new episodes of a feed in a channel, optionally pinging a role."
    )
    @app_commands.describe(
        channel="Where to post new episodes.",
        feed="One of this server's shows, or a feed's http(s) URL (added to the server's shows); empty: the default feed.",
        role="A role to ping with each new episode (not @everyone).",
        thread="Open a discussion thread on each announcement, named after the episode.",
        template="The message: text with " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + ".",
        only="Announce only titles with one of these words (comma-separated), e.g. interview.",
        skip="Never announce titles with any of these words (comma-separated), e.g. trailer, bonus.",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        channel: AnnounceChannel,
        feed: app_commands.Range[str, 1, 500] | None = None,
        role: discord.Role | None = None,
        thread: bool = False,
        template: app_commands.Range[str, 1, 1000] | None = None,
        only: app_commands.Range[str, 1, 500] | None = None,
        skip: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        async with deferred_if_slow(interaction, ephemeral=True):
            # The shape first: a typo in a template is the cheapest thing to tell.
            try:
                shaped = Template.parse(template).text if template else None
                titles = TitleFilter.parse(only, skip)
            except ShapeError as error:
                await tell(interaction, f"I cannot use that: {md(str(error))}.")
                return
            url = (feed or self.bot.settings.feed_url or "").strip()
            if not url:
                await tell(interaction, "Give the feed's URL: this bot has no default feed configured.")
                return
            if "://" not in url:
                # One of the server's shows, picked from the list or typed by its title.
                scope = await self.bot.shows.scope_for(channel.guild.id)
                show = await self.bot.shows.find(scope, url)
                if show is None or not show.feed_url:
                    await tell(
                        interaction,
                        f"“{md(shorten(url, 100))}” is neither one of this server's shows with a feed nor an "
                        "http(s) feed URL.",
                    )
                    return
                url = show.feed_url
            try:
                self.feeds.check_address(url)
            except CannotFollow as refusal:
                await tell(interaction, md(str(refusal)))
                return
            missing = missing_permissions(channel, thread=thread)
            if missing:
                await tell(
                    interaction,
                    f"I cannot post in {channel.mention}: give me {', '.join(missing)} there first.",
                )
                return
            if role is not None and role.is_default():
                await tell(
                    interaction,
                    "@everyone cannot be the announcement role: pick a role members can choose to join.",
                )
                return
            # What a server announces, its listeners can search: the feed's show joins the server's
            # shows (read now, in full, within the fetch limits).
            try:
                added = await self.bot.shows.add(channel.guild.id, url, added_by=interaction.user.id)
            except ShowError as error:
                await tell(interaction, md(str(error)))
                return
            assert isinstance(added, Added)  # a URL is read, never looked up in the directory
            title = added.show.title
            tag = forum_tag(channel, title) if isinstance(channel, discord.ForumChannel) else None
            if isinstance(channel, discord.ForumChannel) and tag is None and channel.flags.require_tag:
                await tell(
                    interaction,
                    f"{channel.mention} requires a tag on each post: add a tag named after the show "
                    f"(“{md(shorten(title, 20))}”) first, or let posts go untagged.",
                )
                return
            await self.feeds.follow(
                guild_id=channel.guild.id,
                channel_id=channel.id,
                feed_url=url,
                role_id=role.id if role else None,
                template=shaped,
                thread=thread,
                titles=titles,
            )
            log.info("guild %s: announcing %s in #%s", channel.guild.id, url, channel.name)
            ping = f", pinging {role.mention}" if role else ""
            note = ""
            if (
                role is not None
                and not role.mentionable
                and not channel.permissions_for(channel.guild.me).mention_everyone
            ):
                note = f"\nNote: {role.mention} is not mentionable, so the ping will not notify anyone; allow anyone to mention it in Server Settings → Roles."
            minutes = f"{self.bot.settings.poll_minutes:g}"
            if isinstance(channel, discord.ForumChannel):
                note += "\nEach episode becomes a post" + (f" tagged {md(tag.name)}." if tag else ".")
            elif thread:
                note += "\nEach announcement opens a thread for discussing the episode."
            if isinstance(channel, discord.TextChannel) and channel.is_news():
                note += "\nThis is an announcement channel: each announcement is published to the servers that follow it."
            if titles.include or titles.exclude:
                note += "\nOnly titles that pass the keyword filter are announced."
            await reply(
                interaction,
                content=(
                    f"New episodes of **{md(title)}** will be announced in {channel.mention}{ping}. "
                    f"Episodes already in the feed are not announced; I check it every {minutes} minutes.{note}"
                ),
                ephemeral=True,
            )

    @set_.autocomplete("feed")
    async def feed_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The server's shows that have a feed; a URL typed is taken as it is."""

        async def shows() -> list[Suggestion]:
            scope = await self.bot.shows.scope_for(interaction.guild_id)
            wanted = fold(current)
            return [
                Suggestion(label=s.title, value=str(s.id))
                for s in await self.bot.shows.shows_in(scope)
                if s.feed_url and wanted in fold(s.title)
            ]

        return await answer_choices(shows(), what="/announce set feed")

    # --- /announce remove ---------------------------------------------------------------------------------

    @announce.command(
        name="remove", description="Stop announcing in a channel, or in every channel of this server."
    )
    @app_commands.describe(channel="The channel to stop announcing in; leave empty for all of them.")
    async def remove(self, interaction: discord.Interaction, channel: AnnounceChannel | None = None) -> None:
        assert interaction.guild_id is not None
        # A write: it waits for the store's write lock, which a poll storing a big feed holds for seconds.
        async with deferred_if_slow(interaction, ephemeral=True):
            removed = await self.bot.store.follows.unsubscribe(
                guild_id=interaction.guild_id, channel_id=channel.id if channel else None
            )
            where = channel.mention if channel else "this server"
            if not removed:
                await tell(interaction, f"Nothing was being announced in {where}.")
                return
            await reply(interaction, content=f"Stopped announcing new episodes in {where}.", ephemeral=True)

    # --- /announce status ---------------------------------------------------------------------------------

    @announce.command(
        name="status", description="Show the feeds this server follows, their last check and any problem."
    )
    async def status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        async with deferred_if_slow(interaction, ephemeral=True):
            await self._status(interaction, interaction.guild_id)

    async def _status(self, interaction: discord.Interaction, guild_id: int) -> None:
        subscriptions = await self.bot.store.follows.subscriptions(guild_id=guild_id)
        if not subscriptions:
            await tell(interaction, "Nothing is announced in this server yet. Start with `/announce set`.")
            return
        embed = discord.Embed(title="Announcements in this server", colour=ACCENT)
        shown = subscriptions[: EMBED_FIELDS - 1] if len(subscriptions) > EMBED_FIELDS else subscriptions
        for subscription in shown:
            # The title is the feed's text: shown as written, never as markdown or a mention.
            name = md_within(subscription.feed.title, FIELD_NAME) if subscription.feed.title else ""
            embed.add_field(
                name=name or "Feed not read yet",
                value=shorten_lines(status_lines(subscription), FIELD_VALUE),
                inline=False,
            )
        if len(shown) < len(subscriptions):
            embed.add_field(name="…", value=f"and {len(subscriptions) - len(shown)} more", inline=False)
        await reply(interaction, embeds=[embed], ephemeral=True)

    # --- /announce test -----------------------------------------------------------------------------------

    @announce.command(name="test", description="Post the latest episode now, marked as a test.")
    @app_commands.describe(channel="Where to post it; leave empty for this server's announcement channel.")
    async def test(self, interaction: discord.Interaction, channel: AnnounceChannel | None = None) -> None:
        async with deferred_if_slow(interaction, ephemeral=True):
            assert interaction.guild_id is not None
            subscriptions = await self.bot.store.follows.subscriptions(guild_id=interaction.guild_id)
            if channel is None and not subscriptions:
                await tell(
                    interaction,
                    "Nothing is announced in this server yet: give a channel, or start with `/announce set`.",
                )
                return
            channel_id = channel.id if channel else subscriptions[0].channel_id
            chosen = next((s for s in subscriptions if s.channel_id == channel_id), None)
            role_id = chosen.role_id if chosen else None
            latest = await self.bot.search.latest(scope=await self.bot.shows.scope_for(interaction.guild_id))
            if latest is None:
                await tell(interaction, "There are no episodes yet to show.")
                return
            result = await self.announcer.announce(
                Announcement(
                    channel_id=channel_id,
                    role_id=role_id,
                    episode=latest,
                    nonce=secrets.token_hex(12),
                    test=True,
                    template=chosen.template if chosen else None,
                )
            )
            if result.status is PostStatus.SENT:
                await reply(
                    interaction, content=f"Posted a test announcement in <#{channel_id}>.", ephemeral=True
                )
            else:
                await tell(
                    interaction,
                    f"I could not post in <#{channel_id}>: {md(result.error or 'unknown error')}.",
                )


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Announce(bot))
