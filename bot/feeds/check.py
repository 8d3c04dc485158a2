"""Whether an address is a feed podbot can follow, answered before anyone follows it.

What `/announce set` asks before it subscribes a channel: the address passes the SSRF guard, and what it
serves is a feed the poller will be able to read. The answer to a refusal is one sentence for the person
who asked; what it quotes (an error, an address) is theirs to escape for where it is shown.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.feeds.source import explain_parse_error
from bot.ingest.errors import ParseError
from bot.ingest.feed import read_feed
from bot.net.fetch import FEED_LIMITS, FetchError
from bot.net.guard import BlockedURL, check_url

if TYPE_CHECKING:
    from bot.net.fetch import Fetcher
    from bot.net.guard import AddressPolicy


class CannotFollow(Exception):
    """The feed cannot be followed; the message is one sentence that says why."""


def check_address(url: str, policy: AddressPolicy) -> None:
    """CannotFollow unless `url` is an http(s) address the guard lets podbot fetch."""
    try:
        check_url(url, policy)
    except BlockedURL as error:
        raise CannotFollow(f"I cannot follow that feed: {error}.") from error


async def read_title(fetcher: Fetcher, url: str) -> str:
    """The show's title in the feed at `url`, fetched within the feed limits and parsed off the event loop;
    CannotFollow when it cannot be fetched or is not a feed."""
    content_type = ""
    try:
        fetched = await fetcher.fetch(url, limits=FEED_LIMITS)
        content_type = fetched.content_type
        document = await asyncio.to_thread(read_feed, fetched.body, feed_url=url)
    except FetchError as error:
        raise CannotFollow(f"I could not read that feed: {error}.") from error
    except ParseError as error:
        raise CannotFollow(
            f"That is not a podcast feed I can read: {explain_parse_error(error, content_type)}."
        ) from error
    return document.show.title
