"""`podbot --version` answers without loading what no command it runs needs (issue 13: a quick start).

Not a wall-clock assertion (bench/ measures time): which heavy libraries a fresh interpreter has imported
by the time `--version` has printed, which is what makes the start slow or quick on any machine.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bot import __version__

# Imported by `podbot --version` before issue 13, none of them used by it.
HEAVY = ("aiohttp", "lxml", "pydantic", "pydantic_settings", "rapidfuzz", "discord", "sqlite3", "jellyfish")

PROBE = """
import json, sys
sys.argv = ["podbot", "--version"]
from bot.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, check=False)


def test_version_prints_the_version_without_importing_heavy_libraries() -> None:
    completed = _run("-c", PROBE)
    assert completed.returncode == 0, completed.stderr
    version_line, report_line = completed.stdout.strip().splitlines()
    assert version_line == f"podbot, version {__version__}"
    report = json.loads(report_line)
    assert report["code"] in (0, None)
    assert sorted(set(HEAVY) & set(report["modules"])) == []


def test_help_still_lists_every_command() -> None:
    completed = _run("-m", "bot", "--help")
    assert completed.returncode == 0, completed.stderr
    listed = {line.split()[0] for line in completed.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"chapters", "episode", "episodes", "guest", "ingest", "quote", "run", "shows", "sync"} <= listed
