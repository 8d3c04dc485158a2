"""A feed item's HTML show notes as text, chapters, transcript and guests.

Feeds such as Latent Space's carry the chapter list and the whole transcript inside `content:encoded`
(`<p>00:00:24 Origins of …</p>`, `<p>Alessio [00:00:03]: …</p>`). The HTML becomes one paragraph per
line, and from there it is read like the bundled page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.ingest.html_text import html_to_text, looks_like_html, tidy_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.models import Chapter, Segment


@dataclass(frozen=True, slots=True)
class Notes:
    text: str
    chapters: tuple[Chapter, ...] = ()
    segments: tuple[Segment, ...] = ()
    guests: tuple[str, ...] = ()


def notes_text(markup: str) -> str:
    """Show notes as text, whether the feed wrote them as HTML or as plain text with line breaks."""
    return html_to_text(markup) if looks_like_html(markup) else tidy_text(html.unescape(markup))


def read_notes(markup: str, hosts: Sequence[str]) -> Notes:
    # TODO(page-parser): chapters, transcript and guests come from bot.ingest.page's show-notes parser
    # once it lands on main; until then the notes are kept as text.
    del hosts
    return Notes(text=notes_text(markup))
