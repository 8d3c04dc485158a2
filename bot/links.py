"""Links to an episode and to a moment in it, and URLs made safe to print: pure URL work, shared by the
CLI and the cogs."""

from __future__ import annotations

import re
from typing import TypeGuard
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# scheme://user:password@ — greedy up to the last "@" before the path, as URL parsers read it.
_USERINFO = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@", re.IGNORECASE)


def is_web_url(url: str | None) -> TypeGuard[str]:
    """True for an absolute http(s) URL: the only kind worth showing as a link or button. (A TypeGuard:
    where it is true, the type checker knows the URL is a str, not None.)"""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url.strip())
    )


def redact_credentials(text: str) -> str:
    """`text` (a URL, or a message quoting URLs) with every user name and password shown as `***`.

    Whatever prints or logs a URL a person or a feed gave passes it through here first.
    """
    return _USERINFO.sub(r"\1***@", text)


def with_time(url: str, seconds: int, *, fragment: bool) -> str:
    """`url` pointing at `seconds` into the episode.

    Audio files take a media fragment (`#t=754`, which browsers' players honour); pages take a query
    parameter (`?t=754`, the YouTube/Spotify convention). An existing `t` is replaced, not duplicated.
    """
    parts = urlsplit(url.strip())
    seconds = max(0, int(seconds))
    if fragment:
        return urlunsplit(parts._replace(fragment=f"t={seconds}"))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
    query.append(("t", str(seconds)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def moment_url(link: str | None, audio_url: str | None, seconds: int) -> str | None:
    """The best link to `seconds` into an episode: its audio (a fragment really seeks), else its page."""
    if is_web_url(audio_url):
        return with_time(audio_url, seconds, fragment=True)
    if is_web_url(link):
        return with_time(link, seconds, fragment=False)
    return None
