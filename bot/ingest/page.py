"""Podcast directory pages (radio.net and its sister sites) saved as text.

Such a page has a header (`Podcast <title>`, the byline, a shortened description), an "Available Episodes"
list where each episode is a bullet line with its title, one line of flattened show notes, a `--------`
rule and the duration, and an "About <title>" section with the full description. Everything inside an
episode's notes (chapters, transcript, guests) is left to the show-notes parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.identity import derived_key
from bot.ingest.errors import ParseError
from bot.ingest.people import episode_people, guests_from_title, split_byline
from bot.ingest.shownotes import parse_show_notes
from bot.models import Episode, ParsedSource, Show
from bot.text import parse_clock

# An episode's title line: an indented list bullet.
_EPISODE_BULLET = re.compile(r"^\s+[•*·]\s+(?P<title>\S.*?)\s*$")
# The rule between an episode's notes and its duration (pages pad it with no-break spaces).
_RULE = re.compile(r"^\s*-{4,}\s*$")
# The header line that names the show: "Podcast Latent Space: …".
_PODCAST_LINE = re.compile(r"^Podcast[ \t]+(?P<title>\S.*?)\s*$")
_ABOUT_LINE = re.compile(r"^About[ \t]+(?P<title>\S.*?)\s*$")
_EPISODES_HEADING = re.compile(r"^[ \t]*Available Episodes[ \t]*$", re.MULTILINE)
# A description the page shortened: "… We cover ..." (the "About" section has it whole).
_TRUNCATED = re.compile(r"\s*(?:\.\.\.|…)\s*$")
# Text that is some other format: markup, JSON, WebVTT, or SubRip's "1" + "00:00:01,000 --> …".
_OTHER_FORMAT = re.compile(r"^\s*(?:<|\{|\[|WEBVTT|\d+\s*\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{3}\s*-->)")
# A byline names people; a longer line is the description.
_MAX_BYLINE_CHARS = 120


@dataclass(frozen=True, slots=True)
class _EpisodeBlock:
    title: str
    notes: str
    duration: str


def looks_like_page(text: str) -> bool:
    """True for a saved directory page: its episode list heading, or its bullet/notes/rule episode blocks."""
    if _OTHER_FORMAT.match(text):
        return False
    if _EPISODES_HEADING.search(text) and any(_PODCAST_LINE.match(line) for line in text.splitlines()):
        return True
    return bool(_episode_blocks(text.splitlines()))


def parse_page(text: str) -> ParsedSource:
    """The show and its listed episodes, newest first (source_order 0)."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    header = _header(lines)
    # Messages follow bot.ingest.detect's: lower case, no full stop, since callers prefix the file name.
    if header is None:
        raise ParseError("this page does not name its podcast: save the show's page from the directory again")
    title, byline, short_description = header
    hosts = split_byline(byline) if byline else ()
    show = Show(
        title=title,
        key=derived_key("show", title),
        description=_about(lines, title) or _TRUNCATED.sub(" …", short_description).strip(),
        hosts=hosts,
    )
    blocks = _episode_blocks(lines)
    if not blocks:
        raise ParseError(
            f"the page for {title} lists no episodes: save it again with the episode list showing"
        )
    episodes = tuple(_episode(block, order, show) for order, block in enumerate(blocks))
    return ParsedSource(format="page", show=show, episodes=episodes)


def _episode(block: _EpisodeBlock, order: int, show: Show) -> Episode:
    duration_s = parse_clock(block.duration) if block.duration else None
    notes = parse_show_notes(block.notes, show.hosts, duration_s=duration_s)
    context = "\n".join([block.title, notes.description, *(chapter.title for chapter in notes.chapters)])
    people = episode_people(show.hosts, [*guests_from_title(block.title), *notes.guests], context=context)
    return Episode(
        title=block.title,
        guid=derived_key("episode", show.title, block.title),
        show_notes=notes.description,
        duration_s=duration_s,
        people=people,
        chapters=notes.chapters,
        segments=notes.segments,
        source_order=order,
    )


def _header(lines: list[str]) -> tuple[str, str, str] | None:
    """(title, byline, short description) from the `Podcast <title>` line and the lines under it."""
    # The header comes before the episode list; later lines such as "Podcast website" are links.
    list_start = next(
        (i for i, line in enumerate(lines) if _EPISODES_HEADING.match(line) or _EPISODE_BULLET.match(line)),
        len(lines),
    )
    for index, line in enumerate(lines[:list_start]):
        match = _PODCAST_LINE.match(line)
        if not match:
            continue
        following: list[str] = []
        for below in lines[index + 1 :]:
            if not below.strip() or _EPISODES_HEADING.match(below):
                break
            following.append(below.strip())
        if len(following) >= 2 and len(following[0]) <= _MAX_BYLINE_CHARS:
            return match["title"], following[0], " ".join(following[1:])
        if (
            len(following) == 1
            and len(following[0]) <= _MAX_BYLINE_CHARS
            and not _TRUNCATED.search(following[0])
        ):
            return match["title"], following[0], ""
        return match["title"], "", " ".join(following)
    for line in lines:
        match = _ABOUT_LINE.match(line)
        if match:
            return match["title"], "", ""
    return None


def _about(lines: list[str], title: str) -> str:
    """The full description under "About <title>"."""
    for index, line in enumerate(lines):
        match = _ABOUT_LINE.match(line)
        if match and match["title"] == title:
            return next((below.strip() for below in lines[index + 1 :] if below.strip()), "")
    return ""


def _episode_blocks(lines: list[str]) -> list[_EpisodeBlock]:
    """Bullet line, indented notes, `--------`, duration: other bullet lists on the page have no rule."""
    blocks: list[_EpisodeBlock] = []
    index = 0
    while index < len(lines):
        bullet = _EPISODE_BULLET.match(lines[index])
        if bullet is None:
            index += 1
            continue
        notes: list[str] = []
        cursor = index + 1
        while cursor < len(lines) and _is_block_line(lines[cursor]) and not _RULE.match(lines[cursor]):
            notes.append(lines[cursor].strip())
            cursor += 1
        if cursor < len(lines) and _RULE.match(lines[cursor]):
            following = lines[cursor + 1].strip() if cursor + 1 < len(lines) else ""
            duration = following if parse_clock(following) is not None else ""
            blocks.append(_EpisodeBlock(bullet["title"], "\n".join(notes), duration))
            index = cursor + (2 if duration else 1)
        else:
            index = cursor
    return blocks


def _is_block_line(line: str) -> bool:
    """Lines inside an episode block are indented and are not the next episode's bullet."""
    return line[:1].isspace() and _EPISODE_BULLET.match(line) is None
