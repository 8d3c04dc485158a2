"""Chapters: which one is playing at a moment, and chapter search across episodes."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.search.index import coverage, field_score, tokens_of
from bot.search.results import ChapterHit
from bot.store.index_reads import fts_expression
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.models import Chapter
    from bot.search.index import EpisodeIndex, Expansion
    from bot.store.index_reads import LookupReader

# Chapters fetched from the full-text index per query, then scored here.
FETCH = 200
RANK_CAP = 2000
# Alternatives per query word in the full-text query: the word, its closest corrections and completions.
ALTERNATIVES = 6
MIN_SCORE = 50.0


def playing_at(chapters: Sequence[Chapter], second: int) -> Chapter | None:
    ordered = sorted(chapters, key=lambda c: c.start_s)
    i = bisect.bisect_right([c.start_s for c in ordered], second) - 1
    if i < 0:
        return None
    chapter = ordered[i]
    if chapter.end_s is not None and second >= chapter.end_s:
        return None
    return chapter


def word_units(expansions: Sequence[Expansion]) -> list[list[str]]:
    """For each query word: itself and its strongest expansions, as full-text alternatives."""
    units = []
    for x in expansions:
        best = sorted(x.words.items(), key=lambda kv: (-kv[1], len(kv[0])))[:ALTERNATIVES]
        units.append([x.token, *x.phrases, *(w for w, _ in best)])
    return units


def chapter_score(folded_query: str, expansions: Sequence[Expansion], title: str) -> float:
    folded = fold(title)
    return field_score(fuzz.WRatio(folded_query, folded), coverage(expansions, folded))


def find(index: EpisodeIndex, reader: LookupReader, query: str, *, limit: int) -> list[ChapterHit]:
    tokens = tokens_of(query)
    if not tokens or limit <= 0:
        return []
    expansions = index.expand(tokens)
    folded = " ".join(tokens)
    rows = reader.chapter_matches(
        fts_expression(word_units(expansions)),
        show_id=index.show_id,
        span=index.chapter_span,
        limit=FETCH,
        rank_below=RANK_CAP,
    )
    hits = []
    for row in rows:
        position = index.by_id.get(row.episode_id)
        if position is None:
            continue
        score = chapter_score(folded, expansions, row.title)
        if score >= MIN_SCORE:
            hits.append((score, position, row))
    # Best score first; among equals, the newer episode and then the earlier chapter.
    hits.sort(key=lambda h: (-h[0], h[1], h[2].start_s))
    return [
        ChapterHit(
            episode_id=row.episode_id,
            episode_title=index.title(position),
            start_s=row.start_s,
            title=row.title,
            score=round(score, 1),
            show_id=index.show_id,
            show_title=index.show_title,
        )
        for score, position, row in hits[:limit]
    ]
