"""Where to listen to an episode: link targets built from what the feed itself says, and nothing else.

Pure URL work, shared by the cogs (buttons) and anything else that wants the same links. A link is only
ever built from an http(s) URL the feed gave, or from an identifier checked to be what it claims (an
Apple Podcasts id is digits, a `podcast:guid` is a UUID), so a hostile feed cannot smuggle a
`javascript:` or `discord://` target, or a path of its own, into a button.

App links follow the patterns the apps document for linking by a show's foreign keys (the Podcast
Platform Links table): Apple Podcasts by its id, Steno.fm by the show's `podcast:guid`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.links import is_web_url

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.models import Episode

# A show's page on Apple Podcasts, as feeds link to it: /us/podcast/some-slug/id1674008350?... and
# the older itunes.apple.com spelling.
_APPLE_SHOW = re.compile(
    r"^https?://(?:podcasts|itunes)\.apple\.com/(?:[a-z]{2}/)?podcast/(?:[^/?#]+/)?id(\d{1,15})(?:[/?#]|$)",
    re.IGNORECASE,
)


def apple_id_from(urls: Iterable[str | None]) -> int | None:
    """The Apple Podcasts id of the first URL that is a show's Apple Podcasts page, else None."""
    for url in urls:
        if url and (match := _APPLE_SHOW.match(url.strip())):
            return int(match.group(1))
    return None


def podcast_guid(text: str | None) -> str | None:
    """A `podcast:guid` as its canonical lowercase UUID, or None when it is not a UUID at all."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ListenLink:
    label: str
    url: str


def listen_links(episode: Episode, *, apple_id: int | None, guid: str | None) -> list[ListenLink]:
    """The episode's page, its audio file, and the show in podcast apps, in that order; only those the
    feed gave what is needed for."""
    links: list[ListenLink] = []
    if is_web_url(episode.link):
        links.append(ListenLink("Open episode", episode.link.strip()))
    if is_web_url(episode.audio_url):
        links.append(ListenLink("Listen", episode.audio_url.strip()))
    if apple_id is not None and apple_id > 0:
        links.append(ListenLink("Apple Podcasts", f"https://podcasts.apple.com/podcast/id{apple_id}"))
    canonical = podcast_guid(guid)
    if canonical is not None:
        links.append(ListenLink("Steno.fm", f"https://steno.fm/show/{canonical}"))
    return links
