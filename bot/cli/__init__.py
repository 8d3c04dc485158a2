"""The `podbot` command (also `python -m bot`): the same core as the bot, for operators and scripts.

Output is human-readable by default and a stable JSON shape with `--json`. Errors are one line on stderr
and a non-zero exit; a traceback only reaches the log, shown with `--verbose`.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import sys
from typing import IO, Any

import click

from bot import __version__

# Everything heavy (the store, aiohttp, pydantic-settings, the command modules) is imported on first use,
# so `podbot --version` pays only for click (issue 13: --version <= 0.15 s; tests/test_cli_startup.py).

log = logging.getLogger("bot.cli")


class PodbotError(click.ClickException):
    """Printed as `podbot: <message>` on stderr, exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"podbot: {self.format_message()}", err=True)


class PodbotUsageError(click.UsageError):
    """A bad option or argument: `podbot: <message> (see '<command> --help')` on stderr, exit status 2,
    instead of click's usage block."""

    def show(self, file: IO[Any] | None = None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"podbot: {self.format_message()}{hint}", err=True)


# Which module holds each command (tests/test_cli_startup.py checks this against the modules' COMMANDS).
# Running a command imports its own module only: `podbot episodes` never loads the search machinery that
# `podbot quote` needs, nor `podbot ingest`'s fetching.
COMMAND_MODULES: dict[str, str] = {
    "ingest": "bot.cli.catalog",
    "episodes": "bot.cli.catalog",
    "shows": "bot.cli.catalog",
    "episode": "bot.cli.search",
    "quote": "bot.cli.search",
    "chapters": "bot.cli.search",
    "guest": "bot.cli.search",
    "run": "bot.cli.bot",
    "sync": "bot.cli.bot",
    "health": "bot.cli.health",
    "store": "bot.cli.store",
}


class PodbotGroup(click.Group):
    """Turns every failure into one line on stderr and an exit code; nothing else prints a traceback.

    A command's module is imported when the command is looked up, not at import: an eager option such as
    `--version` exits before any command is looked up, and a command loads only its own family."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        for name in COMMAND_MODULES:
            self._load(name)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> None:
        module_name = COMMAND_MODULES.get(name)
        if module_name is None or name in self.commands:
            return
        module = importlib.import_module(module_name)
        for command in module.COMMANDS:
            if command.name not in self.commands:
                _accept_global_options(command)
                self.add_command(command)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise PodbotUsageError(exc.format_message(), exc.ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        from bot.cli.context import CliError
        from bot.store.errors import StoreDamaged, damaged_sentence, is_damage

        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise PodbotUsageError(exc.format_message(), exc.ctx) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except CliError as exc:
            raise PodbotError(str(exc)) from exc
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            # The reader went away (`podbot episodes | head`): click exits quietly on EPIPE.
            raise
        except Exception as exc:
            log.debug("unexpected error", exc_info=True)
            if is_damage(exc):
                # Found by whichever read met a damaged page first: the same sentence for every command.
                path = exc.path if isinstance(exc, StoreDamaged) else ctx.obj.settings.db
                raise PodbotError(damaged_sentence(path)) from exc
            raise PodbotError(
                f"unexpected error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)"
            ) from exc


DB_HELP = (
    "The store to use: a SQLite file or a postgresql:// URL (default: $PODBOT_DB, else a file in the user"
    " data directory)."
)
VERBOSE_HELP = "Log debug details, tracebacks included, to stderr."


@click.group(cls=PodbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    help=DB_HELP,
)
@click.option("-v", "--verbose", is_flag=True, help=VERBOSE_HELP)
@click.version_option(__version__, prog_name="podbot")
@click.pass_context
def cli(ctx: click.Context, db: str | None, verbose: bool) -> None:
    """podbot: every episode, chapter and word of a podcast, from Discord or the terminal."""
    from bot.cli.context import CliContext
    from bot.cli.settings import load_settings
    from bot.config import store_location
    from bot.logs import configure_logging

    # Validated for the command about to run: a bad setting it never reads is only a warning.
    settings = load_settings(ctx.invoked_subcommand)
    if db is not None:
        settings = settings.model_copy(update={"db": store_location(db)})
    # The CLI's stdout is its output (often JSON for scripts), and its stderr one line per problem
    # (CliError, warn): the log goes to stderr only when asked for; `podbot run` reconfigures logging.
    configure_logging("DEBUG" if verbose else "CRITICAL", stream=sys.stderr)
    ctx.obj = CliContext(settings=settings, verbose=verbose)


def _late_db(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    from bot.cli.context import CliContext
    from bot.config import store_location

    if value is not None and isinstance(ctx.obj, CliContext):
        settings = ctx.obj.settings.model_copy(update={"db": store_location(value)})
        ctx.obj = dataclasses.replace(ctx.obj, settings=settings)


def _late_verbose(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    from bot.cli.context import CliContext
    from bot.logs import configure_logging

    if value and isinstance(ctx.obj, CliContext):
        ctx.obj = dataclasses.replace(ctx.obj, verbose=True)
        configure_logging("DEBUG", stream=sys.stderr)


def _accept_global_options(command: click.Command) -> None:
    """People type `podbot episodes --db X` and `podbot run -v`: the group's options work after the
    subcommand too. The group's callback has run by then, so these amend the context it made."""
    command.params.append(click.Option(["--db"], expose_value=False, callback=_late_db, help=DB_HELP))
    command.params.append(
        click.Option(
            ["-v", "--verbose"], is_flag=True, expose_value=False, callback=_late_verbose, help=VERBOSE_HELP
        )
    )


def main() -> None:
    cli(prog_name="podbot")


__all__ = ["cli", "main"]
