"""Shared fixtures: real SQLite store files in pytest's tmp dirs, and small sources built from models."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from bot.search import Search
from bot.store import Store
from tests.feedserver import FeedServer
from tests.postgres_server import PostgresServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
    from pathlib import Path

    from bot.client import PodBot
    from bot.config import Settings


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never read a developer's .env or PODBOT_* variables, nor write to their data directory.
    for name in (
        "PODBOT_TOKEN",
        "PODBOT_DB",
        "PODBOT_FEED_URL",
        "PODBOT_DEFAULT_SHOWS",
        "PODBOT_SEED_BUNDLED",
        "PODBOT_LOG_LEVEL",
        "PODBOT_ALLOW_PRIVATE_URLS",
        "PODBOT_POLL_MINUTES",
        "PODBOT_OWNER_IDS",
        "PODBOT_DEV_GUILD_ID",
        "PODBOT_DIRECTORY_URL",
        "PODBOT_HEARTBEAT_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # One heartbeat an hour for the bots tests build: tests that advance simulated time by hours would
    # otherwise spend it on the store reads of 120 beats an hour (simcord settles each one).
    # tests/cogs/test_health.py runs the bot at the default rate.
    monkeypatch.setenv("PODBOT_HEARTBEAT_SECONDS", "3600")


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    # The CLI and `podbot run` configure the root logger for their process; in-process tests of them must
    # not leave that configuration (a level, a handler on a captured stream) to the tests that follow.
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


# --- the store, on each engine --------------------------------------------------------------------

ENGINES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(why): the test is about SQLite itself (its file, WAL, damage) or uses what only the"
        " SQLite engine has yet; the reason says which",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every test of the store runs on both engines, unless it says why it cannot.
    if "engine" in metafunc.fixturenames:
        engines = ("sqlite",) if metafunc.definition.get_closest_marker("sqlite_only") else ENGINES
        metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The store engine a test runs on: every test that reaches a store through the fixtures below runs
    once on each (pytest_generate_tests)."""
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, with a migrated template database."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    import asyncio

    url = postgres_server.create_database()

    async def migrate() -> None:
        await (await Store.open(url)).close()

    asyncio.run(migrate())
    return url.rsplit("/", 1)[1]


@pytest.fixture
def store_location(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> str | Path:
    """Where a test's store lives: a new SQLite file, or a new PostgreSQL database (a copy of the
    migrated template), by the engine the test runs on."""
    if engine == "sqlite":
        return tmp_path / "store.db"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(template=request.getfixturevalue("postgres_template"))


@pytest.fixture
async def store(store_location: str | Path) -> AsyncIterator[Store]:
    opened = await Store.open(store_location)
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


# --- the Discord bot under simcord ------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_bundled_template(postgres_server: PostgresServer, postgres_template: str) -> str:
    """A migrated PostgreSQL database holding the bundled page, seeded once: the bot's tests copy it."""
    import asyncio

    from bot.bootstrap import open_store

    url = postgres_server.create_database(template=postgres_template)

    async def seed() -> None:
        await (await open_store(url, seed=True)).close()

    asyncio.run(seed())
    return url.rsplit("/", 1)[1]


@pytest.fixture
def bundled_location(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> str | Path:
    """Where a test's bundled store lives. On SQLite, a new file that opening fills as a newcomer's first
    `podbot run` does; on PostgreSQL, a copy of a database seeded that way once per session (seeding per
    test would cost each one a parse and an ingest). A sync fixture: the session ones it may start call
    asyncio.run, which cannot run inside the test's loop."""
    if engine == "sqlite":
        return tmp_path / "bundled.db"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(template=request.getfixturevalue("postgres_bundled_template"))


@pytest.fixture
async def bundled_store(bundled_location: str | Path) -> AsyncIterator[Store]:
    """A fresh store holding the bundled page, on the engine the test runs on."""
    from bot.bootstrap import open_store

    opened = await open_store(bundled_location, seed=True)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    from bot.config import Settings

    return Settings(db=tmp_path / "unused.db")


@pytest.fixture
async def make_bot(bot_settings: Settings) -> AsyncIterator[Callable[..., Awaitable[PodBot]]]:
    """Builds the real bot over a given store, as `podbot run` would; closes what it built afterwards."""
    from bot.client import create_bot
    from bot.search import Search

    searches: list[Search] = []

    async def make(store: Store, **options: Any) -> PodBot:
        # Lookups in a process of their own, as `podbot run` has them: the cogs meet what production
        # meets (answers and errors that cross a process boundary as pickles).
        search = Search(store, isolated=True)
        searches.append(search)
        await search.refresh()
        # simcord needs an explicit shard count for an AutoShardedBot; production lets Discord decide.
        options.setdefault("shard_count", 1)
        return create_bot(bot_settings, store, search, **options)

    yield make
    for search in searches:
        await search.close()


@pytest.fixture
async def simcord_bot(bundled_store: Store, make_bot: Callable[..., Awaitable[PodBot]]) -> PodBot:
    """The real bot over a fresh store holding the bundled page: simcord's `simcord_env` runs it."""
    return await make_bot(bundled_store)
