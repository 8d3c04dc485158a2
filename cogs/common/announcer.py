"""Posting announcements on Discord: bot.feeds.announce.Announcer, implemented with discord.py.

Every message allows exactly the configured role to be pinged, and nothing else: the role's mention is in
the content (pings inside embeds notify no one), everything from the feed is in the embed and escaped.
A resend after a crash (`maybe_sent`) first looks for the message in the channel, then sends with the same
nonce: discord.py sends `enforce_nonce`, so Discord itself returns the earlier message for a few minutes.
Nothing here raises for Discord or network errors; the result says whether to retry.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.feeds.announce import Announcement, PostResult
from cogs.common.components import listen_buttons, stateless_view
from cogs.common.limits import fit_content, fit_embed
from cogs.common.render import episode_embed, md

if TYPE_CHECKING:
    from bot.client import PodBot

log = logging.getLogger(__name__)

# What podbot needs in an announcement channel, with the names Discord's settings show.
NEEDED = {"view_channel": "View Channel", "send_messages": "Send Messages", "embed_links": "Embed Links"}
# How far back a resend looks for a copy an interrupted attempt may have posted.
LOOK_BACK = 50

PostableChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel


def missing_permissions(channel: PostableChannel) -> list[str]:
    """The permissions podbot lacks to announce in `channel`, as Discord's settings name them."""
    granted = channel.permissions_for(channel.guild.me)
    needed = dict(NEEDED)
    if isinstance(channel, discord.Thread):
        needed["send_messages_in_threads"] = "Send Messages in Threads"
        del needed["send_messages"]
    missing = [label for name, label in needed.items() if not getattr(granted, name)]
    # Without the first, Discord takes the later ones away too: naming them would send people looking
    # for overrides that are not there.
    for cause in ("View Channel", "Send Messages", "Send Messages in Threads"):
        if cause in missing:
            return [cause]
    return missing


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
        content = f"🧪 **Test announcement** from `/announce test`, not a new episode.{would_ping}\nLatest episode of **{show}**"
        allowed = discord.AllowedMentions.none()
    else:
        content = f"{role} New episode of **{show}**".strip()
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
        if announcement.maybe_sent and not announcement.test:
            earlier = await self._earlier_copy(channel, embed, announcement)
            if earlier is not None:
                log.info(
                    "announcement %s was already in #%s; not posting it again",
                    announcement.nonce,
                    channel.name,
                )
                return PostResult.sent(earlier.id)
        try:
            message = await channel.send(
                content=content,
                embed=embed,
                allowed_mentions=allowed,
                nonce=announcement.nonce,
                # Link buttons only: nothing to dispatch, nothing kept in memory per message.
                view=stateless_view(listen_buttons(announcement.episode)),
            )
        except discord.HTTPException as error:
            return _failure(error, channel)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return PostResult.retry(f"could not reach Discord ({type(error).__name__})")
        return PostResult.sent(message.id)

    async def warn(self, channel_id: int, text: str) -> PostResult:
        channel = await self._channel(channel_id, need_embeds=False)
        if isinstance(channel, PostResult):
            return channel
        try:
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
        self, channel: PostableChannel, embed: discord.Embed, announcement: Announcement
    ) -> discord.Message | None:
        """The message an interrupted attempt may have posted: the bot's, after the intent, same episode."""
        if not channel.permissions_for(channel.guild.me).read_message_history or self.bot.user is None:
            return None  # the nonce is all there is to go on
        after = None
        if announcement.recorded_at is not None:
            after = discord.Object(
                discord.utils.time_snowflake(announcement.recorded_at - timedelta(minutes=1))
            )
        try:
            async for message in channel.history(limit=LOOK_BACK, after=after):
                if message.author.id == self.bot.user.id and any(
                    e.title == embed.title and e.url == embed.url for e in message.embeds
                ):
                    return message
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
