"""compose.yaml, read as Docker Compose reads it, agrees with the code it deploys: its bot processes run
every shard exactly once between them, share one store on the PostgreSQL service they wait for, and keep
heartbeats of their own. (This machine has no Docker: the file is checked here against podbot's own
settings and shard rules, which is where a wrong edit would show.)"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.config import Settings
from bot.shards import Shards
from tests.postgres_server import binaries

COMPOSE = Path(__file__).parents[1] / "compose.yaml"
# Compose's interpolation: ${NAME}, ${NAME:-default} and ${NAME-default}.
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: env.get(m["name"]) or (m["default"] or ""), value)


@pytest.fixture
def compose() -> dict[str, Any]:
    # yaml.safe_load resolves the file's anchors and `<<` merge keys as Compose does.
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def bots(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services built from this repository: the bot processes."""
    return {name: s for name, s in compose["services"].items() if s.get("build") == "."}


def environment(service: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, str]:
    return {k: interpolate(str(v), env or {}) for k, v in service.get("environment", {}).items()}


def settings_of(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in environment(service).items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_the_bot_processes_run_every_shard_exactly_once(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = bots(compose)
    assert len(services) >= 2
    counts: set[int | None] = set()
    runs: list[int] = []
    for service in services.values():
        with monkeypatch.context() as patch:
            settings = settings_of(service, patch)
        shards = Shards.parse(settings.shards, settings.shard_count)
        assert shards.shared, "each process must run only some of the shards"
        assert shards.ids is not None
        counts.add(shards.count)
        runs.extend(shards.ids)
    (count,) = counts
    assert count is not None
    assert sorted(runs) == list(range(count))


def test_the_bots_share_the_postgresql_service_they_wait_for(compose: dict[str, Any]) -> None:
    stores = {environment(s)["PODBOT_DB"] for s in bots(compose).values()}
    (store,) = stores
    url = urlsplit(store)
    assert url.scheme == "postgresql"
    database = compose["services"][url.hostname]
    db_env = environment(database)
    assert (url.username, url.password, url.path.lstrip("/")) == (
        db_env["POSTGRES_USER"],
        db_env["POSTGRES_PASSWORD"],
        db_env["POSTGRES_DB"],
    )
    assert database["healthcheck"]["test"]
    for service in bots(compose).values():
        assert service["depends_on"][url.hostname] == {"condition": "service_healthy"}


def test_a_password_from_the_environment_reaches_both_sides(compose: dict[str, Any]) -> None:
    env = {"POSTGRES_PASSWORD": "s3cret"}
    (store,) = {environment(s, env)["PODBOT_DB"] for s in bots(compose).values()}
    assert urlsplit(store).password == "s3cret"
    assert environment(compose["services"][urlsplit(store).hostname], env)["POSTGRES_PASSWORD"] == "s3cret"


def test_each_bot_keeps_its_heartbeat_on_its_own_volume(compose: dict[str, Any]) -> None:
    heartbeats = []
    for service in bots(compose).values():
        beat = PurePosixPath(environment(service)["PODBOT_HEARTBEAT_FILE"])
        volume, _, mounted = service["volumes"][0].partition(":")
        assert volume in compose["volumes"]
        assert beat.is_relative_to(mounted)
        heartbeats.append((volume, beat))
    assert len(set(heartbeats)) == len(heartbeats)
    assert len({volume for volume, _ in heartbeats}) == len(heartbeats)


def test_the_image_of_postgresql_is_the_major_version_the_tests_run(compose: dict[str, Any]) -> None:
    (database,) = [s for s in compose["services"].values() if str(s.get("image", "")).startswith("postgres")]
    tag = database["image"].partition(":")[2]
    printed = subprocess.run(
        [str(binaries() / "postgres"), "--version"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout
    tested = re.search(r"\(PostgreSQL\) (\d+)", printed)
    assert tested is not None, printed
    assert tag.split(".")[0] == tested[1]
