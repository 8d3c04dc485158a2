"""The store's edge cases, as a user meets them on the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli

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
