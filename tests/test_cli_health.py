"""`podbot health` on heartbeat files as a bot leaves them: fresh, overdue, broken, elsewhere, absent.

The bot writing its heartbeat under simcord is tests/cogs/test_health.py; here the files are written with
the bot's own writer, so that their age can be chosen.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from bot.health import HEARTBEAT_SECONDS, STALE_AFTER_BEATS, Heartbeat, write_heartbeat
from tests.fake_discord import GOOD_TOKEN, LAUNCHER, fake_discord

if TYPE_CHECKING:
    from pathlib import Path


def podbot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PODBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
        env={**clean, "PODBOT_DB": str(tmp_path / "podbot.db"), **env},
    )


def beat(age_s: float, *problems: str) -> Heartbeat:
    return Heartbeat(at=time.time() - age_s, every_s=HEARTBEAT_SECONDS, pid=4242, problems=problems)


def test_a_fresh_heartbeat_is_healthy_and_opens_no_store(tmp_path: Path) -> None:
    write_heartbeat(tmp_path / "podbot.db.heartbeat", beat(5))
    completed = podbot(tmp_path, "health")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("podbot is serving: connected to Discord, store readable")
    assert re.search(r"\(last heartbeat \d+ s ago\)$", completed.stdout.strip())
    # It read the heartbeat only: the store it names was never created.
    assert not (tmp_path / "podbot.db").exists()


def test_an_overdue_heartbeat_is_a_stopped_or_stuck_bot(tmp_path: Path) -> None:
    write_heartbeat(tmp_path / "podbot.db.heartbeat", beat(600))
    completed = podbot(tmp_path, "health")
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr == (
        "podbot: the last heartbeat (process 4242) is 10 min old: `podbot run` has stopped or is stuck\n"
    )


def test_a_heartbeat_just_inside_its_allowance_is_still_healthy(tmp_path: Path) -> None:
    # One slow beat (a busy disk, a long ingest) is not a dead bot.
    write_heartbeat(tmp_path / "podbot.db.heartbeat", beat(HEARTBEAT_SECONDS * STALE_AFTER_BEATS - 10))
    assert podbot(tmp_path, "health").returncode == 0


def test_every_problem_the_bot_reported_is_in_the_one_line(tmp_path: Path) -> None:
    write_heartbeat(
        tmp_path / "podbot.db.heartbeat",
        beat(1, "shard 1 of 2 is not connected to Discord's gateway", "the store x.db cannot be read (…)"),
    )
    completed = podbot(tmp_path, "health")
    assert completed.returncode == 1
    assert completed.stderr == (
        "podbot: podbot is not serving: shard 1 of 2 is not connected to Discord's gateway; "
        "the store x.db cannot be read (…)\n"
    )


def test_a_broken_heartbeat_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "podbot.db.heartbeat").write_text('{"at": 17', encoding="utf-8")
    completed = podbot(tmp_path, "health")
    assert completed.returncode == 1
    (line,) = completed.stderr.splitlines()
    assert line.startswith(f"podbot: the heartbeat file {tmp_path / 'podbot.db.heartbeat'} is unreadable (")
    assert "Traceback" not in completed.stderr


def test_the_heartbeat_file_setting_is_where_it_looks(tmp_path: Path) -> None:
    elsewhere = tmp_path / "run" / "shard-0.heartbeat"
    write_heartbeat(elsewhere, beat(1))
    assert podbot(tmp_path, "health").returncode == 1  # nothing beside the store
    assert podbot(tmp_path, "health", PODBOT_HEARTBEAT_FILE=str(elsewhere)).returncode == 0


async def test_podbot_run_is_healthy_while_it_serves_and_not_once_stopped(tmp_path: Path) -> None:
    # The whole path as an operator's container has it: a real `podbot run` process against a fake
    # Discord on 127.0.0.1, and `podbot health` in another process beside it.
    heartbeat = tmp_path / "podbot.db.heartbeat"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PODBOT_")}
    async with fake_discord(ready=True) as discord:
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LAUNCHER,
            discord.base,
            "run",
            cwd=tmp_path,
            env={**clean, "PODBOT_DB": str(tmp_path / "podbot.db"), "PODBOT_TOKEN": GOOD_TOKEN},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            for _ in range(1200):  # it logs in, fills the new store, connects, then beats
                if heartbeat.exists() or bot.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            assert heartbeat.exists(), "podbot run never wrote its heartbeat"
            serving = await asyncio.to_thread(podbot, tmp_path, "health")
            assert serving.returncode == 0, serving.stderr
            assert serving.stdout.startswith("podbot is serving: connected to Discord, store readable")
        finally:
            bot.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(bot.communicate(), 60)
    assert bot.returncode == 0, err.decode()

    stopped = podbot(tmp_path, "health")
    assert stopped.returncode == 1
    assert "`podbot run` is not running" in stopped.stderr
