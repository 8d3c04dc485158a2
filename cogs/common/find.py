"""Finding what a command's argument points to: an autocomplete value or whatever the user typed.

Shared by /episode, /chapters, /quote and the buttons, so "which episode did they mean" has one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.search.results import Suggestion

if TYPE_CHECKING:
    from bot.client import PodBot
    from bot.scope import Scope
    from bot.store import StoredEpisode

MAX_ALTERNATIVES = 3


@dataclass(frozen=True, slots=True)
class FoundEpisode:
    stored: StoredEpisode
    # Titles of other episodes that matched almost as well ("did you mean").
    alternatives: tuple[str, ...] = ()


async def find_episode(
    bot: PodBot, query: str, *, scope: Scope, with_alternatives: bool = True
) -> FoundEpisode | None:
    best = await bot.search.resolve_episode(query, scope=scope)
    if best is None:
        return None
    stored = await bot.store.catalog.get(best.episode_id, scope=scope)
    if stored is None:
        return None
    # A value picked from the autocomplete list is exactly what the user meant: no "did you mean".
    picked = query.strip() == str(best.episode_id)
    if picked or not with_alternatives:
        return FoundEpisode(stored)
    alternatives = tuple(
        m.title for m in await bot.search.runners_up(query, best, scope=scope, limit=MAX_ALTERNATIVES)
    )
    return FoundEpisode(stored, alternatives)


async def episode_suggestions(bot: PodBot, typed: str, *, scope: Scope, limit: int = 25) -> list[Suggestion]:
    """Autocomplete for an episode: the newest episodes before anything is typed, else search's picks."""
    if not typed.strip():
        newest = await bot.store.catalog.episodes(scope=scope, limit=limit)
        return [Suggestion(label=s.episode.title, value=str(s.id)) for s in newest]
    return await bot.search.suggest_episodes(typed, scope=scope, limit=limit)


async def suggested_titles(bot: PodBot, typed: str, *, scope: Scope, limit: int = 3) -> list[str]:
    """Labels to offer after a miss ("did you mean"): close titles, else nothing."""
    if not typed.strip():
        return []
    return [s.label for s in await bot.search.suggest_episodes(typed, scope=scope, limit=limit)]
