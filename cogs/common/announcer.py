"""Posting announcements on Discord: bot.feeds.announce.Announcer, implemented with discord.py.

Every message allows exactly the configured role to be pinged, and nothing else: the role's mention is in
the content (pings inside embeds notify no one), everything from the feed is in the embed and escaped.
A resend after a crash (`maybe_sent`) first looks for the message in the channel, then sends with the same
nonce: discord.py sends `enforce_nonce`, so Discord itself returns the earlier message for a few minutes.
Nothing here raises for Discord or network errors; the result says whether to retry.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.feeds.announce import Announcement, PostResult
from bot.links import is_web_url
from bot.shaping import DEFAULT_TEMPLATE, ShapeError, Template
from bot.text import fold, format_timestamp
from cogs.common.components import listen_buttons, stateless_view
from cogs.common.limits import fit_content, fit_embed, shorten
from cogs.common.render import defuse_mentions, episode_embed, md, names

if TYPE_CHECKING:
    from bot.client import PodBot

log = logging.getLogger(__name__)

# What podbot needs in an announcement channel, with the names Discord's settings show.
NEEDED = {"view_channel": "View Channel", "send_messages": "Send Messages", "embed_links": "Embed Links"}
# How far back a resend looks for a copy an interrupted attempt may have posted.
LOOK_BACK = 50

# Discord's limit on a thread's (and a forum post's) name.
THREAD_NAME = 100

PostableChannel = (
    discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel | discord.ForumChannel
)


def missing_permissions(channel: PostableChannel, *, thread: bool = False) -> list[str]:
    """The permissions podbot lacks to announce in `channel` (and to open a discussion thread on each
    announcement, with `thread`), as Discord's settings name them."""
    granted = channel.permissions_for(channel.guild.me)
    needed = dict(NEEDED)
    if isinstance(channel, discord.Thread):
        needed["send_messages_in_threads"] = "Send Messages in Threads"
        del needed["send_messages"]
    elif thread and not isinstance(channel, discord.ForumChannel):
        # A forum post is a thread already; elsewhere the thread is opened on the announcement.
        needed["create_public_threads"] = "Create Public Threads"
    missing = [label for name, label in needed.items() if not getattr(granted, name)]
    # Without the first, Discord takes the later ones away too: naming them would send people looking
    # for overrides that are not there.
    for cause in ("View Channel", "Send Messages", "Send Messages in Threads"):
        if cause in missing:
            return [cause]
    return missing


def forum_tag(forum: discord.ForumChannel, show_title: str) -> discord.ForumTag | None:
    """The forum's tag for the show, ignoring case, accents and punctuation: named as the show is, else
    the longest tag that the show's title starts with in whole words (tags hold at most 20 characters:
    "Latent Space" is the tag of "Latent Space: The AI Engineer Podcast")."""
    wanted = fold(show_title)
    if not wanted:
        return None
    best: discord.ForumTag | None = None
    for tag in forum.available_tags:
        name = fold(tag.name)
        if name == wanted:
            return tag
        if (
            name
            and f"{wanted} ".startswith(f"{name} ")
            and (best is None or len(name) > len(fold(best.name)))
        ):
            best = tag
    return best


def _template(text: str | None) -> Template:
    try:
        return Template.parse(text) if text else Template(DEFAULT_TEMPLATE)
    except ShapeError:
        # Checked when it was set; a template stored by an older podbot falls back rather than fail.
        log.warning("an announcement template no longer parses; using the default")
        return Template(DEFAULT_TEMPLATE)


def announcement_text(announcement: Announcement, role: str) -> str:
    """The subscription's template filled in. Feed text is escaped and its mentions defused; the
    template's own text is the manager's, but its mentions are defused too: only `{role}` pings."""
    stored = announcement.episode
    ep = stored.episode
    template = _template(announcement.template)
    values = {
        "show": md(stored.show_title),
        "title": md(shorten(ep.title, 300)),
        # A bare URL: escaping would break it; only web URLs from the feed are shown.
        "url": ep.link.strip() if is_web_url(ep.link) else "",
        "duration": format_timestamp(ep.duration_s) if ep.duration_s else "",
        "guests": names(ep.guests[:10]),
        # A token no feed can guess stands for the role while everything else is defused.
        "role": (token := f"podbot-role-{secrets.token_hex(8)}") if role else "",
    }
    text = defuse_mentions(template.render(values))
    if role:
        text = text.replace(token, role)
    if role and not template.has_role:
        text = f"{role} {text}"  # the configured ping is in the content, or it notifies no one
    return text


def announcement_message(
    announcement: Announcement, role_name: str | None = None
) -> tuple[str, discord.Embed, discord.AllowedMentions]:
    """Content, embed and allowed mentions of one announcement (`role_name` names its role in a test)."""
    stored = announcement.episode
    show = md(stored.show_title)
    role = f"<@&{announcement.role_id}>" if announcement.role_id else ""
    if announcement.test:
        # A test says whom it would ping, by name: not even the mention's highlight.
        would_ping = f" It would ping @{md(role_name or 'a deleted role')}." if role else ""
        # The default text says "new episode"; a test of a template shows the template.
        text = announcement_text(announcement, "") if announcement.template else ""
        content = f"🧪 **Test announcement** from `/announce test`, not a new episode.{would_ping}\n{text or f'Latest episode of **{show}**'}"
        allowed = discord.AllowedMentions.none()
    else:
        content = announcement_text(announcement, role) or f"New episode of **{show}**"
        allowed = discord.AllowedMentions(
            everyone=False,
            users=False,
            roles=[discord.Object(announcement.role_id)] if announcement.role_id else False,
            replied_user=False,
        )
    return fit_content(content), fit_embed(episode_embed(stored)), allowed


class DiscordAnnouncer:
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot

    async def announce(self, announcement: Announcement) -> PostResult:
        channel = await self._channel(announcement.channel_id)
        if isinstance(channel, PostResult):
            return channel
        role = channel.guild.get_role(announcement.role_id) if announcement.role_id else None
        content, embed, allowed = announcement_message(announcement, role.name if role else None)
        name = shorten(" ".join(announcement.episode.episode.title.split()), THREAD_NAME) or "New episode"
        if announcement.maybe_sent and not announcement.test:
            earlier = await self._earlier_copy(channel, embed, announcement, name)
            if earlier is not None:
                log.info(
                    "announcement %s was already in #%s; not posting it again",
                    announcement.nonce,
                    channel.name,
                )
                return PostResult.sent(earlier)
        # Link buttons only: nothing to dispatch, nothing kept in memory per message.
        view = stateless_view(listen_buttons(announcement.episode))
        # MISSING, not None: discord.py reads view=None as "remove the components".
        components = view if view is not None else discord.utils.MISSING
        try:
            if isinstance(channel, discord.ForumChannel):
                # Each episode is a post of its own, tagged with the show where the forum has that tag.
                tag = forum_tag(channel, announcement.episode.show_title)
                posted = await channel.create_thread(
                    name=name,
                    content=content,
                    embed=embed,
                    allowed_mentions=allowed,
                    applied_tags=[tag] if tag else [],
                    view=components,
                )
                return PostResult.sent(posted.message.id)
            message = await channel.send(
                content=content,
                embed=embed,
                allowed_mentions=allowed,
                nonce=announcement.nonce,
                view=components,
            )
        except discord.HTTPException as error:
            return _failure(error, channel)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return PostResult.retry(f"could not reach Discord ({type(error).__name__})")
        if not announcement.test:
            await self._follow_up(message, channel, announcement, name)
        return PostResult.sent(message.id)

    async def _follow_up(
        self, message: discord.Message, channel: PostableChannel, announcement: Announcement, name: str
    ) -> None:
        """Publish to following servers in an announcement channel, and open the discussion thread. The
        announcement is out either way: a failure here is logged, never a reason to post again."""
        if isinstance(channel, discord.TextChannel) and channel.is_news():
            try:
                await message.publish()
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
                log.warning("could not publish the announcement in #%s: %s", channel.name, error)
        if announcement.thread and not isinstance(channel, discord.Thread):
            try:
                await message.create_thread(name=name, auto_archive_duration=1440)
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
                log.warning("could not open a thread on the announcement in #%s: %s", channel.name, error)

    async def warn(self, channel_id: int, text: str) -> PostResult:
        channel = await self._channel(channel_id, need_embeds=False)
        if isinstance(channel, PostResult):
            return channel
        try:
            if isinstance(channel, discord.ForumChannel):
                # A forum takes no plain messages: the warning is a post of its own.
                posted = await channel.create_thread(
                    name="podbot", content=fit_content(text), allowed_mentions=discord.AllowedMentions.none()
                )
                return PostResult.sent(posted.message.id)
            message = await channel.send(
                content=fit_content(text), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as error:
            return _failure(error, channel)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return PostResult.retry(f"could not reach Discord ({type(error).__name__})")
        return PostResult.sent(message.id)

    async def _channel(self, channel_id: int, *, need_embeds: bool = True) -> PostableChannel | PostResult:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                return PostResult.failed("the channel no longer exists; remove it with /announce remove")
            except discord.Forbidden:
                return PostResult.failed("podbot cannot see the channel any more")
            except discord.HTTPException as error:
                return PostResult.retry(f"Discord answered {error.status} looking up the channel")
            except (aiohttp.ClientError, TimeoutError, OSError) as error:
                return PostResult.retry(f"could not reach Discord ({type(error).__name__})")
        if not isinstance(channel, PostableChannel):
            return PostResult.failed("the channel is not one podbot can post announcements in")
        missing = [m for m in missing_permissions(channel) if need_embeds or m != "Embed Links"]
        if missing:
            return PostResult.failed(f"podbot lacks {', '.join(missing)} in #{channel.name}")
        return channel

    async def _earlier_copy(
        self, channel: PostableChannel, embed: discord.Embed, announcement: Announcement, name: str
    ) -> int | None:
        """The id of the message an interrupted attempt may have posted: the bot's, after the intent,
        same episode."""
        if self.bot.user is None:
            return None
        after = None
        if announcement.recorded_at is not None:
            after = discord.Object(
                discord.utils.time_snowflake(announcement.recorded_at - timedelta(minutes=1))
            )
        if isinstance(channel, discord.ForumChannel):
            # A forum post's first message has the post's id; the guild cache holds the active posts.
            for post in channel.threads:
                if (
                    post.owner_id == self.bot.user.id
                    and post.name == name
                    and (after is None or post.id > after.id)
                ):
                    return post.id
            return None
        if not channel.permissions_for(channel.guild.me).read_message_history:
            return None  # the nonce is all there is to go on
        try:
            async for message in channel.history(limit=LOOK_BACK, after=after):
                if message.author.id == self.bot.user.id and any(
                    e.title == embed.title and e.url == embed.url for e in message.embeds
                ):
                    return message.id
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError):
            log.warning("could not look for an earlier copy in #%s", channel.name, exc_info=True)
        return None


def _failure(error: discord.HTTPException, channel: PostableChannel) -> PostResult:
    if isinstance(error, discord.Forbidden):
        return PostResult.failed(
            f"Discord refused: podbot may not post in #{channel.name} ({error.text or 'Missing Permissions'})"
        )
    if isinstance(error, discord.NotFound):
        return PostResult.failed("the channel no longer exists; remove it with /announce remove")
    if isinstance(error, discord.DiscordServerError) or error.status == 429:
        return PostResult.retry(f"Discord answered {error.status}")
    # Any other 4xx would fail again the same way: give up on this message, say why.
    log.error("Discord refused an announcement in #%s: %s %s", channel.name, error.status, error.text)
    return PostResult.failed(f"Discord refused the message ({error.status}: {error.text})")
