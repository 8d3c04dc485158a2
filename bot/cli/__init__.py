"""The `podbot` command (also `python -m bot`): the same core as the bot, for operators and scripts.

Output is human-readable by default and a stable JSON shape with `--json`. Errors are one line on stderr
and a non-zero exit; a traceback only reaches the log, shown with `--verbose`.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from typing import IO, Any

import click

from bot import __version__
from bot.cli.context import CliContext, CliError
from bot.config import store_location
from bot.logs import configure_logging
from bot.store.errors import StoreDamaged, damaged_sentence, is_damage

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


class PodbotGroup(click.Group):
    """Turns every failure into one line on stderr and an exit code; nothing else prints a traceback."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise PodbotUsageError(exc.format_message(), exc.ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
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
    from bot.cli.settings import load_settings

    # Validated for the command about to run: a bad setting it never reads is only a warning.
    settings = load_settings(ctx.invoked_subcommand)
    if db is not None:
        settings = settings.model_copy(update={"db": store_location(db)})
    # The CLI's stdout is its output (often JSON for scripts), and its stderr one line per problem
    # (CliError, warn): the log goes to stderr only when asked for; `podbot run` reconfigures logging.
    configure_logging("DEBUG" if verbose else "CRITICAL", stream=sys.stderr)
    ctx.obj = CliContext(settings=settings, verbose=verbose)


def _late_db(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None and isinstance(ctx.obj, CliContext):
        settings = ctx.obj.settings.model_copy(update={"db": store_location(value)})
        ctx.obj = dataclasses.replace(ctx.obj, settings=settings)


def _late_verbose(ctx: click.Context, _: click.Parameter, value: bool) -> None:
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


def _register_commands() -> None:
    # Each command family lives in its own module and registers itself on `cli`.
    from bot.cli import bot, catalog, health, search, store

    for command in (*catalog.COMMANDS, *search.COMMANDS, *bot.COMMANDS, *health.COMMANDS, *store.COMMANDS):
        _accept_global_options(command)
        cli.add_command(command)


_register_commands()


def main() -> None:
    cli(prog_name="podbot")


__all__ = ["cli", "main"]
