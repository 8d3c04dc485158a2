"""Episode and people lookup over the in-memory index, with chapter titles and show notes (from the
store's full-text indexes) as weaker evidence. Synchronous; runs in a search worker thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.search.chapters import chapter_score, word_units
from bot.search.index import NOWHERE, Candidate
from bot.search.results import EpisodeMatch, EpisodeRef, PersonMatch, Suggestion
from bot.store.index_reads import fts_expression
from bot.text import format_timestamp

if TYPE_CHECKING:
    from bot.search.index import EpisodeIndex
    from bot.store.index_reads import LookupReader

# A chapter title is about part of an episode, show notes mention things in passing: both count for less
# than a title or a guest. A notes mention scores below any good title or person match by construction.
CHAPTER_FACTOR = 0.8
NOTES_SCORE = 55.0
# Below this, a "match" is noise: better an honest empty list.
MIN_SCORE = 50.0
EVIDENCE_ROWS = 100
LABEL_MAX = 100


def rank(found: dict[int, Candidate]) -> list[tuple[float, str, Candidate]]:
    ranked = []
    for cand in found.values():
        score, field = cand.best()
        if score >= MIN_SCORE:
            ranked.append((score, field, cand))
    # Best score; then more fields agreeing; then the title the query's words open, over one they end
    # (a title match only: a person's or chapter's says nothing of where the title has it); then the
    # title's WRatio; then the newer episode.
    ranked.sort(
        key=lambda r: (
            -r[0],
            -r[2].fields(),
            r[2].title_at if r[1] == "title" else NOWHERE,
            -r[2].wratio,
            r[2].position,
        )
    )
    return ranked


def find(index: EpisodeIndex, reader: LookupReader | None, query: str, *, limit: int) -> list[EpisodeMatch]:
    """Best episodes for `query`. Without a reader (autocomplete) only titles and people are searched."""
    folded, expansions, found = index.candidates(query)
    if not expansions or limit <= 0:
        return []
    if reader is not None:
        expression = fts_expression(word_units(expansions))
        chapters = reader.chapter_matches(
            expression, show_id=index.show_id, span=index.chapter_span, limit=EVIDENCE_ROWS
        )
        for row in chapters:
            position = index.by_id.get(row.episode_id)
            if position is None:
                continue
            cand = found.setdefault(position, Candidate(position))
            cand.chapter = max(cand.chapter, CHAPTER_FACTOR * chapter_score(folded, expansions, row.title))
        if _says_something_in_notes(folded):
            notes = reader.notes_matches(
                expression, show_id=index.show_id, span=index.episode_span, limit=EVIDENCE_ROWS
            )
            for episode_id in notes:
                position = index.by_id.get(episode_id)
                if position is not None:
                    found.setdefault(position, Candidate(position)).notes = NOTES_SCORE
    return [_match(index, cand, score, field) for score, field, cand in rank(found)[:limit]]


def _says_something_in_notes(folded: str) -> bool:
    """Whether show notes that contain the query point at an episode: not when every word is a bare
    number or shorter than three characters ("0", "-1", "ai 2"), which nearly every episode's notes hold
    (times, prices, versions). Titles, people and chapters still answer such queries."""
    return any(len(word) >= 3 and not word.isdigit() for word in folded.split())


def _match(index: EpisodeIndex, cand: Candidate, score: float, field: str) -> EpisodeMatch:
    p = cand.position
    return EpisodeMatch(
        episode_id=index.episode_ids[p],
        title=index.title(p),
        score=round(score, 1),
        guests=index.guests(p),
        duration_s=index.duration(p),
        published=index.published(p),
        matched_on=field,
        show_id=index.show_id,
        show_title=index.show_title,
    )


def by_id_text(index: EpisodeIndex, query: str) -> EpisodeMatch | None:
    """The episode whose id `query` is (autocomplete sends the id as text), if there is one."""
    text = query.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    position = index.by_id.get(int(text))
    if position is None:
        return None
    return _match(index, Candidate(position, title=100.0), 100.0, "id")


def clip(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def episode_label(index: EpisodeIndex, position: int) -> str:
    published, duration = index.published(position), index.duration(position)
    facts = []
    if published:
        facts.append(published.date().isoformat())
    if duration:
        facts.append(format_timestamp(duration))
    suffix = f" ({', '.join(facts)})" if facts else ""
    title = index.title(position).strip() or f"Episode {index.episode_ids[position]}"
    # The date and length only if the title leaves room: the title is what the listener recognises.
    return clip(title + suffix) if len(title) + len(suffix) <= LABEL_MAX else clip(title)


def suggest(index: EpisodeIndex, typed: str, limit: int) -> list[Suggestion]:
    limit = max(0, min(limit, 25))
    if not typed.strip():
        positions = list(range(min(limit, len(index.episode_ids))))
    else:
        _, _, found = index.candidates(typed, typing=True)
        positions = [cand.position for _, _, cand in rank(found)[:limit]]
    return [Suggestion(label=episode_label(index, p), value=str(index.episode_ids[p])) for p in positions]


def _person(index: EpisodeIndex, position: int, score: float, episodes: int | None) -> PersonMatch:
    theirs = index.person_episodes(position)
    listed = theirs if episodes is None else theirs[: max(0, episodes)]
    refs = tuple(
        EpisodeRef(index.episode_ids[p], index.title(p), index.show_id, index.show_title) for p in listed
    )
    return PersonMatch(
        name=index.person_name(position),
        score=round(score, 1),
        episodes=refs,
        roles=index.person_roles(position),
        episode_count=len(theirs),
    )


def find_people(
    index: EpisodeIndex, query: str, limit: int, episodes: int | None = None
) -> list[PersonMatch]:
    """People for a fuzzy name query, best first; each with their newest `episodes` episodes (all when None)."""
    matches = index.people_matches(query, limit=limit)
    return [_person(index, p, score, episodes) for p, score in matches if score >= MIN_SCORE]


def suggest_people(index: EpisodeIndex, typed: str, limit: int) -> list[Suggestion]:
    limit = max(0, min(limit, 25))
    if not typed.strip():
        positions = list(index.recent_people[:limit])
    else:
        positions = [
            p for p, score in index.people_matches(typed, typing=True, limit=limit) if score >= MIN_SCORE
        ]
    out = []
    for p in positions:
        name, count = index.person_name(p), index.person_episode_count(p)
        label = clip(f"{name} ({count} episode{'s' if count != 1 else ''})")
        out.append(Suggestion(label=label, value=clip(name)))
    return out
