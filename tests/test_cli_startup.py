"""`podbot --version` and `podbot ingest FILE` start without loading what they do not use (issue 13).

Not a wall-clock assertion (bench/ measures time): which heavy libraries a fresh interpreter has imported
by the time `--version` has printed, which is what makes the start slow or quick on any machine.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from typing import TYPE_CHECKING

import bot.cli
from bot import __version__
from bot.bootstrap import bundled_page
from bot.cli import COMMAND_MODULES

if TYPE_CHECKING:
    from pathlib import Path

# Imported by `podbot --version` before issue 13, none of them used by it.
HEAVY = ("aiohttp", "lxml", "pydantic", "pydantic_settings", "rapidfuzz", "discord", "sqlite3", "jellyfish")

PROBE = """
import json, sys
sys.argv = ["podbot", *sys.argv[1:]]
from bot.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _probe(*args: str) -> tuple[list[str], dict[str, object]]:
    """(the command's output lines, {code, modules}) of `podbot ARGS` run in a fresh interpreter."""
    completed = _run("-c", PROBE, *args)
    assert completed.returncode == 0, completed.stderr
    *output, report_line = completed.stdout.strip().splitlines()
    return output, json.loads(report_line)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, check=False)


def test_version_prints_the_version_without_importing_heavy_libraries() -> None:
    output, report = _probe("--version")
    assert output == [f"podbot, version {__version__}"]
    assert report["code"] in (0, None)
    assert sorted(set(HEAVY) & set(report["modules"])) == []  # type: ignore[arg-type]


def test_ingesting_a_file_does_not_load_the_http_client(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(bundled_page())
    output, report = _probe("--db", str(tmp_path / "podbot.db"), "ingest", str(page))
    assert report["code"] in (0, None)
    assert output == [
        f"{page}: 0 added, 0 updated, 5 unchanged"
    ]  # the new store was seeded with the same page
    assert "aiohttp" not in report["modules"]  # type: ignore[operator]
    # Nor the feed parser's XML and HTML machinery, nor PostgreSQL's driver: a page needs neither.
    assert "lxml" not in report["modules"]  # type: ignore[operator]
    assert "psycopg" not in report["modules"]  # type: ignore[operator]


def test_help_still_lists_every_command() -> None:
    completed = _run("-m", "bot", "--help")
    assert completed.returncode == 0, completed.stderr
    listed = {line.split()[0] for line in completed.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"chapters", "episode", "episodes", "guest", "ingest", "quote", "run", "shows", "sync"} <= listed


def test_listing_episodes_loads_neither_the_lookups_nor_fetching_nor_postgresql(tmp_path: Path) -> None:
    db = str(tmp_path / "podbot.db")
    assert _run("-m", "bot", "--db", db, "episodes", "--limit", "1").returncode == 0  # seeded: has episodes
    output, report = _probe("--db", db, "episodes")
    assert report["code"] in (0, None)
    assert len(output) == 10  # the bundled page's five episodes, two lines each
    loaded = set(report["modules"])  # type: ignore[arg-type]
    assert (
        sorted({"aiohttp", "yarl", "lxml", "rapidfuzz", "jellyfish", "psycopg", "discord", "PIL"} & loaded)
        == []
    )


def test_every_command_is_in_the_module_the_table_names() -> None:
    found: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(bot.cli.__path__, "bot.cli."):
        module = importlib.import_module(module_info.name)
        for command in getattr(module, "COMMANDS", ()):
            found[command.name] = module_info.name
    assert found == COMMAND_MODULES
