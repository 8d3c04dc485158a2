"""Building the in-memory lookup index from the store's rows (runs in a worker thread)."""

from __future__ import annotations

import gc
from datetime import datetime
from sys import intern
from typing import TYPE_CHECKING

from bot.search.index import EpisodeIndex, IndexedEpisode, IndexedPerson
from bot.text import fold_words

if TYPE_CHECKING:
    from bot.store.index_reads import IndexRows


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
    names: list[tuple[str, str]] = []
    person_ids: list[int] = []
    person_episodes: list[list[int]] = []
    person_roles: list[dict[str, None]] = []
    # One (person, role) tuple per pair, shared by every episode that has it: a host is on all of them.
    pairs: dict[tuple[int, str], tuple[int, str]] = {}
    # Interned: one index per show, and a person on forty shows is in forty of them.
    known = {person_id: (intern(name), intern(folded)) for person_id, name, folded in rows.people}
    for episode_id, person_id, raw_role in rows.appearances:
        role = intern(raw_role)  # "host" or "guest": two strings, not one per appearance
        position = positions.get(episode_id)
        if position is None or person_id not in known:
            continue
        p = person_position.get(person_id)
        if p is None:
            p = person_position[person_id] = len(names)
            names.append(known[person_id])
            person_ids.append(person_id)
            person_episodes.append([])
            person_roles.append({})
        person_roles[p][role] = None
        pair = pairs.setdefault((p, role), (p, role))
        people_of.setdefault(position, []).append(pair)
        if role == "guest":
            guests_of.setdefault(position, []).append(names[p][0])
    # Newest first, like the episodes: a person's latest appearance comes first. Walking the positions in
    # order lists each person's ascending, with no sort per person.
    for position in range(len(rows.episodes)):
        for p, _ in people_of.get(position, ()):
            person_episodes[p].append(position)
    episodes = [
        IndexedEpisode(
            id=episode_id,
            title=title,
            folded=folded,
            duration_s=duration_s,
            published=datetime.fromisoformat(published) if published else None,
            guests=tuple(guests_of.get(i, ())),
            people=tuple(people_of.get(i, ())),
        )
        for i, (episode_id, title, folded, duration_s, published) in enumerate(rows.episodes)
    ]
    people = [
        IndexedPerson(
            id=person_ids[p],
            name=name,
            folded=folded,
            episodes=tuple(person_episodes[p]),
            roles=tuple(person_roles[p]),
        )
        for p, (name, folded) in enumerate(names)
    ]
    return EpisodeIndex(
        episodes,
        people,
        extra_words=fold_words(rows.chapter_titles),
        show_id=rows.show_id,
        show_title=rows.show_title,
        generation=rows.generation,
        chapter_span=rows.chapter_span,
    )
