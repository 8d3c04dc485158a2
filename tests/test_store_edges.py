"""The store's edge cases, as a user meets them on the command line: a relative --db, a damaged file."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.bootstrap import bundled_page
from bot.cli import cli
from tests.damage import damage_pages

if TYPE_CHECKING:
    from pathlib import Path


def podbot(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


@pytest.mark.parametrize("how", ["--db", "PODBOT_DB"])
def test_a_relative_store_path_works_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.chdir(tmp_path)
    args, env = (["--db", "podbot.db"], None) if how == "--db" else ([], {"PODBOT_DB": "podbot.db"})
    for _ in range(3):
        result = podbot(*args, "episode", "bolt", "--json", env=env)
        assert result.exit_code == 0, result.stderr
        assert "Bolt.new" in result.stdout
    assert (tmp_path / "podbot.db").is_file()


COMMANDS = [
    ["episodes"],
    ["episodes", "--json"],
    ["episode", "bolt"],
    ["quote", "webcontainer"],
    ["quote", "webcontainer", "--json"],
    ["chapters", "claude"],
    ["guest", "eric"],
]


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "damaged.db"
    assert podbot("--db", str(path), "episodes").exit_code == 0
    damage_pages(path)
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_on_a_damaged_store_says_so_and_touches_nothing(
    damaged: Path, command: list[str]
) -> None:
    before = damaged.read_bytes()

    result = podbot("--db", str(damaged), *command)

    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"podbot: the store {damaged} is damaged")
    assert "restore it from a copy" in line
    assert "`podbot ingest`" in line
    assert "Traceback" not in result.stderr
    assert damaged.read_bytes() == before


def test_ingest_refuses_to_write_into_a_damaged_store(damaged: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(bundled_page())
    before = damaged.read_bytes()

    result = podbot("--db", str(damaged), "ingest", str(page))

    assert result.exit_code == 1
    assert "is damaged" in result.stderr
    assert damaged.read_bytes() == before
    assert not os.path.exists(f"{damaged}-wal") or os.path.getsize(f"{damaged}-wal") == 0


@pytest.mark.parametrize(
    "command",
    [["quote", "zzyzxq"], ["quote", "zzyzxq", "--json"], ["guest", "zzyzxq"], ["episode", "zzyzxq"]],
    ids=" ".join,
)
def test_nothing_found_on_a_damaged_store_is_not_taken_for_an_answer(
    tmp_path: Path, command: list[str]
) -> None:
    # Damage far into the file: a lookup of a word nobody said reads none of it, and would say "nobody said".
    path = tmp_path / "damaged.db"
    assert podbot("--db", str(path), "episodes").exit_code == 0
    damage_pages(path, first=200, every=13)

    result = podbot("--db", str(path), *command)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"podbot: the store {path} is damaged")


def test_nothing_found_on_a_sound_store_is_still_an_answer(tmp_path: Path) -> None:
    path = tmp_path / "sound.db"
    result = podbot("--db", str(path), "quote", "zzyzxq")
    assert result.exit_code == 0
    assert result.stdout == "Nobody said 'zzyzxq' in the transcripts.\n"
