"""Helpers for poller tests: feeds built from a few facts, a clock the test moves, and a channel-like
announcer that keeps what was posted (and, like Discord with enforce_nonce, recognises a resent nonce)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from bot.feeds.announce import Announcement, PostResult

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


@dataclass(frozen=True)
class Item:
    guid: str | None
    title: str
    published: datetime | None = None
    audio: str | None = None
    notes: str = ""
    chapters_url: str | None = None
    transcript_url: str | None = None


def rss(items: Sequence[Item], *, title: str = "Test Cast", extra_channel: str = "") -> bytes:
    """An RSS feed listing `items` in the order given (feeds list the newest first)."""
    parts = []
    for item in items:
        fields = [f"<title>{escape(item.title)}</title>"]
        if item.guid is not None:
            fields.append(f"<guid isPermaLink='false'>{escape(item.guid)}</guid>")
        if item.published:
            fields.append(f"<pubDate>{item.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>")
        if item.audio:
            fields.append(f"<enclosure url='{escape(item.audio)}' type='audio/mpeg' length='1'/>")
        if item.notes:
            fields.append(f"<description><![CDATA[{item.notes}]]></description>")
        if item.chapters_url:
            fields.append(
                f"<podcast:chapters url='{escape(item.chapters_url)}' type='application/json+chapters'/>"
            )
        if item.transcript_url:
            fields.append(f"<podcast:transcript url='{escape(item.transcript_url)}' type='text/vtt'/>")
        fields.append("<itunes:duration>1:00:00</itunes:duration>")
        parts.append("<item>" + "".join(fields) + "</item>")
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'"
        " xmlns:podcast='https://podcastindex.org/namespace/1.0'><channel>"
        f"<title>{escape(title)}</title><itunes:author>Ana + Bo</itunes:author>{extra_channel}"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def day(n: int) -> datetime:
    return datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(days=n)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2024, 6, 1, 12, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class Posted:
    channel_id: int
    title: str
    role_id: int | None
    nonce: str
    test: bool = False


@dataclass
class FakeChannels:
    """Channels that keep their messages. `broken` channels answer like Discord would for them."""

    posted: list[Posted] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    broken: dict[int, PostResult] = field(default_factory=dict)
    # Called after a message is posted and before the result is returned: where a crash can strike.
    after_post: Callable[[Posted], None] | None = None
    seen_maybe_sent: list[str] = field(default_factory=list)

    async def announce(self, announcement: Announcement) -> PostResult:
        if announcement.channel_id in self.broken:
            return self.broken[announcement.channel_id]
        if announcement.maybe_sent:
            self.seen_maybe_sent.append(announcement.nonce)
            for index, message in enumerate(self.posted):
                if message.nonce == announcement.nonce and message.channel_id == announcement.channel_id:
                    return PostResult.sent(index)
        message = Posted(
            announcement.channel_id,
            announcement.episode.episode.title,
            announcement.role_id,
            announcement.nonce,
            announcement.test,
        )
        self.posted.append(message)
        if self.after_post is not None:
            self.after_post(message)
        return PostResult.sent(len(self.posted) - 1)

    async def warn(self, channel_id: int, text: str) -> PostResult:
        if channel_id in self.broken:
            return self.broken[channel_id]
        self.warnings.append((channel_id, text))
        return PostResult.sent(None)

    def titles(self, channel_id: int) -> list[str]:
        return [p.title for p in self.posted if p.channel_id == channel_id]
