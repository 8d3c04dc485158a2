"""Embeds for episodes, chapters, quotes and people. Store text is escaped here, once, on its way out.

Everything from the store came from a page or a feed: it may hold Markdown (`*`, `_`, `|`, backticks),
links and mentions. Renderers escape it so it shows as written, and shorten it where a part has its own
budget; the reply helper then enforces Discord's limits on the whole message whatever happens here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord

from bot.links import is_web_url, moment_url
from bot.summary import short_description
from bot.text import format_timestamp
from cogs.common.limits import EMBED_DESCRIPTION, FIELD_VALUE, length, shorten, shorten_lines

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.models import Chapter
    from bot.search.results import EpisodeRef, PersonMatch, QuoteHit
    from bot.store import StoredEpisode

# The show's colour in embeds: one accent for every podbot reply.
ACCENT = discord.Colour(0x5865F2)

CHAPTER_PREVIEW = 5
# A chapter page stays well inside one embed's description, leaving room for title and footer.
CHAPTER_PAGE_CHARS = 3800
QUOTE_CONTEXT_CHARS = 320


_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")


def defuse_mentions(text: str) -> str:
    """Mentions shown as text: a zero-width space keeps `@everyone` and `<@&id>` from being parsed at all.

    allowed_mentions already stops every ping; this also stops the highlight and the name lookup, and
    covers ids of any length (discord.py's escape_mentions only knows real 17–20 digit ids).
    """
    return _MENTION.sub(lambda m: f"@\u200b{m[1]}" if m[1] else f"<\u200b{m[2]}{m[3]}>", text)


def md(text: str) -> str:
    """Store text made inert: Markdown shown as typed, mentions shown as text (and never resolved)."""
    return discord.utils.escape_markdown(defuse_mentions(" ".join(text.split())))


def md_within(text: str, limit: int) -> str:
    """md(text) in at most `limit` characters: the text is cut before it is escaped, so no escape is split
    and the cut still ends in "…"."""
    budget = limit
    while budget > 0:
        escaped = md(shorten(text, budget))
        size = length(escaped)
        if size <= limit:
            return escaped
        # Escapes at most double the text: shrink in proportion, and by at least one each time.
        budget = min(budget - 1, budget * limit // size)
    return ""


def _url_for_markdown(url: str) -> str:
    # A ")" or space would end the link early; percent-encoding keeps the URL working.
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace(">", "%3E")


def link(text: str, url: str | None) -> str:
    """`text` (already escaped) as a Markdown link when `url` is a web URL, else `text` as is."""
    if not is_web_url(url):
        return text
    # Brackets inside the label would end it early.
    label = text.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({_url_for_markdown(url)})"


def discord_date(when: datetime) -> str:
    """A date every reader sees in their own time zone and format."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return discord.utils.format_dt(when, style="D")


def names(people: Sequence[str]) -> str:
    return ", ".join(md(p) for p in people)


def toc_chapters(stored: StoredEpisode) -> list[Chapter]:
    # `toc: false` chapters are ads and artwork changes, not something to list.
    return [c for c in stored.episode.chapters if c.toc]


# --- episodes ---------------------------------------------------------------------------------------


def chapter_line(stored: StoredEpisode, chapter: Chapter, *, title_limit: int = 200) -> str:
    ep = stored.episode
    stamp = f"`{format_timestamp(chapter.start_s)}`"
    url = chapter.url if is_web_url(chapter.url) else moment_url(ep.link, ep.audio_url, chapter.start_s)
    title = md(shorten(chapter.title, title_limit))
    return f"{stamp} {link(title, url)}"


def episode_embed(stored: StoredEpisode, *, alternatives: Sequence[str] = ()) -> discord.Embed:
    """The card for one episode, as /episode and /latest show it."""
    ep = stored.episode
    embed = discord.Embed(
        title=shorten(ep.title, 256),
        url=ep.link if is_web_url(ep.link) else None,
        description=md(short_description(ep.show_notes)) or None,
        colour=ACCENT,
    )
    if ep.published:
        embed.add_field(name="Published", value=discord_date(ep.published), inline=True)
    if ep.duration_s:
        embed.add_field(name="Duration", value=format_timestamp(ep.duration_s), inline=True)
    if ep.hosts:
        embed.add_field(name="Hosts", value=shorten(names(ep.hosts), FIELD_VALUE), inline=True)
    if ep.guests:
        embed.add_field(name="Guests", value=shorten(names(ep.guests), FIELD_VALUE), inline=True)
    chapters = toc_chapters(stored)
    if chapters:
        lines = [chapter_line(stored, c, title_limit=90) for c in chapters[:CHAPTER_PREVIEW]]
        if len(chapters) > CHAPTER_PREVIEW:
            lines.append(f"…and {len(chapters) - CHAPTER_PREVIEW} more")
        embed.add_field(
            name=f"Chapters ({len(chapters)})",
            value=shorten_lines(lines, FIELD_VALUE, more="…and {n} more"),
            inline=False,
        )
    if alternatives:
        embed.add_field(
            name="Did you mean",
            value=shorten_lines([f"• {md(t)}" for t in alternatives], FIELD_VALUE),
            inline=False,
        )
    if is_web_url(ep.artwork):
        embed.set_thumbnail(url=ep.artwork)
    embed.set_footer(text=stored.show_title)
    return embed


# --- chapters ---------------------------------------------------------------------------------------


def paginate_lines(lines: Sequence[str], *, page_chars: int = CHAPTER_PAGE_CHARS) -> list[list[str]]:
    """Whole lines packed into pages of at most `page_chars` characters; never an empty page list."""
    pages: list[list[str]] = [[]]
    used = 0
    for line in lines:
        cost = length(line) + 1
        if pages[-1] and used + cost > page_chars:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += cost
    return pages


def chapter_pages(stored: StoredEpisode) -> list[list[str]]:
    return paginate_lines([chapter_line(stored, c) for c in toc_chapters(stored)])


def chapters_embed(stored: StoredEpisode, page: int, pages: Sequence[Sequence[str]]) -> discord.Embed:
    ep = stored.episode
    count = len(toc_chapters(stored))
    embed = discord.Embed(
        title=shorten(f"Chapters: {ep.title}", 256),
        url=ep.link if is_web_url(ep.link) else None,
        description=shorten_lines(list(pages[page]), EMBED_DESCRIPTION) if count else "No chapters.",
        colour=ACCENT,
    )
    footer = f"{count} chapters"
    if len(pages) > 1:
        footer += f" · page {page + 1} of {len(pages)}"
    if ep.duration_s:
        footer += f" · {format_timestamp(ep.duration_s)} in all"
    embed.set_footer(text=footer)
    return embed


# --- quotes -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    bold: bool


def _pieces(text: str, spans: Sequence[tuple[int, int]]) -> list[_Piece]:
    """`text` split into plain and highlighted pieces; overlapping or out-of-range spans are tolerated."""
    out: list[_Piece] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if end <= start:
            continue
        if start > at:
            out.append(_Piece(text[at:start], False))
        out.append(_Piece(text[start:end], True))
        at = end
    if at < len(text):
        out.append(_Piece(text[at:], False))
    return out


def _window(text: str, spans: Sequence[tuple[int, int]], budget: int) -> tuple[int, int]:
    """The stretch of `text` (about `budget` characters) to show: centred on the matched words."""
    if len(text) <= budget:
        return 0, len(text)
    if spans:
        first = min(s for s, _ in spans)
        last = max(e for _, e in spans)
        middle = (first + min(last, first + budget // 2)) // 2
    else:
        middle = 0
    start = max(0, min(middle - budget // 2, len(text) - budget))
    end = min(len(text), start + budget)
    # Cut between words, not inside them.
    if start > 0:
        space = text.find(" ", start)
        if space != -1 and space - start < 30:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space != -1 and end - space < 30:
            end = space
    return start, end


_BOLD_EDGE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def highlighted(text: str, spans: Sequence[tuple[int, int]], *, budget: int = QUOTE_CONTEXT_CHARS) -> str:
    """The words around the match, escaped, with the matched words in bold and "…" where text was cut."""
    start, end = _window(text, spans, budget)
    shifted = [(s - start, e - start) for s, e in spans if e > start and s < end]
    out = []
    for piece in _pieces(text[start:end], shifted):
        if piece.bold:
            # `** word**` does not render as bold: keep the spaces outside the markers.
            lead, core, trail = _BOLD_EDGE.match(piece.text).groups()  # type: ignore[union-attr]
            out.append(f"{lead}**{md(core)}**{trail}" if core.strip() else piece.text)
        else:
            out.append(discord.utils.escape_markdown(defuse_mentions(piece.text)))
    body = " ".join("".join(out).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def excerpt(text: str, spans: Sequence[tuple[int, int]], *, budget: int = QUOTE_CONTEXT_CHARS) -> str:
    """The words around the match as plain text (for a picture, not Markdown), "…" where text was cut."""
    start, end = _window(text, spans, budget)
    body = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _context(text: str, budget: int, *, tail: bool) -> str:
    """The end (`tail`) or start of a neighbouring segment, with "…" where it was cut mid-sentence."""
    text = " ".join(text.split())
    if not text:
        return ""
    if len(text) > budget:
        cut = text[-budget:] if tail else text[:budget]
        if tail:
            space = cut.find(" ")
            text = cut[space + 1 :] if 0 <= space < 30 else cut
        else:
            space = cut.rfind(" ")
            text = cut[:space] if space > budget - 30 else cut
    # Search hands over neighbours already cut; a lowercase start or an open end shows it.
    if tail and not text[:1].isupper():
        return "…" + md(text)
    if not tail and text[-1:] not in '.!?…"”’)':
        return md(text) + "…"
    return md(text)


def quote_embed(
    hit: QuoteHit, stored: StoredEpisode | None, *, position: int, has_more: bool, query: str
) -> discord.Embed:
    """One transcript match: who said it, when, in which episode, with a link to that moment."""
    ep = stored.episode if stored else None
    moment = moment_url(ep.link, ep.audio_url, hit.start_s) if ep else None
    stamp = format_timestamp(hit.start_s)
    before = _context(hit.before, 160, tail=True)
    after = _context(hit.after, 160, tail=False)
    said = highlighted(hit.text, hit.highlights)
    # One paragraph, as it was said: the end of the previous turn, the match, the start of the next.
    paragraph = " ".join(p for p in (before, said, after) if p)
    embed = discord.Embed(
        title=shorten(hit.episode_title, 256),
        url=moment,
        description=f"> {paragraph}",
        colour=ACCENT,
    )
    embed.set_author(name=hit.speaker or "Unknown speaker")
    embed.add_field(name="At", value=link(stamp, moment), inline=True)
    embed.add_field(name="Speaker", value=md(hit.speaker) if hit.speaker else "not named", inline=True)
    footer = f"Match {position + 1}{'' if has_more else ' (last)'} for “{' '.join(query.split())}”"
    embed.set_footer(text=shorten(footer, 300))
    return embed


# --- people -----------------------------------------------------------------------------------------


def person_embed(
    person: PersonMatch, episodes: Sequence[StoredEpisode], *, alternatives: Sequence[str] = ()
) -> discord.Embed:
    """A guest (or host) and the episodes they are in, newest first as the store lists them."""
    lines = []
    by_id = {s.id: s for s in episodes}
    refs: Sequence[EpisodeRef] = person.episodes
    for ref in refs:
        stored = by_id.get(ref.episode_id)
        title = md(shorten(ref.title, 150))
        if stored is None:
            lines.append(f"• {title}")
            continue
        ep = stored.episode
        facts = []
        if ep.published:
            facts.append(discord_date(ep.published))
        if ep.duration_s:
            facts.append(format_timestamp(ep.duration_s))
        suffix = f" · {' · '.join(facts)}" if facts else ""
        lines.append(f"• {link(title, ep.link)}{suffix}")
    roles = " and ".join(person.roles) if person.roles else "guest"
    count = person.episode_count
    embed = discord.Embed(
        title=shorten(person.name, 256),
        description=shorten_lines(lines, EMBED_DESCRIPTION) if lines else "No episodes in the store.",
        colour=ACCENT,
    )
    embed.set_footer(text=f"{roles.capitalize()} in {count} episode{'s' if count != 1 else ''}")
    if alternatives:
        embed.add_field(
            name="Did you mean",
            value=shorten_lines([f"• {md(n)}" for n in alternatives], FIELD_VALUE),
            inline=False,
        )
    return embed
