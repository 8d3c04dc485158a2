"""The house's arrows (docs GUIDE "The house"), read from the source: a module that imports across a layer
fails here, naming the file and the import, before it becomes a habit.

Every import counts, also those under `if TYPE_CHECKING:` and inside functions: a type-only import is an
arrow between layers all the same.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(source: str, package: str) -> set[str]:
    """Every module `source` imports, its relative imports resolved against `package` (dotted: the
    package the module is in, or the package itself for an __init__.py)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            # `from bot import ingest` imports bot.ingest.
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: str) -> dict[str, tuple[Path, str]]:
    """Dotted module name -> (file, the package its relative imports start from)."""
    modules = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            modules[".".join(parts[:-1])] = (path, ".".join(parts[:-1]))
        else:
            modules[".".join(parts)] = (path, ".".join(parts[:-1]))
    return modules


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@dataclass(frozen=True)
class Rule:
    why: str
    folder: str
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()


RULES = (
    Rule(
        "the store never imports a parser, a fetcher, the feed logic, search or Discord",
        "bot/store",
        (
            "bot.ingest",
            "bot.net",
            "bot.feeds",
            "bot.search",
            "bot.cli",
            "bot.client",
            "cogs",
            "discord",
            "aiohttp",
        ),
    ),
    Rule(
        "a parser never does I/O: no network, no store, no Discord",
        "bot/ingest",
        (
            "bot.net",
            "bot.store",
            "bot.feeds",
            "bot.search",
            "bot.client",
            "bot.cli",
            "cogs",
            "discord",
            "aiohttp",
            "aiosqlite",
            "sqlite3",
            "psycopg",
            "socket",
            "urllib.request",
        ),
    ),
    Rule(
        "only bot/client.py and the cogs import discord",
        "bot",
        ("discord", "cogs"),
        exempt=("bot.client",),
    ),
    Rule(
        "a cog never writes SQL, fetches, parses or builds the poller: it calls a service",
        "cogs",
        (
            "bot.ingest",
            "bot.net",
            "bot.feeds.poller",
            "bot.feeds.files",
            "bot.feeds.source",
            "aiosqlite",
            "sqlite3",
            "psycopg",
        ),
    ),
)


@pytest.mark.parametrize("rule", RULES, ids=[r.folder for r in RULES])
def test_no_module_imports_across_its_layer(rule: Rule) -> None:
    modules = _modules(rule.folder)
    assert modules, f"no modules found under {rule.folder}"
    crossings = []
    for module, (path, package) in modules.items():
        if module in rule.exempt:
            continue
        names = imported_modules(path.read_text(encoding="utf-8"), package)
        # `from bot.net.fetch import Fetcher` is one crossing, not two: report the module only.
        crossings += [
            f"{path.relative_to(ROOT)} imports {name}"
            for name in sorted(names)
            if _within(name, rule.forbidden)
            and not (name.rsplit(".", 1)[0] in names and _within(name.rsplit(".", 1)[0], rule.forbidden))
        ]
    assert not crossings, f"{rule.why}:\n" + "\n".join(crossings)


def test_the_reader_sees_type_only_nested_and_relative_imports() -> None:
    # What the rules rely on: an import hidden from a casual grep is still found.
    source = """
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from bot.ingest.feed import FeedDocument
def later():
    import discord.utils
from . import catalog
from ..net import fetch
from bot import ingest
"""
    found = imported_modules(source, "bot.store")
    assert {"bot.ingest.feed", "discord.utils", "bot.store.catalog", "bot.net.fetch", "bot.ingest"} <= found
    assert _within("bot.ingest.feed", ("bot.ingest",))
    assert not _within("bot.ingestion", ("bot.ingest",))
