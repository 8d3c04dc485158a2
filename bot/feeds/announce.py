"""What the poller asks of whoever posts announcements, without knowing it is Discord.

cogs/announce.py implements Announcer with discord.py; tests implement it with a list. The contract for
exactly-once delivery lives here: `maybe_sent` tells the implementation an earlier attempt may already have
reached the channel (a crash between sending and recording), so it must not post a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.store import StoredEpisode


class PostStatus(StrEnum):
    SENT = "sent"  # posted now, or found already posted by an earlier attempt
    RETRY = "retry"  # a passing failure (Discord 5xx, network): try again on the next cycle
    FAILED = "failed"  # will not work until a person changes something: permissions, a deleted channel


@dataclass(frozen=True, slots=True)
class PostResult:
    status: PostStatus
    message_id: int | None = None
    error: str | None = None

    @classmethod
    def sent(cls, message_id: int | None) -> PostResult:
        return cls(PostStatus.SENT, message_id)

    @classmethod
    def retry(cls, error: str) -> PostResult:
        return cls(PostStatus.RETRY, error=error)

    @classmethod
    def failed(cls, error: str) -> PostResult:
        return cls(PostStatus.FAILED, error=error)


@dataclass(frozen=True, slots=True)
class Announcement:
    channel_id: int
    role_id: int | None
    episode: StoredEpisode
    # Deterministic per subscription and episode: a resend carries the same nonce as the lost send.
    nonce: str
    # An earlier attempt was started and not recorded as done: look before posting again.
    maybe_sent: bool = False
    # When the intent was recorded; a copy posted by an earlier attempt is not older than this.
    recorded_at: datetime | None = None
    # `/announce test`: marked as a test, never deduplicated.
    test: bool = False
    # The subscription's shape (bot.shaping): its text template (None: the default), and whether
    # each announcement opens a discussion thread named after the episode.
    template: str | None = None
    thread: bool = False


class Announcer(Protocol):
    async def announce(self, announcement: Announcement) -> PostResult:
        """Post one new-episode message; never raises for Discord or network errors."""
        ...

    async def warn(self, channel_id: int, text: str) -> PostResult:
        """Post a plain notice (a failing feed) that can mention no one."""
        ...
