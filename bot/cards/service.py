"""Quote cards for the bot: the show's artwork fetched through the guarded fetcher and cached, the card
rendered in a thread so the event loop (and the gateway heartbeat) never waits on Pillow.

Artwork is optional decoration: a URL that is not http(s), a blocked address, a slow or huge download, or
bytes that are no picture all give a card without art, never an error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from bot.cards.quote import QuoteCard, render_quote_card
from bot.links import is_web_url
from bot.net.fetch import FetchError, Limits

if TYPE_CHECKING:
    from bot.net.fetch import Fetcher

log = logging.getLogger(__name__)

# Show artwork is usually 1400–3000 px square, 0.2–2 MB; a card must not wait long for decoration.
ARTWORK_LIMITS = Limits(connect_s=3.0, total_s=6.0, max_bytes=4 * 1024 * 1024, max_redirects=3)
CACHED_ARTWORKS = 32
# A failed fetch is not retried for every card: the show's artwork rarely comes back within minutes.
FAILURE_TTL_S = 600.0


class QuoteCards:
    def __init__(
        self, fetcher: Fetcher | None, *, cached: int = CACHED_ARTWORKS, limits: Limits = ARTWORK_LIMITS
    ) -> None:
        self._fetcher = fetcher
        self._limits = limits
        self._size = cached
        # url -> (bytes or None for a failure, when it was stored)
        self._artwork: OrderedDict[str, tuple[bytes | None, float]] = OrderedDict()
        self._inflight: dict[str, asyncio.Task[bytes | None]] = {}

    async def artwork(self, url: str | None) -> bytes | None:
        """The artwork's bytes (at most ARTWORK_LIMITS.max_bytes), from the cache when fetched before."""
        if not is_web_url(url) or self._fetcher is None:
            return None
        assert url is not None
        cached = self._artwork.get(url)
        if cached is not None:
            body, stored_at = cached
            if body is not None or time.monotonic() - stored_at < FAILURE_TTL_S:
                self._artwork.move_to_end(url)
                return body
        # Several cards of one show at once share one download.
        task = self._inflight.get(url)
        if task is None:
            task = self._inflight[url] = asyncio.create_task(self._fetch(url), name="podbot-artwork")
            task.add_done_callback(lambda _: self._inflight.pop(url, None))
        return await asyncio.shield(task)

    async def _fetch(self, url: str) -> bytes | None:
        assert self._fetcher is not None
        try:
            body: bytes | None = (await self._fetcher.fetch(url, limits=self._limits)).body or None
        except FetchError as error:
            log.info("no artwork for a quote card from %s: %s", url, error)
            body = None
        self._artwork[url] = (body, time.monotonic())
        self._artwork.move_to_end(url)
        while len(self._artwork) > self._size:
            self._artwork.popitem(last=False)
        return body

    async def render(self, card: QuoteCard, artwork_url: str | None) -> bytes:
        """The card as PNG bytes; rendered in a worker thread."""
        artwork = await self.artwork(artwork_url)
        return await asyncio.to_thread(render_quote_card, card, artwork)
