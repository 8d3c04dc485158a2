"""Answers across several shows: each show has an index of its own (a change to one show rebuilds only
that one), and a question in a scope of several shows asks each of their indexes and merges the answers.

Scores are comparable across indexes: each is word coverage on a 0–100 scale, not a rank within its
index. Ties go to the newer episode, as within one index.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.search import episodes as episode_search
from bot.search.chapters import find as find_chapters_in
from bot.search.results import EpisodeRef, PersonMatch, Suggestion

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.search.index import EpisodeIndex
    from bot.search.results import ChapterHit, EpisodeMatch
    from bot.store.index_reads import LookupReader

# Undated episodes sort after every dated one, newest first.
_UNDATED = datetime.min.replace(tzinfo=UTC)


def _recency(published: datetime | None) -> float:
    if published is None:
        return _UNDATED.timestamp()
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return published.timestamp()


def find(
    indexes: Sequence[EpisodeIndex], reader: LookupReader | None, query: str, *, limit: int
) -> list[EpisodeMatch]:
    if len(indexes) == 1:
        return episode_search.find(indexes[0], reader, query, limit=limit)
    # On equal scores, each index's own order stands (its tie-breaks: the title the query opens first),
    # then the newer episode across indexes.
    ranked = [
        (-m.score, place, -_recency(m.published), m)
        for index in indexes
        for place, m in enumerate(episode_search.find(index, reader, query, limit=limit))
    ]
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:limit]]


def by_id_text(indexes: Sequence[EpisodeIndex], query: str) -> EpisodeMatch | None:
    for index in indexes:
        match = episode_search.by_id_text(index, query)
        if match is not None:
            return match
    return None


def resolve(indexes: Sequence[EpisodeIndex], reader: LookupReader, query: str) -> EpisodeMatch | None:
    """An autocomplete value (the episode id as text) or free text -> the episode meant, or None."""
    by_id = by_id_text(indexes, query)
    if by_id is not None:
        return by_id
    found = find(indexes, reader, query, limit=1)
    return found[0] if found else None


def suggest(indexes: Sequence[EpisodeIndex], typed: str, limit: int) -> list[Suggestion]:
    if len(indexes) == 1:
        return episode_search.suggest(indexes[0], typed, limit)
    limit = max(0, min(limit, 25))
    scored: list[tuple[float, float, EpisodeIndex, int]] = []
    for index in indexes:
        if not typed.strip():
            # Each index lists its episodes newest first: its first `limit` are all it can contribute.
            for position in range(min(limit, len(index.episode_ids))):
                scored.append((0.0, _recency(index.published(position)), index, position))
            continue
        _, _, candidates = index.candidates(typed, typing=True)
        for score, _, cand in episode_search.rank(candidates)[:limit]:
            scored.append((score, _recency(index.published(cand.position)), index, cand.position))
    best = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], -s[1]))
    return [
        Suggestion(label=episode_search.episode_label(index, p), value=str(index.episode_ids[p]))
        for _, _, index, p in best
    ]


def find_people(
    indexes: Sequence[EpisodeIndex], query: str, limit: int, episodes: int | None = None
) -> list[PersonMatch]:
    """People for a fuzzy name query; one person on several shows is one answer, with the episodes of
    each show in scope (newest first) and the count over all of them."""
    if len(indexes) == 1:
        return episode_search.find_people(indexes[0], query, limit, episodes)
    merged: dict[int, tuple[float, list[tuple[float, EpisodeRef]], dict[str, None], str]] = {}
    for index in indexes:
        for p, score in index.people_matches(query, limit=limit):
            if score < episode_search.MIN_SCORE:
                continue
            person_id = index.person_ids[p]
            best, refs, roles, name = merged.get(person_id, (0.0, [], {}, index.person_name(p)))
            for position in index.person_episodes(p):
                ref = EpisodeRef(
                    index.episode_ids[position], index.title(position), index.show_id, index.show_title
                )
                refs.append((_recency(index.published(position)), ref))
            roles.update(dict.fromkeys(index.person_roles(p)))
            merged[person_id] = (max(best, score), refs, roles, name)
    ranked = sorted(merged.values(), key=lambda m: (-m[0], -len(m[1]), m[3]))[:limit]
    out = []
    for score, refs, roles, name in ranked:
        refs.sort(key=lambda r: -r[0])
        listed = refs if episodes is None else refs[: max(0, episodes)]
        out.append(
            PersonMatch(
                name=name,
                score=round(score, 1),
                episodes=tuple(r for _, r in listed),
                roles=tuple(roles),
                episode_count=len(refs),
            )
        )
    return out


def suggest_people(indexes: Sequence[EpisodeIndex], typed: str, limit: int) -> list[Suggestion]:
    if len(indexes) == 1:
        return episode_search.suggest_people(indexes[0], typed, limit)
    limit = max(0, min(limit, 25))
    if not typed.strip():
        # The guests of the latest episodes across the scope, then the hosts.
        seen: dict[int, tuple[tuple[bool, float], str, int]] = {}
        for index in indexes:
            for p in index.recent_people[:limit]:
                theirs = index.person_episodes(p)
                newest = index.published(theirs[0]) if theirs else None
                key = ("guest" not in index.person_roles(p), -_recency(newest))
                person_id = index.person_ids[p]
                old = seen.get(person_id)
                count = len(theirs) + (old[2] if old else 0)
                seen[person_id] = (min(key, old[0]) if old else key, index.person_name(p), count)
        people = sorted(seen.values())[:limit]
        return [_person_suggestion(name, count) for _, name, count in people]
    return [_person_suggestion(m.name, m.episode_count) for m in find_people(indexes, typed, limit, 0)]


def _person_suggestion(name: str, count: int) -> Suggestion:
    label = episode_search.clip(f"{name} ({count} episode{'s' if count != 1 else ''})")
    return Suggestion(label=label, value=episode_search.clip(name))


def search_chapters(
    indexes: Sequence[EpisodeIndex], reader: LookupReader, query: str, *, limit: int
) -> list[ChapterHit]:
    hits = [hit for index in indexes for hit in find_chapters_in(index, reader, query, limit=limit)]
    if len(indexes) > 1:
        hits.sort(key=lambda h: -h.score)
    return hits[:limit]
