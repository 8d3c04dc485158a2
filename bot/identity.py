"""Stable identities for shows and episodes whose source gives none (pages, feeds with blank GUIDs).

Shared by the parsers, which derive the keys, and the store, which tells derived keys from a publisher's
own: a module of its own, so neither layer imports the other.
"""

from __future__ import annotations

import hashlib

from bot.text import fold

# Derived keys carry this prefix so the store can tell them from a publisher's own GUIDs: a real GUID
# may replace a derived key when the same episode later arrives from a feed, never the other way round.
DERIVED_PREFIX = "podbot:"


def derived_key(kind: str, *parts: str | None) -> str:
    """A key built from the folded `parts`: the same text always gives the same key."""
    material = "\x1f".join(fold(p or "") for p in parts)
    digest = hashlib.sha256(material.encode()).hexdigest()[:24]
    return f"{DERIVED_PREFIX}{kind}:{digest}"


def is_derived_key(key: str) -> bool:
    return key.startswith(DERIVED_PREFIX)
