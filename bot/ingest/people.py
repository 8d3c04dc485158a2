"""Who is on an episode: hosts from a byline, guests from titles, show notes and transcript speakers.

Sources name people loosely ("Erik" in the transcript, "Erik Schluntz" in the title, "swyx" in the byline
and "Swyx" in the transcript), so everything here compares folded names and keeps the fullest form the
episode's own text supports.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.models import Person, Role
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# Separators in a byline: "A + B", "A, B & C", "A and B", "A, B, and C".
_BYLINE_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|&)\s+|,|\+|&|\s\band\b\s|/)\s*", re.IGNORECASE)

# One written name: one to four words that each start with a capital letter (or are a particle such as
# "van" or "de" inside the name). Initials ("Ricky T. Q. Chen") are words too.
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|(?:van|von|de|da|del|der|di|le|la|bin|al)(?=\s+[A-Z]))"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}")

# The tail of a title that introduces guests: " - with A and B of Org", " — with A, Org", "(with A)".
_TITLE_WITH = re.compile(r"(?:\s[-–—|]\s*|:\s+|\(\s*)with\s+(?P<names>[^()|]+)", re.IGNORECASE)
# Where a guest list in a title stops and the affiliation starts.
_TITLE_AFFILIATION = re.compile(r"\s+(?:of|from|at|@)\s+|\s[-–—]\s|\)")
# "A and B", "A & B": the last name of a list.
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)

# Show notes that introduce the episode's guest: "Today's guest, Lin Qiao, …", "from today's first-ever
# SOLO guest cohost, Brittany Walker", "our guest today is Ada Lovelace".
_NOTES_GUEST_CUE = re.compile(
    r"(?i:\btoday['’]s\s+(?:[\w-]+\s+){0,3}?guests?(?:\s+co-?hosts?)?|\bour\s+guests?\s+today(?:\s+is|\s+are)?)"
    r",?\s+(?P<name>" + _NAME.pattern + ")"
)

# Transcript labels that stand for a voice, not a person: "Speaker 1", "Unknown", "Host", "Guest 2".
_GENERIC_SPEAKER = re.compile(r"(?i:speaker|unknown|host|guest|interviewer|narrator|voice)(?:\s*\d+)?")


def split_byline(byline: str) -> tuple[str, ...]:
    """`"Alessio + swyx"` -> ("Alessio", "swyx"); also "A, B & C" and "A and B"."""
    names = (part.strip(" .") for part in _BYLINE_SEPARATOR.split(byline))
    return tuple(_dedupe(name for name in names if name))


def guests_from_title(title: str) -> tuple[str, ...]:
    """Guests an episode title introduces with "with": `"… - with Varun and Anshul of Codeium AI"`.

    Without an "and", a comma ends the names: `"— with Erik Schluntz, Anthropic"` names one guest whose
    affiliation follows, which is how titles write it; with an "and", the list runs to that last name.
    """
    match = _TITLE_WITH.search(title)
    if not match:
        return ()
    names_text = _TITLE_AFFILIATION.split(match["names"], maxsplit=1)[0]
    parts = [part.strip() for part in names_text.split(",")]
    with_and = next((i for i, part in enumerate(parts) if _AND.search(part)), None)
    candidates = parts[:1] if with_and is None else [*parts[:with_and], *_AND.split(parts[with_and])]
    return tuple(_dedupe(name for name in (c.strip(" .") for c in candidates) if _is_name(name)))


def guests_named_in_notes(notes: str) -> tuple[str, ...]:
    """Guests the show notes introduce as today's guest."""
    return tuple(_dedupe(match["name"].rstrip(".") for match in _NOTES_GUEST_CUE.finditer(notes)))


def episode_people(
    hosts: Sequence[str],
    guest_candidates: Iterable[str],
    *,
    context: str = "",
) -> tuple[Person, ...]:
    """Hosts first, then guests in the order given, deduplicated and never a host.

    A guest named by first name only becomes the full name when another candidate or `context` (the
    episode's title and show notes, not its transcript, whose spellings are speech-to-text guesses) names
    exactly one person with that first name; otherwise the first name stays, since guessing a surname from
    someone else in the text is worse than no surname.
    """
    people = [Person(name=host, role=Role.HOST) for host in hosts]
    host_keys = {fold(host) for host in hosts}
    # A host written with a full name in the byline is also the speaker "Alessio" in a transcript.
    host_keys |= {key.split()[0] for key in list(host_keys) if key}

    candidates = [
        name
        for name in _dedupe(guest_candidates)
        if fold(name) not in host_keys and not _GENERIC_SPEAKER.fullmatch(name)
    ]
    full_names = [name for name in candidates if len(name.split()) > 1]
    guests: list[str] = []
    for name in candidates:
        if len(name.split()) == 1:
            fuller = _only_full_name(name, [*full_names, *_names_in(context, name)])
            if fuller:
                name = fuller
        guests.append(name)
    people.extend(
        Person(name=name, role=Role.GUEST) for name in _dedupe(guests) if fold(name) not in host_keys
    )
    return tuple(people)


def _names_in(context: str, first_name: str) -> list[str]:
    """Every "First Surname" the context writes for this first name."""
    # The surname stops before an apostrophe, so "Varun Mohan’s team" gives "Varun Mohan".
    pattern = re.compile(rf"(?<!\w){re.escape(first_name)}\s+([A-Z][a-z][\w-]*)")
    return [f"{first_name} {match[1]}" for match in pattern.finditer(context)]


def _only_full_name(first_name: str, names: Iterable[str]) -> str | None:
    key = fold(first_name)
    fuller = {fold(name): name for name in names if fold(name).split()[0] == key and len(name.split()) > 1}
    return next(iter(fuller.values())) if len(fuller) == 1 else None


def _is_name(text: str) -> bool:
    return bool(text) and _NAME.fullmatch(text) is not None and not any(ch.isdigit() for ch in text)


def _dedupe(names: Iterable[str]) -> list[str]:
    """Keep the first spelling of each folded name, in order."""
    seen: set[str] = set()
    kept: list[str] = []
    for name in names:
        key = fold(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept
