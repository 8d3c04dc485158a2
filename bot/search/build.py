"""Building the in-memory lookup index from the store's rows (runs in a worker thread)."""

from __future__ import annotations

import gc
from sys import intern
from typing import TYPE_CHECKING

from bot.search.index import EpisodeColumns, EpisodeIndex, PeopleColumns
from bot.text import fold_words

if TYPE_CHECKING:
    from bot.store.index_reads import IndexRows


def build_index(rows: IndexRows) -> EpisodeIndex:
    # Many new objects, most of them garbage once the index has packed them: without a pause, the
    # collector would walk them again and again as they are made. What is kept is frozen (Search.refresh).
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
    person_position: dict[int, int] = {}
    names: list[tuple[str, str]] = []
    person_ids: list[int] = []
    person_episodes: list[list[int]] = []
    person_roles: list[dict[str, None]] = []
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
        people_of.setdefault(position, []).append((p, role))
    # Newest first, like the episodes: a person's latest appearance comes first. Walking the positions in
    # order lists each person's ascending, with no sort per person.
    for position in range(len(rows.episodes)):
        for p, _ in people_of.get(position, ()):
            person_episodes[p].append(position)
    count = len(rows.episodes)
    episodes = EpisodeColumns(
        ids=[row[0] for row in rows.episodes],
        titles=[row[1] for row in rows.episodes],
        folded=[row[2] for row in rows.episodes],
        durations=[row[3] for row in rows.episodes],
        published=[row[4] for row in rows.episodes],
        people=[people_of.get(i, []) for i in range(count)],
    )
    people = PeopleColumns(
        ids=person_ids,
        names=[name for name, _ in names],
        folded=[folded for _, folded in names],
        episodes=person_episodes,
        roles=[tuple(roles) for roles in person_roles],
    )
    return EpisodeIndex(
        episodes,
        people,
        extra_words=fold_words(rows.chapter_titles),
        show_id=rows.show_id,
        show_title=rows.show_title,
        generation=rows.generation,
        chapter_span=rows.chapter_span,
    )
