"""The composition root: store, search and the show service, built from Settings in one place for the
CLI and the bot alike.

What each entry point differs in is said by the arguments: the bot runs its lookups in a process of their
own (`isolated`) and fetches feeds (`network`); a CLI command that only reads needs neither. Whatever
`Core.open` built, `close()` closes, in the reverse order; a store or search handed in (tests) stays the
caller's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, Self

from bot.bootstrap import open_store
from bot.cards.service import QuoteCards
from bot.shows import ShowService

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from types import TracebackType

    from bot.config import Settings
    from bot.net.fetch import Fetcher
    from bot.search import Search
    from bot.store import Store


log = logging.getLogger(__name__)


class Closable(Protocol):
    async def close(self) -> None: ...


@dataclass
class Core:
    settings: Settings
    store: Store
    search: Search
    shows: ShowService
    fetcher: Fetcher | None = None
    # Quote cards, with artwork through `fetcher` (none without a network: cards without art).
    cards: QuoteCards | None = None
    _closers: list[Closable] = field(default_factory=list, repr=False)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        isolated: bool = False,
        network: bool = False,
        store: Store | None = None,
        search: Search | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> Self:
        """Open what is not given. `isolated`: lookups in a process of their own (the bot). `network`: a
        guarded fetcher for feeds and the podcast directory (adding shows)."""
        # Imported here: `podbot --version` and one-shot commands never load the search machinery.
        from bot.search import Search

        closers: list[Closable] = []
        try:
            if store is None:
                store = await open_store(settings.db, seed=settings.seed_bundled)
                closers.append(store)
            if search is None:
                search = Search(store, isolated=isolated)
                closers.append(search)
            fetcher = files = policy = None
            if network:
                from bot.feeds.files import FileReader
                from bot.net.fetch import Fetcher
                from bot.net.guard import AddressPolicy

                policy = AddressPolicy(allow_private=settings.allow_private_urls)
                fetcher = Fetcher(policy)
                closers.append(fetcher)
                files = FileReader(fetcher)
            shows = ShowService(
                settings,
                store,
                search,
                fetcher=fetcher,
                files=files,
                policy=policy,
                clock=clock,
            )
        except BaseException:
            await _close_all(closers)
            raise
        return cls(settings, store, search, shows, fetcher, QuoteCards(fetcher), closers)

    async def close(self) -> None:
        closers, self._closers = self._closers, []
        await _close_all(closers)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def _close_all(closers: list[Closable]) -> None:
    # The reverse of opening: the fetcher, then the search (its threads read the store), then the store.
    # One that fails to close is logged and the others are still closed.
    for closer in reversed(closers):
        try:
            await closer.close()
        except Exception:
            log.exception("closing %s failed", type(closer).__name__)
