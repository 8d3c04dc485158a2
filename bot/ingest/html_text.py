"""HTML show notes and transcripts as plain text, one paragraph (or list item, or line break) per line.

The line structure is what the show-notes parser relies on: `<p>00:00:24 Origins of …</p>` becomes a line
that starts with its timestamp. Regular expressions rather than an HTML parser: feed show notes run to
megabytes per feed, this is several times faster than building a tree, and the text is all that is kept.
"""

from __future__ import annotations

import html
import re

_INVISIBLE = re.compile(r"<(script|style|template|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# Tags that end a line where a reader sees one: paragraphs, breaks, list items, headings, table rows.
_LINE_BREAK = re.compile(
    r"<(?:br|hr)\b[^>]*>|</?(?:p|div|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|header|footer|pre|dt|dd|figure|figcaption)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE_RUN = re.compile("  +")
# Odd spaces become plain ones. str methods, not a regex over every character: notes run to megabytes.
_ODD_SPACES = str.maketrans({"\t": " ", "\f": " ", "\v": " ", "\r": " ", "\u00a0": " ", "\u200b": None})


_HTML_TAG = re.compile(
    r"</?(?:p|br|a|div|span|li|ul|ol|h[1-6]|strong|em|b|i|u|img|blockquote|table|html|body)\b[^>]*>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    return _HTML_TAG.search(text) is not None


def html_to_text(markup: str) -> str:
    """Visible text of `markup`, one block per line, entities decoded, runs of spaces collapsed."""
    text = _INVISIBLE.sub(" ", markup)
    # Source newlines inside a paragraph are just spaces to a browser; only tags make lines.
    text = text.replace("\r", " ").replace("\n", " ")
    text = _LINE_BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    return tidy_text(html.unescape(text))


def tidy_text(text: str) -> str:
    """Plain text with runs of spaces collapsed and blank lines removed; its line breaks are kept."""
    if not text.isascii():
        text = text.translate(_ODD_SPACES)
    elif "\t" in text or "\r" in text:
        text = text.replace("\t", " ").replace("\r", " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    return "\n".join(
        line for line in text.replace("\n ", "\n").replace(" \n", "\n").split("\n") if line
    ).strip()
