"""What search returns: plain, frozen results that the CLI and the cogs render as they like."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class EmptyQuery(ValueError):
    """The query is empty or only whitespace: there is nothing to search for."""


@dataclass(frozen=True, slots=True)
class EpisodeMatch:
    episode_id: int
    title: str
    # 0–100, higher is better; comparable between results of one query, not across queries.
    score: float
    guests: tuple[str, ...]
    duration_s: int | None
    published: datetime | None
    # What matched best: "title", "person", "chapter" or "notes" (weaker evidence ranks lower).
    matched_on: str
    show_id: int = 0
    show_title: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete choice: `label` is shown (1–100 characters), `value` is sent back (1–100 characters)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class EpisodeRef:
    episode_id: int
    title: str
    show_id: int = 0
    show_title: str = ""


@dataclass(frozen=True, slots=True)
class PersonMatch:
    name: str
    score: float
    # Newest first; all of them, or the newest few when the caller asked for fewer.
    episodes: tuple[EpisodeRef, ...]
    # Roles this person has across their episodes, e.g. ("guest",) or ("host",).
    roles: tuple[str, ...]
    # How many episodes they are in, whether or not `episodes` lists them all.
    episode_count: int


@dataclass(frozen=True, slots=True)
class QuoteHit:
    episode_id: int
    episode_title: str
    speaker: str | None
    start_s: int
    # The segment's text, plain.
    text: str
    # Character spans [start, end) in `text` of the words that matched, for bolding or marking.
    highlights: tuple[tuple[int, int], ...]
    # The words around the segment: the tail of the previous segment and the head of the next one.
    before: str
    after: str
    score: float
    # True when the hit contains the user's words as an exact phrase (these rank first).
    exact: bool
    show_id: int = 0
    show_title: str = ""


@dataclass(frozen=True, slots=True)
class ChapterHit:
    episode_id: int
    episode_title: str
    start_s: int
    title: str
    score: float
    show_id: int = 0
    show_title: str = ""
