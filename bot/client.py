"""The Discord bot: one process, auto-sharded, holding the store and search that every cog uses.

`create_bot` is the one way to build it, for `podbot run`, `podbot sync` and the tests alike. The bot
opens the store in `setup_hook` unless it is handed one, loads the cogs listed in EXTENSIONS, and never
syncs slash commands by itself: syncing is an explicit act (`podbot sync`, or `/sync` for an owner).

Shared resources live on the bot as attributes (`settings`, `store`, `search`), so a cog reaches them
through `self.bot`. A cog with background work (feed polling, bot.feeds.service) starts that service in
`cog_load` when `bot.serving` is true (false for one-shot runs such as `podbot sync`) and stops it in
`cog_unload`; `close()` unloads the cogs before it closes the search and store they may be using.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.core import Core
from bot.interpreter import tune_for_serving
from bot.shards import Shards, ShardsError
from bot.store import StoreError
from cogs.common.errors import report_error
from cogs.common.installs import SERVER_CONTEXTS, SERVER_INSTALLS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bot.cards.service import QuoteCards
    from bot.config import Settings
    from bot.search import Search
    from bot.shows import ShowService
    from bot.store import Store

log = logging.getLogger(__name__)

# Every feature the bot loads, in one place. A new feature is a new module in cogs/ and a line here.
EXTENSIONS: tuple[str, ...] = (
    "cogs.episode",
    "cogs.chapters",
    "cogs.quote",
    "cogs.guest",
    "cogs.latest",
    "cogs.announce",
    "cogs.shows",
    "cogs.admin",
    "cogs.health",
)


def bot_intents() -> discord.Intents:
    """Only what the features use: slash commands need no intents at all; the guild cache lets
    announcements find their channels. Nothing privileged (members, presences, message content)."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class PodTree(app_commands.CommandTree):
    """The command tree, with the one error handler every command and button reports to."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


class PodBot(commands.AutoShardedBot):
    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        search: Search | None = None,
        shard_count: int | None = None,
        serving: bool = True,
        extensions: tuple[str, ...] = EXTENSIONS,
        tune_interpreter: bool = False,
    ) -> None:
        shards = Shards.parse(settings.shards, settings.shard_count)
        # The shards this process runs, when several processes share the bot (bot.shards); without them,
        # all of them, as many as Discord recommends (or the tests' one). Not passed at all when unset:
        # discord.py tells "not given" from any value.
        sharing: dict[str, Any] = {} if shards.ids is None else {"shard_ids": list(shards.ids)}
        # podbot never joins voice: discord.py's warnings about missing voice libraries are log noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            # Slash commands only; a mention prefix needs no message-content intent and is never used.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            tree_cls=PodTree,
            # Server-installed, server-only unless a command says otherwise (cogs.common.installs).
            allowed_installs=SERVER_INSTALLS,
            allowed_contexts=SERVER_CONTEXTS,
            # The default for every message the bot sends; replies pass it explicitly as well.
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(settings.owner_ids) or None,
            shard_count=shards.count or shard_count,
            **sharing,
            activity=discord.Activity(type=discord.ActivityType.listening, name="/episode"),
        )
        self.settings = settings
        self.shard_plan = shards
        # False for one-shot runs (`podbot sync`): no store is opened and cogs start no background work.
        self.serving = serving
        # Given a store or search (tests), the core uses them and leaves closing them to the caller.
        self._given_store = store
        self._given_search = search
        self._core: Core | None = None
        self._extensions_to_load = extensions
        # Set by `serve` (the long-running bot), not by tests that start many bots in one process.
        self._tune_interpreter = tune_interpreter

    @property
    def core(self) -> Core:
        if self._core is None:
            raise RuntimeError("the core is not open yet (it opens in setup_hook)")
        return self._core

    @property
    def store(self) -> Store:
        return self.core.store

    @property
    def search(self) -> Search:
        return self.core.search

    @property
    def shows(self) -> ShowService:
        return self.core.shows

    @property
    def cards(self) -> QuoteCards:
        cards = self.core.cards
        if cards is None:
            raise RuntimeError("quote cards are made by a core opened for the bot")
        return cards

    async def setup_hook(self) -> None:
        if self.serving:
            # Lookups in a process of their own: however many run at once, they cannot stall the gateway
            # heartbeat (docs/search.md). A fetcher: /show add reads feeds and asks the directory.
            self._core = await Core.open(
                self.settings,
                isolated=True,
                network=True,
                store=self._given_store,
                search=self._given_search,
                # The poller's clock: a show added now is first checked by it.
                clock=discord.utils.utcnow,
            )
            await self._core.search.refresh()
        for name in self._extensions_to_load:
            await self.load_extension(name)
        log.info(
            "loaded %d extensions; slash commands are synced only by `podbot sync` or /sync",
            len(self.extensions),
        )
        if self._tune_interpreter:
            # Before the gateway connects: full collections from now on walk only what comes later.
            tune_for_serving()

    async def close(self) -> None:
        # Cogs first: their background tasks may be writing to the store.
        for name in list(self.extensions):
            try:
                await self.unload_extension(name)
            except Exception:
                log.exception("unloading %s failed", name)
        await super().close()
        if self._core is not None:
            await self._core.close()
            self._core = None
            log.info("store closed")


def create_bot(
    settings: Settings,
    store: Store | None = None,
    search: Search | None = None,
    *,
    shard_count: int | None = None,
    serving: bool = True,
    tune_interpreter: bool = False,
) -> PodBot:
    """The bot, ready to log in. Given a store or search (tests), the caller keeps ownership of them;
    what the bot opens itself, it closes in `close()`. `tune_interpreter`: apply bot.interpreter's
    settings after set-up (`podbot run` only)."""
    return PodBot(
        settings,
        store=store,
        search=search,
        shard_count=shard_count,
        serving=serving,
        tune_interpreter=tune_interpreter,
    )


async def sync_commands(
    bot: commands.Bot | commands.AutoShardedBot, guild_id: int | None = None, *, clear: bool = False
) -> list[str]:
    """Register the bot's slash commands with Discord; returns the names now registered there.

    To one guild (instant, for development: the global commands are copied there) or globally. `clear`
    removes a guild's copies, e.g. after the commands went global and show up twice.
    """
    if guild_id is None:
        synced = await bot.tree.sync()
    else:
        guild = discord.Object(id=guild_id)
        bot.tree.clear_commands(guild=guild)
        if not clear:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
    return sorted(command.name for command in synced)


# --- running and syncing (used by `podbot run` / `podbot sync`) --------------------------------------


class BotStartError(Exception):
    """The bot cannot start or log in; the message is one sentence for the operator."""


# The gateway's close code for a token it rejects at IDENTIFY (REST may have accepted it a moment before).
AUTHENTICATION_FAILED = 4004

REJECTED_TOKEN = (
    "Discord rejected the token in PODBOT_TOKEN; copy a fresh one from the developer portal "
    "(your application -> Bot -> Reset Token) into .env"
)


def _token(settings: Settings) -> str:
    if settings.token is None or not settings.token.get_secret_value().strip():
        raise BotStartError(
            "no Discord token: set PODBOT_TOKEN in the environment or in .env (see .env.example)"
        )
    # The one place the secret is read; it goes to discord.py and nowhere else.
    return settings.token.get_secret_value().strip()


@contextlib.contextmanager
def _start_errors() -> Iterator[None]:
    try:
        yield
    except discord.LoginFailure:
        raise BotStartError(REJECTED_TOKEN) from None
    except discord.ConnectionClosed as exc:
        if exc.code == AUTHENTICATION_FAILED:
            raise BotStartError(REJECTED_TOKEN) from None
        raise
    except discord.PrivilegedIntentsRequired:
        raise BotStartError(
            "Discord refused an intent this bot asked for; it needs no privileged intents"
        ) from None
    except StoreError as exc:
        raise BotStartError(str(exc)) from exc
    except (aiohttp.ClientConnectionError, TimeoutError, OSError) as exc:
        raise BotStartError(f"cannot reach Discord ({type(exc).__name__}: {exc}); check the network") from exc


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGINT/SIGTERM (or `stop`), then shut down cleanly: cogs unloaded, the
    gateway closed, the store closed after its last write. BotStartError when it cannot start."""
    token = _token(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not main thread
            loop.add_signal_handler(signum, stop.set)
    try:
        bot = create_bot(settings, tune_interpreter=True)
    except ShardsError as exc:
        raise BotStartError(f"bad shards: {exc}") from None
    log.info("running %s", bot.shard_plan.describe())
    try:
        with _start_errors():
            runner = asyncio.create_task(bot.start(token), name="podbot")
            stopper = asyncio.create_task(stop.wait(), name="podbot-stop")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if runner in done:
                stopper.cancel()
                runner.result()  # raises why it ended
                return
            log.info("shutting down")
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
    finally:
        await bot.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        log.info("stopped")


async def sync_with_discord(settings: Settings, guild_id: int | None, *, clear: bool = False) -> list[str]:
    """Log in (no gateway connection, no store), sync the slash commands, log out."""
    token = _token(settings)
    bot = create_bot(settings, serving=False)
    try:
        with _start_errors():
            await bot.login(token)
            return await sync_commands(bot, guild_id, clear=clear)
    finally:
        await bot.close()
