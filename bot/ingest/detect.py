"""Format detection by content: which parser reads these bytes. File names and extensions are not trusted."""

from __future__ import annotations

from bot.ingest.errors import ParseError
from bot.ingest.page import looks_like_page, parse_page
from bot.models import ParsedSource


def decode(raw: bytes) -> str:
    """Text of a source file: UTF-8 (with or without BOM), else Windows-1252, which decodes any byte."""
    if b"\x00" in raw[:4096]:
        raise ParseError("this is a binary file, not a podcast page or feed")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_source(raw: bytes) -> ParsedSource:
    """Parse a source of any supported format; ParseError when it is none of them or holds no episodes."""
    text = decode(raw)
    if not text.strip():
        raise ParseError("the file is empty")
    if looks_like_page(text):
        return parse_page(text)
    raise ParseError("not a format podbot reads (a podcast directory page)")
