"""Shared fixtures: real SQLite store files in pytest's tmp dirs, and small sources built from models."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.search import Search
from bot.store import Store
from tests.feedserver import FeedServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never read a developer's .env or PODBOT_* variables, nor write to their data directory.
    for name in (
        "PODBOT_TOKEN",
        "PODBOT_DB",
        "PODBOT_FEED_URL",
        "PODBOT_SEED_BUNDLED",
        "PODBOT_LOG_LEVEL",
        "PODBOT_ALLOW_PRIVATE_URLS",
        "PODBOT_POLL_MINUTES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "store.db")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 serving whatever a test puts on it (see tests/feedserver.py)."""
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def search(store: Store) -> AsyncIterator[Search]:
    """Search over a store filled with the small bundled-like show (tests/search_data.py)."""
    from tests.search_data import latent_like

    await store.catalog.ingest(latent_like())
    found = Search(store)
    try:
        yield found
    finally:
        await found.close()
