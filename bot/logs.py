"""Logging set-up, shared by the CLI, the bot and the bot's lookup process (which imports nothing heavier)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


def configure_logging(level: str, stream: TextIO = sys.stderr) -> None:
    """One line per record with the logger's name. The bot logs to stdout (where container runtimes look);
    the CLI keeps stdout for its output and logs to stderr."""
    logging.basicConfig(
        stream=stream,
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        force=True,
    )
    # discord.py and aiohttp are chatty at INFO about reconnects; keep them at WARNING unless debugging.
    if level != "DEBUG":
        for name in ("discord.gateway", "discord.client", "aiohttp.access"):
            logging.getLogger(name).setLevel(logging.WARNING)
