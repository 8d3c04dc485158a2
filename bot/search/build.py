"""Building the in-memory lookup index from the store's rows (runs in a worker thread)."""

from __future__ import annotations

import gc
from datetime import datetime
from typing import TYPE_CHECKING

from bot.search.lookup import EpisodeIndex, IndexedEpisode, IndexedPerson
from bot.text import fold, fold_many

if TYPE_CHECKING:
    from bot.store.lookup import IndexRows


def build_index(rows: IndexRows) -> EpisodeIndex:
    # Millions of new long-lived objects: without a pause, the collector would walk them again and again
    # as they are made (a third of the build time). They are frozen once built (Search.refresh).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(rows)
    finally:
        if enabled:
            gc.enable()


def _build(rows: IndexRows) -> EpisodeIndex:
    positions = {row[0]: i for i, row in enumerate(rows.episodes)}
    people_of: dict[int, list[tuple[int, str]]] = {}
    guests_of: dict[int, list[str]] = {}
    person_position: dict[int, int] = {}
    names: list[str] = []
    person_episodes: list[list[int]] = []
    person_roles: list[dict[str, None]] = []
    for episode_id, person_id, name, role in rows.people:
        position = positions.get(episode_id)
        if position is None:
            continue
        p = person_position.get(person_id)
        if p is None:
            p = person_position[person_id] = len(names)
            names.append(name)
            person_episodes.append([])
            person_roles.append({})
        person_episodes[p].append(position)
        person_roles[p][role] = None
        people_of.setdefault(position, []).append((p, role))
        if role == "guest":
            guests_of.setdefault(position, []).append(name)
    folded_titles = fold_many([row[1] for row in rows.episodes])
    episodes = [
        IndexedEpisode(
            id=episode_id,
            title=title,
            folded=folded_titles[i],
            duration_s=duration_s,
            published=datetime.fromisoformat(published) if published else None,
            guests=tuple(guests_of.get(i, ())),
            people=tuple(people_of.get(i, ())),
        )
        for i, (episode_id, title, duration_s, published) in enumerate(rows.episodes)
    ]
    folded_names = fold_many(names)
    people = [
        IndexedPerson(
            name=name,
            folded=folded_names[p],
            # Newest first, like the episodes: a person's latest appearance comes first.
            episodes=tuple(sorted(person_episodes[p])),
            roles=tuple(person_roles[p]),
        )
        for p, name in enumerate(names)
    ]
    # One fold over all chapter titles at once: only their words are kept, and one regex pass over a
    # long string is far cheaper than a call per title.
    chapter_words = set(fold(rows.chapter_titles).split())
    return EpisodeIndex(episodes, people, extra_words=chapter_words)
