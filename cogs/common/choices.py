"""Autocomplete answers: fast, at most 25, every name and value 1–100 characters, never an exception.

Autocomplete cannot be deferred: an answer later than 3 s is thrown away by Discord and the user sees
"Loading options failed". So lookups get a time budget, and any failure answers with no choices (and a
log line) rather than with nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord import app_commands

from bot.search.results import EmptyQuery, Suggestion
from cogs.common.limits import CHOICE_TEXT, CHOICES, fit_choice, length

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterable

log = logging.getLogger(__name__)

AUTOCOMPLETE_BUDGET_S = 2.0


def to_choices(suggestions: Iterable[Suggestion]) -> list[app_commands.Choice[str]]:
    out: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for suggestion in suggestions:
        value = suggestion.value.strip()
        # A value cannot be shortened without changing what it points to: one that does not fit is left out.
        if not value or length(value) > CHOICE_TEXT or value in seen:
            continue
        seen.add(value)
        out.append(app_commands.Choice(name=fit_choice(suggestion.label or value), value=value))
        if len(out) == CHOICES:
            break
    return out


async def answer_choices(
    lookup: Awaitable[Iterable[Suggestion]], *, what: str
) -> list[app_commands.Choice[str]]:
    try:
        async with asyncio.timeout(AUTOCOMPLETE_BUDGET_S):
            suggestions = await lookup
    except EmptyQuery:
        return []
    except TimeoutError:
        log.warning(
            "autocomplete for %s took longer than %.1f s; answered with no choices",
            what,
            AUTOCOMPLETE_BUDGET_S,
        )
        return []
    except Exception:
        log.exception("autocomplete for %s failed; answered with no choices", what)
        return []
    return to_choices(suggestions)
