"""Reading XML the way real podcast feeds need: leniently, safely, and in one pass when the feed is sound.

Feeds in the wild put whitespace before `<?xml`, use HTML entities XML does not define (`&nbsp;`), write a
bare `&` in titles (`Q&A`), and declare UTF-8 while sending Windows-1252. libxml2 in recover mode reads
most of that but silently drops text after a bad `&`, so a feed that parses with errors is repaired as
text and parsed again. Entities are never resolved and nothing is fetched from the network: a feed cannot
make the parser read local files or expand itself a billion times.
"""

from __future__ import annotations

import html.entities
import re
import secrets
from dataclasses import dataclass

from lxml import etree

from bot.ingest.errors import ParseError

# CDATA sections at least this long are lifted out before parsing (see XmlDocument).
LIFT_AT_LEAST = 2048
_CDATA_OPEN = b"<![CDATA["
_CDATA_CLOSE = b"]]>"
_XML_BASE = b"xml:base"
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
_LEADING_JUNK = b" \t\r\n\x00\xef\xbb\xbf"
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
# CDATA sections are matched first and kept as they are: an `&` inside one is literal text.
_AMPERSANDS = re.compile(
    r"<!\[CDATA\[.*?\]\]>|&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?", re.DOTALL
)


def _parser() -> etree.XMLParser:
    # A parser object keeps its error log; a fresh one per parse keeps threads from sharing it.
    return etree.XMLParser(
        recover=True,
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )


def _replace_ampersand(match: re.Match[str]) -> str:
    whole = match.group(0)
    if whole.startswith("<![CDATA["):
        return whole
    reference = match.group(1)
    if reference is None:
        return "&amp;"  # a bare `&`, as in "Q&A"
    if reference.startswith("#"):
        return whole
    name = reference[:-1]
    if name in _XML_PREDEFINED:
        return whole
    codepoint = html.entities.name2codepoint.get(name)
    if codepoint is not None:
        return f"&#{codepoint};"
    # An entity nobody defines: keep it as the literal text the author typed.
    return f"&amp;{reference}"


def _decode(raw: bytes) -> str:
    """The document's text: by BOM, else by its declared encoding, else UTF-8, else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    declared = _DECLARED_ENCODING.match(raw)
    candidates = [declared.group(1).decode("ascii")] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    # Mislabelled single-byte text: cp1252 is what such feeds nearly always are.
    return raw.decode("cp1252", errors="replace")


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """A parsed document whose large CDATA sections were lifted out before parsing.

    libxml2 would spend most of a big feed's parse scanning show notes it does not interpret; each large
    CDATA section is replaced by a short marker and kept here, decoded. Text read from the tree goes
    through `restore()` to put the sections back.
    """

    root: etree._Element
    marker: str = ""
    lifted: tuple[str, ...] = ()
    # The text stops before the root element's end tag (a download cut short): the recovered tree's last
    # element may be missing what followed the cut.
    cut_short: bool = False
    # The markup outside the lifted sections names xml:base somewhere. Asked of the skeleton, not the whole
    # document: a search of a 15 MB feed holds the GIL for ~10 ms, which stalls the bot's event loop.
    uses_xml_base: bool = False

    def restore(self, text: str) -> str:
        if not self.lifted or self.marker not in text:
            return text
        pattern = re.compile(re.escape(self.marker) + r"(\d+)\.")
        return pattern.sub(lambda m: self.lifted[int(m.group(1))], text)


def _lift_cdata(data: bytes, marker: bytes) -> tuple[bytes, list[bytes]]:
    """`data` with every CDATA section of LIFT_AT_LEAST bytes or more replaced by `marker` + index."""
    pieces: list[bytes] = []
    lifted: list[bytes] = []
    copied = search = 0
    while (start := data.find(_CDATA_OPEN, search)) >= 0:
        body = start + len(_CDATA_OPEN)
        end = data.find(_CDATA_CLOSE, body)
        if end < 0:
            break
        if end - body >= LIFT_AT_LEAST:
            pieces.append(data[copied:body])
            pieces.append(b"%s%d." % (marker, len(lifted)))
            lifted.append(data[body:end])
            copied = end
        search = end + len(_CDATA_CLOSE)
    if not lifted:
        return data, lifted
    pieces.append(data[copied:])
    return b"".join(pieces), lifted


def _decode_section(section: bytes, encoding: str) -> str:
    try:
        return section.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        # Show notes pasted from a word processor into a "UTF-8" feed: Windows-1252, as a rule.
        return section.decode("cp1252", errors="replace")


def _repaired(raw: bytes) -> bytes:
    """The same document as UTF-8 with a fresh declaration, leading junk gone."""
    text = _decode(raw).lstrip("\ufeff \t\r\n\x00")
    text = _DECLARATION.sub("", text, count=1)
    start = text.find("<")
    if start > 0:
        text = text[start:]
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text.encode("utf-8")


def _fix_ampersands(skeleton: bytes) -> bytes:
    # Runs on the document with its large CDATA sections already lifted out, so it stays fast.
    return _AMPERSANDS.sub(_replace_ampersand, skeleton.decode("utf-8")).encode("utf-8")


def parse_xml(raw: bytes) -> XmlDocument:
    """A possibly malformed XML document, parsed; ParseError when nothing is readable."""
    marker = f"podbot.cdata.{secrets.token_hex(4)}.".encode()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16: lxml reads the BOM; the ASCII marker search does not apply.
        trimmed, lifted = raw, list[bytes]()
    else:
        # Whitespace (or a stray BOM) before `<?xml` is forbidden by XML and common in feeds.
        trimmed, lifted = _lift_cdata(raw.lstrip(_LEADING_JUNK), marker)
    parser = _parser()
    root = _fromstring(trimmed, parser)
    if root is not None and not parser.error_log:
        encoding = root.getroottree().docinfo.encoding or "utf-8"
        lifted_text = tuple(_decode_section(b, encoding) for b in lifted)
        return XmlDocument(root, marker.decode(), lifted_text, uses_xml_base=_XML_BASE in trimmed)
    # Something was wrong: repair the text and parse again; the repaired tree is at least as complete.
    skeleton, repaired_lifted = _lift_cdata(_repaired(raw), marker)
    repaired = _fromstring(_fix_ampersands(skeleton), _parser())
    if repaired is not None:
        lifted_text = tuple(_decode_section(b, "utf-8") for b in repaired_lifted)
        return XmlDocument(
            repaired, marker.decode(), lifted_text, _cut_short(raw, repaired), _XML_BASE in skeleton
        )
    if root is None:
        raise ParseError("this is not readable XML")
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    lifted_text = tuple(_decode_section(b, encoding) for b in lifted)
    return XmlDocument(root, marker.decode(), lifted_text, _cut_short(raw, root), _XML_BASE in trimmed)


def _cut_short(raw: bytes, root: etree._Element) -> bool:
    """Whether the document ends before its root's end tag (`</rss>`, `</feed>`, `</rdf:RDF>`). Only asked
    of documents that needed repair: a well-formed one is whole by definition."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16: the bytes are not ASCII-searchable; such feeds are rare enough
    name = etree.QName(root).localname
    end = f"</{root.prefix}:{name}" if root.prefix else f"</{name}"
    # Comments or whitespace may follow the end tag; a few kilobytes of tail are enough to look in.
    return end.encode() not in raw[-4096:]


def _fromstring(data: bytes, parser: etree.XMLParser) -> etree._Element | None:
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
