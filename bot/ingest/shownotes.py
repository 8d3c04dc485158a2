"""Show notes as text: the description, the chapter list and the transcript inside them.

Works on notes converted from HTML with one paragraph a line and on captures that flattened everything
into one line, where the last chapter title runs into what follows (`…an Iron ManTranscriptAlessio [00:…`).
The cues used are general ones: a `Chapters`/`Timestamps` header, a `Transcript` word right before the
first turn, a newsletter's subscription line, a lower-case word glued to a capitalised one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.ingest.people import episode_people, guests_named_in_notes
from bot.ingest.segments import segment_turns
from bot.ingest.turns import TIMED_HEADER, Transcript, parse_turns, timed_header_times
from bot.models import Chapter, Role, Segment
from bot.text import parse_clock

if TYPE_CHECKING:
    from collections.abc import Sequence

# Newsletter platforms append a subscription line to every episode's notes, which is not part of them:
# "Get full access to Latent Space at www.latent.space/subscribe", "This is a public episode. If you …".
_BOILERPLATE = re.compile(
    r"Get full access to [^\n]{1,120}? at \S+"
    r"|This is a public episode\. If you would like to discuss this [^\n]{0,200}?visit \S+"
)
# The header before a chapter list, glued or not ("WebContainersChapters* 00:00:00"), with an entry next.
_CHAPTERS_HEADER = re.compile(
    r"(?i:chapters|chapter markers|timestamps|time stamps|time codes|timecodes)[ \t]*:?"
    r"(?=\s*(?:[*•·\-–][ \t]*)?[\[(]?\d{1,2}:\d{2})"
)
# One chapter entry at the current position: "* 00:00:00: Title", "* [00:00:00] Title", "\n00:24 - Title".
# At most one line break before it: a blank line ends the list.
_CHAPTER_ENTRY = re.compile(
    r"(?:[ \t]*\n)?[ \t]*(?:[*•·\-–][ \t]*)?"
    r"[\[(]?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)[\])]?"
    r"[ \t]*(?:[:\-–—|.][ \t]*)?(?=\S)"
)
# A chapter list without a header starts at a line start or a bullet.
_HEADERLESS_ENTRY = re.compile(r"(?m)(?:^|[*•])[ \t]*(?:[*•·\-–][ \t]*)?[\[(]?\d{1,2}:\d{2}")
# Where a chapter title ends: the end of its line, or the next glued "* 00:00" entry.
_TITLE_END = re.compile(r"\n|[*•][ \t]*[\[(]?\d{1,2}:\d{2}")
# Where flattening glued two blocks (paragraphs, list items, headings) together: HTML puts a space between
# words inside a block, so a missing one marks a seam. A lower-case word glued to a capitalised one
# ("storytellingGoogle"), a sentence end, a closing bracket or a long word's colon glued to a capital
# ("Vancouver!We’ve", "(slides)Something", "result:The"). CamelCase names ("VideoPoet", "PyTorch",
# "iPhone", "Re:Invent") start with a capital or a single lower-case letter, so they are not seams.
# The capital starts a word of two letters or more, or is "A" or "I" on its own.
_BLOCK_SEAM = re.compile(
    r"(?:\b[a-z]{2,}|[a-z0-9)\]\"”’][.!?]|(?:[a-z]{3}|\)):|[a-z0-9]\))(?=[A-Z][a-z]|[AI]\s)"
)
# The word "Transcript" (glued or not) introducing the turns.
_TRANSCRIPT_WORD = re.compile(r"(?i:transcript)[ \t]*:?\s*")
# A transcript turn's name is short; anything with a sentence end in it is prose, not a name.
_NAME_BEFORE_HEADER = re.compile(r"[^.!?\n]{1,40}")
# A glued bullet inside a flattened paragraph: "…from throughout 2024 on Sora.* Lilian Weng’s review".
_GLUED_BULLET = re.compile(r"(?<=\S)[ \t]*\*[ \t]+(?=[^\s*])")
# A pull quote is a turn or two quoted ahead of the transcript; a real transcript is longer than this.
_MAX_PULL_QUOTE_TURNS = 2


@dataclass(frozen=True, slots=True)
class ShowNotes:
    description: str
    chapters: tuple[Chapter, ...] = ()
    segments: tuple[Segment, ...] = ()
    # Transcript speakers in order of first appearance, spelled as for the segments.
    speakers: tuple[str, ...] = ()
    # Guests the notes introduce and transcript speakers who are not hosts, deduplicated.
    guests: tuple[str, ...] = ()


def parse_show_notes(text: str, hosts: Sequence[str] = (), *, duration_s: int | None = None) -> ShowNotes:
    """Description, chapters, transcript segments and guests from an episode's show notes as text.

    `hosts` are the show's hosts as its byline writes them: they spell the hosts' turns and are never
    guests. `duration_s`, when known, bounds the times of the transcript's last words.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    if "Get full access to " in text or "This is a public episode" in text:  # a plain search is 10x a regex's
        text = _BOILERPLATE.sub(" ", text)
    notes, transcript = _split_transcript(text, hosts)
    chapters, before, after = _chapter_list(notes)
    description = _readable(before, after)
    segments = segment_turns(transcript.turns, end_s=duration_s)
    guest_candidates = [*guests_named_in_notes(description), *transcript.speakers]
    context = "\n".join([description, *(chapter.title for chapter in chapters)])
    people = episode_people(hosts, guest_candidates, context=context)
    return ShowNotes(
        description=description,
        chapters=chapters,
        segments=segments,
        speakers=transcript.speakers,
        guests=tuple(person.name for person in people if person.role is Role.GUEST),
    )


def _split_transcript(text: str, hosts: Sequence[str]) -> tuple[str, Transcript]:
    """(notes, transcript): the transcript starts at a `Transcript` header, else after any pull quotes."""
    header = _transcript_header(text)
    if header is not None:
        transcript = parse_turns(text[header.end() :], hosts)
        if transcript.turns:
            return _join(text[: header.start()], transcript.lead), transcript
    times = timed_header_times(text)
    skip = _pull_quote_turns(times)
    start = times[skip - 1][0] if skip else 0
    transcript = parse_turns(text[start:], hosts)
    return _join(text[:start], transcript.lead), transcript


def _transcript_header(text: str) -> re.Match[str] | None:
    """The first "Transcript" that a turn follows directly (only a speaker's name in between)."""
    for word in _TRANSCRIPT_WORD.finditer(text):
        header = TIMED_HEADER.search(text, word.end(), word.end() + 80)
        if header and _NAME_BEFORE_HEADER.fullmatch(text[word.end() : header.start()]):
            return word
    return None


def _pull_quote_turns(times: list[tuple[int, int]]) -> int:
    """How many leading turns are pull quotes rather than transcript.

    A pull quote is a run of a turn or two that the transcript proper jumps back in time from, or that
    stands alone: notes often quote a guest without carrying a transcript at all.
    """
    skip = 0
    while skip < len(times):
        run_end = skip
        while run_end + 1 < len(times) and times[run_end + 1][1] >= times[run_end][1]:
            run_end += 1
        if run_end - skip + 1 > _MAX_PULL_QUOTE_TURNS:
            return skip
        skip = run_end + 1
    return skip


def _chapter_list(notes: str) -> tuple[tuple[Chapter, ...], str, str]:
    """(chapters, notes before the list, notes after it)."""
    header = _CHAPTERS_HEADER.search(notes)
    if header is not None:
        chapters, end = _read_entries(notes, header.end())
        if chapters:
            return chapters, notes[: header.start()], notes[end:]
    for candidate in _HEADERLESS_ENTRY.finditer(notes):
        # A bullet may be the match's first character; the list starts at the entry itself.
        chapters, end = _read_entries(notes, candidate.start())
        if len(chapters) >= 2:
            return chapters, notes[: candidate.start()], notes[end:]
    return (), notes, ""


def _read_entries(notes: str, position: int) -> tuple[tuple[Chapter, ...], int]:
    """Consecutive chapter entries from `position`, and where the list ends."""
    chapters: list[Chapter] = []
    end = position
    while (entry := _CHAPTER_ENTRY.match(notes, position)) is not None:
        start_s = parse_clock(entry["clock"])
        if start_s is None or (chapters and start_s < chapters[-1].start_s):
            break
        title_end_match = _TITLE_END.search(notes, entry.end())
        title_end = title_end_match.start() if title_end_match else len(notes)
        title = notes[entry.end() : title_end]
        if title_end_match is None:
            # The last title of a flattened list ran into whatever follows the list: cut it at the seam.
            seam = _BLOCK_SEAM.search(title)
            if seam is not None:
                title_end = entry.end() + seam.end()
                title = notes[entry.end() : title_end]
        title = " ".join(title.split()).strip(" *•")
        if not title:
            break
        chapters.append(Chapter(start_s=start_s, title=title))
        position = end = title_end
    return tuple(chapters), end


def _readable(before: str, after: str) -> str:
    """The notes around the chapter list as paragraphs: glued bullets and sentences pulled apart."""
    paragraphs = []
    for part in (before, after):
        part = _BLOCK_SEAM.sub(lambda seam: seam.group() + "\n", _GLUED_BULLET.sub("\n* ", part))
        lines = (" ".join(line.split()) for line in part.split("\n"))
        paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _join(notes: str, more: str) -> str:
    return f"{notes.rstrip()} {more}".strip() if more else notes.rstrip()
