"""Opening the store the way every entry point wants it: migrated, and never empty on first use."""

from __future__ import annotations

import asyncio
import logging
from importlib import resources
from pathlib import Path

from bot.store import Store

log = logging.getLogger(__name__)

BUNDLED_PAGE = "latent-space.txt"


def bundled_page() -> bytes:
    return resources.files("data").joinpath(BUNDLED_PAGE).read_bytes()


async def seed_if_empty(store: Store) -> bool:
    """Fill an empty store from the bundled page, so a newcomer's first command has episodes to find."""
    if await store.catalog.count():
        return False
    # Imported here: a store that holds episodes already (most commands) never loads the parsers.
    from bot.ingest.detect import parse_source

    # Parsing is CPU work: keep it off the event loop, which may be serving Discord already.
    parsed = await asyncio.to_thread(parse_source, bundled_page())
    report = await store.catalog.ingest(
        parsed, label=f"bundled {BUNDLED_PAGE}", location=str(resources.files("data").joinpath(BUNDLED_PAGE))
    )
    log.info("new store: added %d episodes from the bundled page", len(report.added))
    return True


async def open_store(path: str | Path, *, seed: bool = True) -> Store:
    store = await Store.open(path)
    try:
        if seed:
            await seed_if_empty(store)
    except BaseException:
        await store.close()
        raise
    return store
