"""Settings from the environment and `.env`, in one typed object. Every variable is in .env.example.

The Discord token is a SecretStr: it prints as '**********' in reprs, logs and tracebacks, and is read
with `.get_secret_value()` in exactly one place, where the bot logs in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.locations import is_postgres_url

APP_NAME = "podbot"


def default_db_path() -> Path:
    """The store's default home: the user's data directory (e.g. ~/.local/share/podbot/podbot.db)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "podbot.db"


def store_location(value: str | Path) -> Path | str:
    """A PostgreSQL URL stays text (a Path would fold its "//"); anything else is a SQLite file's path."""
    if is_postgres_url(value):
        return value
    return Path(value)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PODBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        # `PODBOT_DEV_GUILD_ID=` left blank in .env means "not set", not "invalid".
        env_ignore_empty=True,
        extra="ignore",
    )

    token: SecretStr | None = Field(default=None, description="Discord bot token; needed by `podbot run`.")
    db: Path | str = Field(
        default_factory=default_db_path,
        description="The episode store: a SQLite file's path, or a PostgreSQL URL (postgresql://…).",
    )
    seed_bundled: bool = Field(
        default=True, description="Fill an empty store from the bundled page on first use."
    )
    log_level: str = Field(default="INFO", description="Logging level: DEBUG, INFO, WARNING or ERROR.")
    feed_url: str | None = Field(
        default=None, description="The show's own RSS feed, the default for announcements."
    )
    default_shows: str | None = Field(
        default=None,
        description=(
            "The shows a server that chose none (and a direct message) answers from: feed URLs, files or"
            " show titles, comma-separated; `none` for no defaults. Unset: every show the operator"
            " ingested (on a new store, the bundled page)."
        ),
    )
    poll_minutes: float = Field(
        default=15.0, gt=0, description="Minutes between checks of each followed feed."
    )
    directory_url: str = Field(
        default="https://itunes.apple.com/search",
        description="The podcast directory `/show add` asks for a show's feed by name (iTunes Search API).",
    )
    allow_private_urls: bool = Field(
        default=False, description="Allow fetching loopback/private addresses (tests and local set-ups only)."
    )
    owner_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Discord user ids allowed owner commands."
    )
    dev_guild_id: int | None = Field(default=None, description="Guild that `podbot sync` targets by default.")
    shards: str | None = Field(
        default=None,
        description=(
            "The gateway shards this process runs, e.g. `0-3` or `0,2` (with PODBOT_SHARD_COUNT): several"
            " processes sharing one store each run some. Unset: every shard, in this process."
        ),
    )
    shard_count: int | None = Field(
        default=None, ge=1, description="How many shards the bot has in all, across its processes."
    )
    heartbeat_seconds: float = Field(
        default=30.0,
        ge=1,
        description="Seconds between the heartbeats of `podbot run`; `podbot health` allows three.",
    )
    heartbeat_file: Path | None = Field(
        default=None,
        description=(
            "Where `podbot run` writes its heartbeat and `podbot health` reads it; default: beside the"
            " store (PODBOT_DB + '.heartbeat'). One per process when several serve one store."
        ),
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("db", mode="before")
    @classmethod
    def _store_location(cls, value: object) -> object:
        return store_location(value) if isinstance(value, (str, Path)) else value

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        # "123, 456" in .env reads better than a JSON list.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value
