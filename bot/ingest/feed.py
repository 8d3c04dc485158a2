"""RSS 2.0 and Atom podcast feeds, with the iTunes and Podcasting 2.0 extensions, to a show and episodes.

Pure: bytes in, models out. Chapter and transcript files the feed points to are returned as URLs on each
episode (`chapters_url`, `transcript_urls`); fetching them is bot.feeds' job. Elements are matched by
namespace *and* by prefix, because feeds use `itunes:` and `podcast:` without declaring them.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from lxml import etree

from bot.identity import derived_key, is_derived_key
from bot.ingest.errors import ParseError
from bot.ingest.feed_notes import notes_text, read_notes
from bot.ingest.lenient_xml import XmlDocument, parse_xml
from bot.ingest.people import episode_people, guests_from_title, split_byline
from bot.ingest.transcript import parse_time
from bot.listen import apple_id_from, podcast_guid
from bot.models import Chapter, Episode, ParsedSource, Person, Role, SharedGuid, Show, TranscriptRef
from bot.text import fold, parse_clock

if TYPE_CHECKING:
    from collections.abc import Iterable

# Namespace URIs as feeds write them (several spellings for the same thing), to the prefix podbot uses.
_NAMESPACES = {
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://www.itunes.com/DTDs/Podcast-1.0.dtd": "itunes",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "https://podcastindex.org/namespace/1.0": "podcast",
    "http://podcastindex.org/namespace/1.0": "podcast",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": "podcast",
    "http://www.w3.org/2005/Atom": "atom",
    "http://purl.org/atom/ns#": "atom",
    "http://search.yahoo.com/mrss/": "media",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/rss/1.0/": "",
    "http://backend.userland.com/rss2": "",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://podlove.org/simple-chapters": "psc",
}


def _namespace_key(uri: str) -> str:
    # Feeds spell one namespace many ways: `https://podcastindex.org/namespace/1.0/`, `http://…`, any case.
    return uri.lower().removeprefix("https://").removeprefix("http://").rstrip("/")


_NAMESPACE_KEYS = {_namespace_key(uri): prefix for uri, prefix in _NAMESPACES.items()}

_DAY_NAME = re.compile(r"^\s*[A-Za-z]+\.?,?\s+(?=\d)")


# --- element access ------------------------------------------------------------------------------------

_name_cache: dict[str, str] = {}


def _name(element: etree._Element) -> str:
    """`prefix:local` for an element: `{http://www.itunes.com/…}duration` and `itunes:duration` alike."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments, entities
    cached = _name_cache.get(tag)
    if cached is not None:
        return cached
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _NAMESPACES.get(uri)
        if prefix is None:
            prefix = _NAMESPACE_KEYS.get(_namespace_key(uri), uri)
        name = f"{prefix}:{local}" if prefix else local
    else:
        name = tag
    if len(_name_cache) < 4096:  # a hostile feed cannot grow this without bound
        _name_cache[tag] = name
    return name


def _children(parent: etree._Element) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for child in parent:
        found.setdefault(_name(child), []).append(child)
    return found


def _first(found: dict[str, list[etree._Element]], *names: str) -> etree._Element | None:
    for name in names:
        elements = found.get(name)
        if elements:
            for element in elements:
                if len(element) or len(element.attrib) or (element.text and not element.text.isspace()):
                    return element
    return None


def _title_text(value: str) -> str:
    # Titles are plain text, but feeds double-escape them (`Q&amp;amp;A`) or put HTML entities in CDATA.
    return " ".join(html.unescape(value).split()) if "&" in value else value


# --- values --------------------------------------------------------------------------------------------


def parse_date(value: str) -> datetime | None:
    """RFC 822 (RSS), ISO 8601 (Atom, dc:date), and the usual sloppiness of both; UTC when no zone."""
    value = value.strip()
    if not value:
        return None
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(_DAY_NAME.sub("", value))
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_HOST_ROLES = frozenset({"host", "co-host", "cohost", "guest host"})


class _Reader:
    """Reads values out of one parsed feed: text with lifted CDATA restored, URLs made absolute."""

    def __init__(self, document: XmlDocument, base: str | None, *, xml_base: bool = False) -> None:
        self.document = document
        self.base = base
        # Whether the document uses xml:base at all: asking an element for its base walks its ancestors.
        self.xml_base = xml_base

    def text(self, element: etree._Element | None) -> str:
        if element is None:
            return ""
        raw = "".join(element.itertext()) if len(element) else (element.text or "")
        return " ".join(self.document.restore(raw).split())

    def markup(self, element: etree._Element | None) -> str:
        """An element's content as markup: CDATA or escaped HTML as is, and inline XHTML serialised back."""
        if element is None:
            return ""
        if not len(element):
            return self.document.restore(element.text or "")
        inner = [element.text or ""]
        inner.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
        return self.document.restore("".join(inner))

    def markup_of(self, found: dict[str, list[etree._Element]], *names: str) -> str:
        """The markup of the first of `names` that has any; each element's text is read once (it may be large)."""
        for name in names:
            for element in found.get(name, ()):
                markup = self.markup(element)
                if markup and not markup.isspace():
                    return markup
        return ""

    def url(self, value: str | None, at: etree._Element | None = None) -> str | None:
        """An absolute http(s) URL, or None: relative links are resolved against the `xml:base` in force
        at element `at` (itself relative to the feed's address), else the feed's own address."""
        if not value:
            return None
        value = value.strip()
        if value.startswith(("https://", "http://")) and " " not in value:
            # Already absolute, the common case: urljoin/urlsplit would cost more than the rest of an item.
            host_start = value.index("//") + 2
            return value if len(value) > host_start and value[host_start] not in "/?#" else None
        base = self.base
        if self.xml_base and at is not None and at.base:
            base = urljoin(base, at.base) if base else at.base
        if base:
            value = urljoin(base, value)
        try:
            parts = urlsplit(value)
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return None
        return value

    def persons(self, elements: Iterable[etree._Element]) -> tuple[Person, ...]:
        """`podcast:person` cast members. The role defaults to host; crew (editors, producers) is left out."""
        people = []
        for element in elements:
            name = self.text(element)
            if not name:
                continue
            group = (element.get("group") or "cast").strip().lower()
            if group != "cast":
                continue
            role_text = (element.get("role") or "host").strip().lower()
            role = Role.HOST if role_text in _HOST_ROLES else Role.GUEST
            people.append(
                Person(
                    name=name,
                    role=role,
                    image=self.url(element.get("img"), element),
                    href=self.url(element.get("href"), element),
                )
            )
        return tuple(people)

    def artwork(self, found: dict[str, list[etree._Element]]) -> str | None:
        for element in found.get("itunes:image", []):
            url = self.url(element.get("href") or self.text(element), element)
            if url:
                return url
        for name in ("media:thumbnail", "media:content"):
            for element in found.get(name, []):
                if name == "media:content" and not (
                    element.get("medium") == "image" or "image" in (element.get("type") or "")
                ):
                    continue
                url = self.url(element.get("url"), element)
                if url:
                    return url
        for element in found.get("image", []):
            url = self.url(self.text(_first(_children(element), "url")), element)
            if url:
                return url
        logo = _first(found, "atom:logo", "atom:icon")
        return self.url(self.text(logo), logo)

    def enclosure(self, found: dict[str, list[etree._Element]]) -> str | None:
        """The episode's media file, audio preferred over video over anything else."""
        candidates: list[tuple[int, str]] = []
        for element in found.get("enclosure", []) + found.get("media:content", []):
            url = self.url(element.get("url"), element)
            if url:
                kind = (element.get("type") or element.get("medium") or "").lower()
                candidates.append(
                    (0 if kind.startswith("audio") else 1 if kind.startswith("video") else 2, url)
                )
        for element in found.get("atom:link", []):
            if element.get("rel") == "enclosure":
                url = self.url(element.get("href"), element)
                if url:
                    candidates.append((0 if (element.get("type") or "").startswith("audio") else 1, url))
        return min(candidates)[1] if candidates else None

    def _permalink(self, guid: str, element: etree._Element) -> str | None:
        """The GUID as the episode's page: `isPermaLink="true"` (resolved when relative), or a GUID without
        the attribute that is an absolute http(s) URL (RSS's default is true; most such GUIDs are not URLs)."""
        permalink = (element.get("isPermaLink") or "").strip().lower()
        if permalink == "true":
            return self.url(guid, element)
        if not permalink and guid.startswith(("https://", "http://")):
            return self.url(guid)
        return None

    def simple_chapters(self, found: dict[str, list[etree._Element]]) -> tuple[Chapter, ...]:
        """Podlove Simple Chapters: `<psc:chapter start="00:01:02.500" title href image>` in order of time.

        `start` is normal play time: `1:02:03.5`, `02:03`, `123.5`; a chapter with a start that is none of
        these (or an absurd one) is dropped, the others kept.
        """
        chapters = []
        for block in found.get("psc:chapters", []):
            for element in block:
                if _name(element) != "psc:chapter":
                    continue
                start = parse_time(element.get("start") or "")
                if start is None:
                    continue
                title = " ".join((element.get("title") or "").split())
                chapters.append(
                    Chapter(
                        start_s=int(start),
                        title=title,
                        url=self.url(element.get("href"), element),
                        toc=bool(title),
                    )
                )
        return tuple(sorted(chapters, key=lambda c: c.start_s))

    def transcripts(self, elements: Iterable[etree._Element]) -> tuple[TranscriptRef, ...]:
        refs = []
        for element in elements:
            url = self.url(element.get("url"), element)
            if url:
                refs.append(
                    TranscriptRef(
                        url=url,
                        mime_type=(element.get("type") or "").strip().lower(),
                        language=element.get("language") or None,
                        rel=element.get("rel") or None,
                    )
                )
        return tuple(dict.fromkeys(refs))

    def item(
        self, element: etree._Element, fmt: str, position: int, channel_people: tuple[Person, ...]
    ) -> FeedItem | None:
        found = _children(element)
        title = _title_text(self.text(_first(found, "title", "atom:title", "itunes:title")))
        audio_url = self.enclosure(found)
        if fmt == "atom":
            link = self.url(_atom_link(found.get("atom:link", []), "alternate"), element)
            published = parse_date(self.text(_first(found, "atom:published", "atom:updated", "atom:issued")))
            guid = self.text(_first(found, "atom:id"))
            markup = self.markup_of(found, "atom:content", "content:encoded", "atom:summary")
        else:
            link_element = _first(found, "link")
            link = self.url(self.text(link_element), link_element)
            published = parse_date(
                self.text(_first(found, "pubDate", "dc:date", "atom:published", "atom:updated"))
            )
            guid_element = _first(found, "guid")
            guid = self.text(guid_element)
            if not link and guid_element is not None:
                link = self._permalink(guid, guid_element)
            # content:encoded is usually the full notes and description a summary; some feeds swap them.
            markup = max(
                self.markup_of(found, "content:encoded"),
                self.markup_of(found, "description", "itunes:summary"),
                key=len,
            )
        if not title and not audio_url:
            return None  # nothing to show or play: not an episode
        if not title:
            title = notes_text(markup).split("\n", 1)[0][:120] or "Untitled episode"
        own_people = self.persons(found.get("podcast:person", []))
        chapters = _first(found, "podcast:chapters")
        episode = Episode(
            title=title,
            guid=guid or _fallback_key(audio_url, link, title, published),
            duration_s=parse_clock(self.text(_first(found, "itunes:duration"))),
            published=published,
            link=link,
            audio_url=audio_url,
            artwork=self.artwork(found),
            # The namespace: the channel's persons are every item's, unless the item names its own.
            people=own_people or channel_people,
            source_order=position,
            chapters_url=self.url(chapters.get("url"), chapters) if chapters is not None else None,
            chapters=self.simple_chapters(found),
            transcript_urls=self.transcripts(found.get("podcast:transcript", [])),
        )
        return FeedItem(episode=episode, markup=markup, own_people=bool(own_people))


# --- channel and items ---------------------------------------------------------------------------------

# Part of every item fingerprint: a parser that reads items differently must not trust old fingerprints.
PARSER_VERSION = "feed-2"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item as read from the feed, before its show notes are read (the expensive part).

    `episode` has every field the item states itself; `complete()` adds what comes from the notes.
    """

    episode: Episode
    markup: str
    # True when the item names its own podcast:person cast, which then replaces the channel's.
    own_people: bool

    @property
    def guid(self) -> str:
        return self.episode.guid

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything podbot reads from the item changes; equal across runs.

        The item's position is left out: a new episode at the top of the feed moves every other item down
        one place, and that alone must not make them all be read and stored again.
        """
        digest = hashlib.sha256()  # hardware-accelerated: this runs over every byte of show notes per poll
        digest.update(f"{PARSER_VERSION}\x1f{replace(self.episode, source_order=0)!r}\x1f".encode())
        digest.update(self.markup.encode("utf-8", errors="replace"))
        return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class FeedDocument:
    format: str
    show: Show
    items: tuple[FeedItem, ...]
    # The channel's podcast:person cast (hosts and guests), which items without persons of their own take.
    channel_people: tuple[Person, ...] = ()
    # The hosts' names as the notes spell them.
    notes_hosts: tuple[str, ...] = field(default_factory=tuple)
    # GUIDs the feed gave to several items (see _separate_shared_guids).
    shared_guids: tuple[SharedGuid, ...] = ()

    def complete(self, item: FeedItem) -> Episode:
        """The item as a full episode: show notes as text, and chapters, transcript and guests from them."""
        episode = item.episode
        notes = read_notes(item.markup, self.notes_hosts, duration_s=episode.duration_s)
        people = episode.people
        if not item.own_people:
            # Hosts from the channel (or its byline), guests from the title and the notes, as on the page.
            context = "\n".join([episode.title, notes.description, *(c.title for c in notes.chapters)])
            found = episode_people(
                self.notes_hosts, [*guests_from_title(episode.title), *notes.guests], context=context
            )
            channel_hosts = tuple(p for p in self.channel_people if p.role is Role.HOST)
            hosts = channel_hosts or tuple(p for p in found if p.role is Role.HOST)
            channel_guests = tuple(p for p in self.channel_people if p.role is Role.GUEST)
            named = {fold(p.name) for p in (*hosts, *channel_guests)}
            guests = channel_guests + tuple(
                p for p in found if p.role is Role.GUEST and fold(p.name) not in named
            )
            people = hosts + guests
        return replace(
            episode,
            show_notes=notes.description,
            people=people,
            # Chapters the item lists itself (Podlove Simple Chapters) over those its notes list.
            chapters=episode.chapters or notes.chapters,
            segments=notes.segments,
        )


def parse_feed(raw: bytes, *, feed_url: str | None = None, name: str | None = None) -> ParsedSource:
    """A show and all its episodes, newest first as the feed lists them; ParseError when there are none.

    `feed_url` is where the feed was fetched from: it resolves relative links and keys the show. `name`
    (a file's name) names a show that has no title, author, link or URL to be named after.
    """
    document = read_feed(raw, feed_url=feed_url, name=name)
    episodes = tuple(document.complete(item) for item in document.items)
    return ParsedSource(
        format=document.format, show=document.show, episodes=episodes, shared_guids=document.shared_guids
    )


def read_feed(raw: bytes, *, feed_url: str | None = None, name: str | None = None) -> FeedDocument:
    """The show and its items without reading show notes: what a poll needs to find what is new."""
    document = parse_xml(raw)
    root = document.root
    root_name = _name(root).rsplit(":", 1)[-1].lower()
    if root_name == "feed":
        channel, elements, fmt = root, [e for e in root if _name(e) == "atom:entry"], "atom"
    elif root_name in ("rss", "rdf"):
        channel = next((e for e in root if _name(e) == "channel"), root)
        elements = [e for e in channel if _name(e) == "item"] or [e for e in root if _name(e) == "item"]
        fmt = "rss"
    else:
        raise ParseError("this XML is not an RSS or Atom feed")
    if document.cut_short and elements:
        # The text stops mid-document (an interrupted download): the last item may have lost its GUID,
        # date or enclosure to the cut. It is read whole on the next fetch.
        elements = elements[:-1]
        if not elements:
            raise ParseError("the feed stops before the end of its first episode (a download cut short?)")

    found = _children(channel)
    reader = _Reader(document, base=None, xml_base=document.uses_xml_base)
    self_link = _atom_link(found.get("atom:link", []), "self") or reader.text(
        _first(found, "itunes:new-feed-url")
    )
    reader.base = base = feed_url or reader.url(self_link)
    link = reader.url(
        reader.text(_first(found, "link")) or _atom_link(found.get("atom:link", []), "alternate"), channel
    )
    author = reader.text(_first(found, "itunes:author", "author", "managingEditor", "atom:author"))
    title = _title_text(reader.text(_first(found, "title", "atom:title", "itunes:title")))
    # Untitled feeds are real (a half-configured publisher): named, as other podcast apps name them, after
    # what there is, so that their episodes are still read.
    title = title or author or _name_of(link) or _name_of(base) or (name or "").strip()
    if not title:
        raise ParseError("the feed has no title, author, link or address to name it by")
    channel_people = reader.persons(found.get("podcast:person", []))
    channel_hosts = tuple(p for p in channel_people if p.role is Role.HOST)
    # The channel's host persons, else its byline ("Alessio + swyx"), as the bundled page reads its header.
    hosts = tuple(p.name for p in channel_hosts) or split_byline(author)
    show = Show(
        title=title,
        key=base or derived_key("show", title),
        description=notes_text(reader.markup_of(found, "description", "itunes:summary", "atom:subtitle")),
        link=link,
        artwork=reader.artwork(found),
        feed_url=base,
        hosts=hosts,
        podcast_guid=podcast_guid(reader.text(_first(found, "podcast:guid"))),
        apple_id=apple_id_from(
            [reader.text(e) for e in found.get("link", [])]
            + [link.get("href") for link in found.get("atom:link", [])]
        ),
    )

    read = (reader.item(element, fmt, position, channel_people) for position, element in enumerate(elements))
    items, shared = _separate_shared_guids([item for item in read if item is not None])
    if not items:
        raise ParseError("the feed lists no episodes")
    return FeedDocument(
        format=fmt,
        show=show,
        items=tuple(items),
        channel_people=channel_people,
        notes_hosts=hosts,
        shared_guids=shared,
    )


def _identity(item: FeedItem) -> tuple[str | None, str, datetime | None]:
    # What tells two episodes apart when their GUIDs do not: the audio, the title, the date.
    episode = item.episode
    return episode.audio_url, episode.title, episode.published


def _separate_shared_guids(items: list[FeedItem]) -> tuple[list[FeedItem], tuple[SharedGuid, ...]]:
    """One GUID on several items: a listing identical to one already kept (audio, title and date) is that
    episode listed twice and dropped; one that differs is another episode, kept under a key of its own made
    from the GUID and what differs (the same on every poll). The GUID itself stays with the oldest listing
    (the earliest date, else the last in the feed, which lists the newest first): the one stored under it
    before the publisher reused it for a newer item.
    Keys podbot derived (items without a GUID) already stand for the audio or page: a repeat is dropped, as
    nothing the publisher wrote was lost."""
    positions: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        positions.setdefault(item.guid, []).append(i)
    dropped: set[int] = set()
    keys: dict[int, str] = {}
    shared: list[SharedGuid] = []
    for guid, listed in positions.items():
        if len(listed) == 1:
            continue
        if is_derived_key(guid):
            dropped.update(listed[1:])
            continue
        owner = min(listed, key=lambda i: (_dated(items[i]), -i))
        kept, merged = [owner], 0
        for i in listed:
            if i == owner:
                continue
            if any(_identity(items[k]) == _identity(items[i]) for k in kept):
                dropped.add(i)
                merged += 1
                continue
            kept.append(i)
            audio, title, published = _identity(items[i])
            digest = hashlib.sha256(
                "\x1f".join([audio or "", title, published.isoformat() if published else ""]).encode()
            ).hexdigest()[:12]
            keys[i] = f"{guid}#{digest}"
        shared.append(SharedGuid(guid, tuple(items[k].episode.title for k in sorted(kept)), merged))
    separated = [
        replace(item, episode=replace(item.episode, guid=keys[i])) if i in keys else item
        for i, item in enumerate(items)
        if i not in dropped
    ]
    return separated, tuple(shared)


def _dated(item: FeedItem) -> tuple[bool, float]:
    # Dated before undated, earliest first.
    published = item.episode.published
    return (published is None, published.timestamp() if published else 0.0)


def _name_of(url: str | None) -> str:
    """What a show at `url` is called when it has no title: the host, without `www.`."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _atom_link(links: Iterable[etree._Element], rel: str) -> str | None:
    for link in links:
        if (link.get("rel") or "alternate") == rel and link.get("href"):
            return link.get("href")
    return None


def _fallback_key(audio_url: str | None, link: str | None, title: str, published: datetime | None) -> str:
    """A stable key for an item without a GUID: its audio file, else its page, else title and date.

    The audio URL comes first because publishers edit titles and dates far more often than they move files.
    """
    if audio_url:
        return derived_key("item-audio", audio_url)
    if link:
        return derived_key("item-link", link)
    return derived_key("item", title, published.date().isoformat() if published else "")
