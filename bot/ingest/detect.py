"""Format detection by content: which parser reads these bytes. File names and extensions are not trusted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.ingest.errors import ParseError

if TYPE_CHECKING:
    from bot.models import ParsedSource

# Each format's parser is imported when a source turns out to be in it: the feed parser's XML and HTML
# machinery costs a page ingest (`podbot ingest page.txt`) a tenth of its time otherwise.

_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)


def looks_like_feed(head: str) -> bool:
    """True when the start of a document is an RSS, Atom or RDF feed."""
    return _FEED_ROOT.search(head[:4096]) is not None


def decode(raw: bytes) -> str:
    """Text of a source file: UTF-8 (with or without BOM), else Windows-1252, which decodes any byte."""
    if b"\x00" in raw[:4096]:
        raise ParseError("this is a binary file, not a podcast page or feed")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _head(raw: bytes) -> str:
    # Enough of the start to recognise a feed, in any encoding a feed may use (UTF-16 feeds have NULs).
    start = raw[:4096]
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return start.decode("utf-16", errors="ignore")
    return start.decode("latin-1")


def parse_source(raw: bytes, *, source_url: str | None = None, name: str | None = None) -> ParsedSource:
    """Parse a source of any supported format; ParseError when it is none of them or holds no episodes.

    `source_url` is where the bytes came from, if anywhere: feeds resolve relative links against it.
    `name` (a file's name) names a feed that has no title nor anything else to be named after.
    """
    if looks_like_feed(_head(raw)):
        from bot.ingest.feed import parse_feed

        return parse_feed(raw, feed_url=source_url, name=name)
    text = decode(raw)
    if not text.strip():
        raise ParseError("the file is empty")
    from bot.ingest.page import looks_like_page, parse_page

    if looks_like_page(text):
        return parse_page(text)
    raise ParseError("not a format podbot reads (an RSS or Atom podcast feed, or a podcast directory page)")
