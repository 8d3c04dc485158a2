"""The plain data that flows from sources through the store to search, the CLI and the cogs.

Parsers build these, the store persists and returns them, and nothing here knows about SQL or Discord.
Everything is frozen: a parsed source is a value, so ingesting it twice can be compared for changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    HOST = "host"
    GUEST = "guest"


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: Role = Role.GUEST
    # Podcasting 2.0 `podcast:person` carries these; pages usually do not.
    image: str | None = None
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Chapter:
    start_s: int
    title: str
    end_s: int | None = None
    url: str | None = None
    # Podcasting 2.0 `toc: false` chapters are metadata (ads, artwork changes), not table-of-contents entries.
    toc: bool = True


@dataclass(frozen=True, slots=True)
class Segment:
    """A searchable stretch of transcript: one speaker, one start time, a few sentences."""

    start_s: int
    text: str
    speaker: str | None = None
    # Where each timed cue that the segment joins starts: (character offset in `text`, second), in order,
    # the first at offset 0. A hit inside the segment is reported at the start of the cue that holds it.
    # Empty when the source times only whole turns (the bundled page): the segment's start stands.
    cues: tuple[tuple[int, int], ...] = ()

    def time_at(self, offset: int) -> int:
        """The second at which the character at `offset` of `text` is said, as closely as the source tells."""
        return time_at(self.start_s, self.cues, offset)


def time_at(start_s: int, cues: tuple[tuple[int, int], ...], offset: int) -> int:
    """The start of the last cue that begins at or before `offset`; `start_s` when there is none."""
    seconds = start_s
    for cue_offset, cue_start in cues:
        if cue_offset > offset:
            break
        seconds = cue_start
    return seconds


@dataclass(frozen=True, slots=True)
class Episode:
    title: str
    # The source's stable identity for the episode: an RSS GUID, or a key derived from the source when the
    # source has none (see bot.identity). Two ingests of the same episode must produce the same guid.
    guid: str
    show_notes: str = ""
    duration_s: int | None = None
    published: datetime | None = None
    link: str | None = None
    audio_url: str | None = None
    artwork: str | None = None
    people: tuple[Person, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    segments: tuple[Segment, ...] = ()
    # Where the episode sits in its source's own listing, 0 being the first listed. Directory pages and
    # feeds list newest first; this orders episodes that carry no publish date.
    source_order: int = 0
    # URLs of Podcasting 2.0 chapter/transcript files the source points to but that were not (yet) read.
    chapters_url: str | None = None
    transcript_urls: tuple[TranscriptRef, ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.people if p.role is Role.HOST)

    @property
    def guests(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.people if p.role is Role.GUEST)


@dataclass(frozen=True, slots=True)
class TranscriptRef:
    url: str
    mime_type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True, slots=True)
class Show:
    title: str
    # Identity of the show across ingests: the feed URL when known, else derived from the title.
    key: str
    description: str = ""
    link: str | None = None
    artwork: str | None = None
    feed_url: str | None = None
    hosts: tuple[str, ...] = ()
    # How podcast apps know the show, when the feed says (bot.listen checks both): the show's
    # `podcast:guid` (a UUID) and its Apple Podcasts id, from a link to its Apple Podcasts page.
    podcast_guid: str | None = None
    apple_id: int | None = None


@dataclass(frozen=True, slots=True)
class SharedGuid:
    """Items of one feed that gave the same GUID (a publisher's mistake): those that differ in audio, title
    or date are kept as distinct episodes, those identical to one kept are one episode listed twice."""

    guid: str
    # The titles of the episodes kept, in the feed's order (the oldest keeps the GUID as its key).
    kept: tuple[str, ...]
    # Listings dropped as repeats of one kept.
    merged: int = 0


@dataclass(frozen=True, slots=True)
class ParsedSource:
    """What a parser makes of one source file or feed: a show and its episodes."""

    format: str
    show: Show
    episodes: tuple[Episode, ...] = field(default_factory=tuple)
    # A feed's GUIDs given to more than one item, and what became of those items.
    shared_guids: tuple[SharedGuid, ...] = ()
