"""`podbot ingest` and `podbot episodes` as a user runs them: real store files, real output, real exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from bot.bootstrap import bundled_page
from bot.cli import cli
from bot.store.migrations import bundled_migrations
from tests.snapshots import dump


def podbot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def store_exists(db: str) -> bool:
    """Whether podbot made a store there: a file, or (in the test's own database, which comes with the
    schema) anything written to it: opening a store seeds it with the bundled page."""
    if not db.startswith("postgresql://"):
        return Path(db).exists()
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM shows").fetchone() != (0,)


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


def test_bad_configuration_a_command_reads_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whether to fill an empty store from the bundled page: `podbot episodes` reads it.
    monkeypatch.setenv("PODBOT_SEED_BUNDLED", "perhaps")
    result = CliRunner().invoke(cli, ["episodes"])
    assert result.exit_code == 1
    assert result.stderr.startswith("podbot: bad configuration in PODBOT_SEED_BUNDLED:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


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


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal's other end
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_json_is_indented_at_a_terminal_and_one_line_in_a_pipe(db: str) -> None:
    piped = _podbot_process(db, "episodes", "--json")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.count("\n") == 1  # one line, which `jq` or json.load read as well

    import pty  # POSIX only, as the bot's machines are

    main, child = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PODBOT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(db), "episodes", "--json"],
        stdout=child,
        stderr=subprocess.PIPE,
        env=clean,
    )
    os.close(child)
    shown = _read_all(main).decode().replace("\r\n", "\n")
    os.close(main)
    assert process.wait(timeout=60) == 0
    assert '\n  {\n    "id": ' in shown
    assert json.loads(shown) == json.loads(piped.stdout)


def test_a_bad_list_setting_names_the_variable_not_its_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODBOT_OWNER_IDS", "123, abc")
    # `podbot sync` logs in as the bot, whose owner commands read the owners: it stops before connecting.
    result = CliRunner().invoke(cli, ["sync", "--guild", "1"])
    assert result.exit_code == 1
    assert result.stderr.startswith("podbot: bad configuration in PODBOT_OWNER_IDS:")
    assert len(result.stderr.strip().splitlines()) == 1


def _podbot_process(db: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PODBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**clean, **env},
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("PODBOT_OWNER_IDS", "abc"), ("PODBOT_POLL_MINUTES", "-5"), ("PODBOT_LOG_LEVEL", "LOUD")],
)
def test_a_bad_setting_only_the_bot_reads_is_one_warning_and_episodes_still_lists(
    db: str, name: str, value: str
) -> None:
    completed = _podbot_process(db, "episodes", "--json", **{name: value})
    assert completed.returncode == 0, completed.stderr
    assert len(json.loads(completed.stdout)) == 5
    (line,) = completed.stderr.splitlines()
    assert line.startswith(f"podbot: bad configuration in {name}: ")
    assert line.endswith("(ignored: `podbot episodes` does not use it)")


def test_the_bot_itself_refuses_a_bad_setting_it_reads(db: str) -> None:
    completed = _podbot_process(db, "run", PODBOT_OWNER_IDS="abc", PODBOT_TOKEN="never-used")
    assert completed.returncode == 1
    (line,) = completed.stderr.splitlines()
    assert line.startswith("podbot: bad configuration in PODBOT_OWNER_IDS: ")
    # It stopped at the configuration: no store was made.
    assert not store_exists(db)


def test_a_bad_setting_the_command_reads_wins_over_one_it_does_not(db: str) -> None:
    completed = _podbot_process(db, "episodes", PODBOT_OWNER_IDS="abc", PODBOT_SEED_BUNDLED="perhaps")
    assert completed.returncode == 1
    (line,) = completed.stderr.splitlines()
    assert line.startswith("podbot: bad configuration in PODBOT_SEED_BUNDLED: ")
    assert completed.stdout == ""


@pytest.mark.sqlite_only("SQLite's file lock; PostgreSQL writers do not lock a whole store")
def test_a_store_kept_busy_by_another_program_is_one_clear_line(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import bot.store.sqlite

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


def test_db_after_the_subcommand_is_the_store_used(tmp_path: Path) -> None:
    db = tmp_path / "named-after.db"
    after = podbot("episodes", "--db", str(db), "--json")
    assert after.exit_code == 0, after.output
    assert db.exists()
    assert not (tmp_path / "xdg-data" / "podbot").exists()
    assert json.loads(after.stdout) == json.loads(podbot("--db", str(db), "episodes", "--json").stdout)


def test_verbose_after_the_subcommand_is_accepted(db: str) -> None:
    result = CliRunner().invoke(cli, ["episodes", "-v", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)


def test_episodes_pages_with_limit_and_offset(db: Path) -> None:
    every = json.loads(podbot("--db", str(db), "episodes", "--json").stdout)
    page = json.loads(podbot("--db", str(db), "episodes", "--json", "--limit", "2", "--offset", "1").stdout)
    assert [e["id"] for e in page] == [e["id"] for e in every[1:3]]
    text = podbot("--db", str(db), "episodes", "--limit", "1")
    assert text.exit_code == 0, text.stderr
    assert every[0]["title"] in text.stdout
    assert every[1]["title"] not in text.stdout
    past = podbot("--db", str(db), "episodes", "--offset", str(len(every)))
    assert past.exit_code == 0, past.stderr
    assert past.stdout.strip() == f"No episodes after the newest {len(every)}."
    bad = podbot("--db", str(db), "episodes", "--limit", "0")
    assert bad.exit_code == 2
    assert "--limit" in bad.stderr


@pytest.mark.sqlite_only("rewinds a SQLite file to before migration 012")
def test_a_store_from_before_episode_summaries_upgrades_in_place_listing_the_same(db: Path) -> None:
    # Migration 012 keeps each episode's segment count and speakers, so the listing reads no segments.
    before = json.loads(podbot("--db", str(db), "episodes", "--json").stdout)
    assert any(e["speakers"] and e["segments"] for e in before)
    (added,) = [m for m in bundled_migrations() if "ADD COLUMN segment_count" in m.sql]
    with sqlite3.connect(db) as conn:
        segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        conn.execute("ALTER TABLE episodes DROP COLUMN segment_count")
        conn.execute("ALTER TABLE episodes DROP COLUMN speakers")
        conn.execute(f"PRAGMA user_version = {added.version - 1}")

    after = json.loads(podbot("--db", str(db), "episodes", "--json").stdout)

    assert after == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(bundled_migrations())
        assert conn.execute("SELECT count(*) FROM segments").fetchone()[0] == segments


def test_reingesting_changed_transcripts_updates_the_listing(db: Path, tmp_path: Path) -> None:
    podbot("--db", str(db), "episodes")
    page = tmp_path / "page.txt"
    # One speaker renamed throughout: the listing's speakers follow the new transcript.
    page.write_bytes(bundled_page().replace(b"Alessio [", b"Alessandro ["))
    result = podbot("--db", str(db), "ingest", str(page))
    assert result.exit_code == 0, result.stderr
    episodes = json.loads(podbot("--db", str(db), "episodes", "--json").stdout)
    speakers = {name for e in episodes for name in e["speakers"]}
    assert "Alessandro" in speakers
    assert "Alessio" not in speakers
