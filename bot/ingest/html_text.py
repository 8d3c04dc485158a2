"""HTML show notes and transcripts as plain text, one paragraph (or list item, or line break) per line.

The line structure is what the show-notes parser relies on: `<p>00:00:24 Origins of …</p>` becomes a line
that starts with its timestamp. Read with lxml's HTML parser (libxml2), not regular expressions: an
attribute may hold `>` (`<a title="x>y">`), a script may hold tags, and a regex reads those as text. The
tree is only marked up with line breaks and read back as text once, which keeps megabytes of notes cheap
(see bench/html_text.py).
"""

from __future__ import annotations

import re

from lxml import etree

# Elements whose content a reader never sees.
_INVISIBLE = frozenset({"script", "style", "template", "head", "noscript"})
# Elements that end a line where a reader sees one: paragraphs, breaks, list items, headings, table rows.
_BLOCKS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "section",
    "article", "header", "footer", "pre", "dt", "dd", "figure", "figcaption",
})  # fmt: skip
_BREAKS = frozenset({"br", "hr"})
# Control characters (`&#1;` decodes to one): invisible, and they would reach titles and embeds.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# The only ways the parsed text can hold one: the byte itself, or a character reference to one (`&#1;`,
# `&#x7f;`, with any leading zeros). Looked for in the markup first, because a search for `&#` runs at
# memory speed, while a regex over megabytes of parsed text costs tens of ms.
_CONTROL_REFERENCE = re.compile(
    rb"&#(?:[xX]0*(?:[0-9a-fA-F]|1[0-9a-fA-F]|7[fF])(?![0-9a-fA-F])|0*(?:[0-9]|[12][0-9]|3[01]|127)(?![0-9]))"
)
_SPACE_RUN = re.compile("  +")
# Odd spaces become plain ones (a zero-width space, none). One str.replace per kind that occurs, not a
# regex or str.translate over every character: notes run to megabytes, and translate costs ~70 ms a MB.
_ODD_SPACES = (("\t", " "), ("\f", " "), ("\v", " "), ("\r", " "), ("\u00a0", " "), ("\u200b", ""))


_HTML_TAG = re.compile(
    r"</?(?:p|br|a|div|span|li|ul|ol|h[1-6]|strong|em|b|i|u|img|blockquote|table|html|body)\b[^>]*>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    return _HTML_TAG.search(text) is not None


def html_to_text(markup: str) -> str:
    """Visible text of `markup`, one block per line, entities decoded, runs of spaces collapsed."""
    if not markup or markup.isspace():
        return ""
    # Source newlines inside a paragraph are just spaces to a browser; only tags make lines. As UTF-8
    # bytes with the encoding given, so that a `<meta charset>` inside the notes cannot change it.
    data = markup.replace("\r", " ").replace("\n", " ").encode("utf-8", errors="replace")
    root = etree.fromstring(data, _parser())
    if root is None:
        return ""
    # The text is gathered in one walk rather than written back into the tree: a parsed text may hold
    # characters (`&#1;`) that lxml would refuse to be given.
    pieces: list[str] = []
    walk = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walk:
        tag = element.tag
        if event in ("comment", "pi"):
            if element.tail:
                pieces.append(element.tail)
        elif event == "start":
            if tag in _INVISIBLE:
                walk.skip_subtree()  # its tail still counts, at its "end"
                continue
            if tag in _BLOCKS:
                pieces.append("\n")
            if element.text:
                pieces.append(element.text)
        else:
            if tag in _BLOCKS or tag in _BREAKS:
                pieces.append("\n")
            if element.tail:
                pieces.append(element.tail)
    text = "".join(pieces)
    if len(data.translate(None, _CONTROL_BYTES)) != len(data) or _CONTROL_REFERENCE.search(data):
        text = _CONTROL.sub(" ", text)
    return tidy_text(text)


def _parser() -> etree.HTMLParser:
    # A parser per call: lxml parsers are not safe to share between threads (ingest runs in workers).
    # huge_tree: one paragraph of a pasted transcript can pass libxml2's 10 MB text-node limit.
    return etree.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True)


def tidy_text(text: str) -> str:
    """Plain text with runs of spaces collapsed and blank lines removed; its line breaks are kept."""
    if not text.isascii():
        for odd, plain in _ODD_SPACES:
            if odd in text:
                text = text.replace(odd, plain)
    elif "\t" in text or "\r" in text:
        text = text.replace("\t", " ").replace("\r", " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    # Spaces collapsed, a line has at most one at either end: stripped line by line, in the one pass that
    # drops the blank lines (two str.replace over megabytes cost three times as much).
    return "\n".join(kept for line in text.split("\n") if (kept := line.strip(" "))).strip()
