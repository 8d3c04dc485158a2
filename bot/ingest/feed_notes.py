"""A feed item's show notes, HTML or plain text, read like the bundled page's notes.

Feeds such as Latent Space's carry the chapter list and the whole transcript inside `content:encoded`
(`<p>00:00:24 Origins of …</p>`, `<p>Alessio [00:00:03]: …</p>`). The HTML becomes one paragraph per
line and goes through the same show-notes parser as the page, so both sources agree on an episode.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.ingest.html_text import html_to_text, looks_like_html, tidy_text
from bot.ingest.shownotes import ShowNotes, parse_show_notes

if TYPE_CHECKING:
    from collections.abc import Sequence


def notes_text(markup: str) -> str:
    """Show notes as text, whether the feed wrote them as HTML or as plain text with line breaks."""
    return html_to_text(markup) if looks_like_html(markup) else tidy_text(html.unescape(markup))


def read_notes(markup: str, hosts: Sequence[str], *, duration_s: int | None = None) -> ShowNotes:
    """Description, chapters, transcript and guests from an item's show notes."""
    return parse_show_notes(notes_text(markup), hosts, duration_s=duration_s)
