"""`podbot ingest` and `podbot episodes` as a user runs them: real store files, real output, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.bootstrap import bundled_page
from bot.cli import cli
from tests.snapshots import dump

if TYPE_CHECKING:
    from pathlib import Path


def podbot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def db(store_location: str | Path) -> str:
    """The store as the CLI is given it: a SQLite file's path or a PostgreSQL URL (each test runs on both)."""
    return str(store_location)


def test_the_first_command_on_a_new_store_already_has_the_bundled_episodes(db: str) -> None:
    result = podbot("--db", str(db), "episodes", "--json")
    assert result.exit_code == 0, result.stderr
    episodes = json.loads(result.stdout)
    assert len(episodes) == 5
    assert episodes[0]["title"].startswith("Windsurf: The Enterprise AI IDE")
    assert all(e["hosts"] == ["Alessio", "swyx"] for e in episodes)


def test_episodes_json_has_the_documented_shape(db: str) -> None:
    episodes = json.loads(podbot("--db", str(db), "episodes", "--json").stdout)
    for episode in episodes:
        assert {
            "id",
            "title",
            "duration_s",
            "published",
            "hosts",
            "guests",
            "chapters",
            "speakers",
            "segments",
        } <= set(episode)
        assert isinstance(episode["id"], int)
        assert isinstance(episode["duration_s"], int)
        assert episode["published"] is None  # the directory page gives no dates
        assert all(set(c) == {"start_s", "title"} for c in episode["chapters"])
        starts = [c["start_s"] for c in episode["chapters"]]
        assert starts == sorted(starts)
    by_title = {e["title"]: e for e in episodes}
    bolt = next(e for t, e in by_title.items() if t.startswith("Bolt.new"))
    assert bolt["duration_s"] == 1 * 3600 + 38 * 60 + 39
    assert bolt["segments"] > 50
    assert "Alessio" in bolt["speakers"]
    windsurf = next(e for t, e in by_title.items() if t.startswith("Windsurf"))
    assert windsurf["segments"] == 0
    assert windsurf["speakers"] == []


def test_episodes_human_output_lists_each_episode(db: str) -> None:
    result = podbot("--db", str(db), "episodes")
    assert result.exit_code == 0
    assert "Bolt.new, Flow Engineering for Code Agents" in result.stdout
    assert "1:38:39" in result.stdout
    assert "no transcript" in result.stdout


def test_ingesting_the_bundled_page_again_reports_everything_unchanged(db: str, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(bundled_page())
    podbot("--db", str(db), "episodes")
    before = dump(db, reads=False)
    result = podbot("--db", str(db), "ingest", str(page))
    assert result.exit_code == 0
    assert f"{page}: 0 added, 0 updated, 5 unchanged" in result.stdout
    assert dump(db, reads=False) == before


def test_ingest_reports_added_and_updated_episodes(db: str, tmp_path: Path) -> None:
    podbot("--db", str(db), "episodes")
    text = bundled_page().decode()
    edited = tmp_path / "edited.txt"
    edited.write_text(text.replace("    1:06:35", "    1:06:36"), encoding="utf-8")
    result = podbot("--db", str(db), "ingest", str(edited))
    assert result.exit_code == 0
    assert "0 added, 1 updated, 4 unchanged" in result.stdout
    assert "updated  Windsurf: The Enterprise AI IDE" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"just some notes I wrote\nnothing podcast-like here\n", "not a format podbot reads"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ],
)
def test_an_unreadable_source_is_one_line_on_stderr_and_the_store_keeps_everything(
    db: str, tmp_path: Path, content: bytes, message: str
) -> None:
    podbot("--db", str(db), "episodes")
    before = dump(db)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = podbot("--db", str(db), "ingest", str(bad))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert dump(db) == before


def test_a_missing_file_fails_but_the_other_sources_are_still_ingested(db: str, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(bundled_page())
    result = podbot("--db", str(db), "ingest", str(tmp_path / "nope.txt"), str(page))
    assert result.exit_code == 1
    assert f"cannot read {tmp_path / 'nope.txt'}: No such file or directory" in result.stderr
    assert "5 unchanged" in result.stdout


def test_a_directory_is_refused_with_a_clear_line(db: str, tmp_path: Path) -> None:
    result = podbot("--db", str(db), "ingest", str(tmp_path))
    assert result.exit_code == 1
    assert "is a directory" in result.stderr


def test_a_corrupt_store_file_is_one_clear_line_and_is_not_touched(tmp_path: Path) -> None:
    db = tmp_path / "corrupt.db"
    db.write_bytes(b"definitely not sqlite " * 200)
    result = podbot("--db", str(db), "episodes")
    assert result.exit_code == 1
    assert "not a usable podbot store" in result.stderr
    assert "Traceback" not in result.output
    assert db.read_bytes() == b"definitely not sqlite " * 200


def test_podbot_db_environment_variable_selects_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("PODBOT_DB", str(target))
    assert podbot("episodes").exit_code == 0
    assert target.exists()


def test_seeding_can_be_switched_off_for_other_shows(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODBOT_SEED_BUNDLED", "false")
    result = podbot("--db", str(db), "episodes", "--json")
    assert json.loads(result.stdout) == []


def test_bad_configuration_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODBOT_LOG_LEVEL", "LOUD")
    result = CliRunner().invoke(cli, ["episodes"])
    assert result.exit_code == 1
    assert "PODBOT_LOG_LEVEL" in result.stderr


def test_python_dash_m_bot_is_the_same_command(db: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), "episodes", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert len(json.loads(completed.stdout)) == 5


def test_a_bad_list_setting_names_the_variable_not_its_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODBOT_OWNER_IDS", "123, abc")
    result = CliRunner().invoke(cli, ["episodes"])
    assert result.exit_code == 1
    assert "bad configuration in PODBOT_OWNER_IDS:" in result.stderr


@pytest.mark.sqlite_only("SQLite's file lock; PostgreSQL writers do not lock a whole store")
def test_a_store_kept_busy_by_another_program_is_one_clear_line(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import bot.store

    podbot("--db", str(db), "episodes")
    before = dump(db)
    page = tmp_path / "page.txt"
    page.write_bytes(bundled_page().replace(b"Bolt.new", b"Bolt.old"))
    # Another program holds the write lock, and podbot waits a fifth of a second instead of a minute.
    monkeypatch.setattr(bot.store.sqlite, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        result = podbot("--db", str(db), "ingest", str(page))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 1
    assert "kept the store busy for over a minute; try again" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(db) == before
