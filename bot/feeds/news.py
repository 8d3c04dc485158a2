"""Deciding what a poll found: new episodes to announce, items that are not news, and items that changed.

Pure: the feed's items and what the store remembers of the feed in, a triage out. An item is known by its
GUID (or fallback key). One with an unknown key is still not news when it is a known item listed again
under a new key (same audio file, or same title and date, or same title where a key was derived), when
the feed has no baseline yet (the first poll of a new subscription), or when it is dated well before the
newest item the feed listed before (a back-catalogue import or a GUID migration, not a new episode).

Dates in the future are the feed's word, not a fact: a trailer dated next season, a year typed wrong. Only
known dates up to the poll count as "the newest" (bot.store.feed_items.item_index), so one such item cannot
make every later episode look old. A new item dated in the future is announced when it appears, like any
new item: podcast apps list it at once, and a typo'd year must not hold a real episode back for a year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.identity import is_derived_key
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.ingest.feed import FeedItem
    from bot.store.feed_items import ItemIndex

# An item dated more than this before the newest known item is old news, whatever its key.
STALE_GRACE = timedelta(days=7)


@dataclass(slots=True)
class Triage:
    new: list[FeedItem] = field(default_factory=list)  # to announce, oldest first
    quiet: list[FeedItem] = field(default_factory=list)  # unknown keys that are not news: store only
    changed: list[FeedItem] = field(default_factory=list)  # known items to read and store again
    unchanged: int = 0

    @property
    def to_store(self) -> list[FeedItem]:
        return [*self.new, *self.quiet, *self.changed]


def published_iso(moment: datetime | None) -> str | None:
    """How feed_items stores a date, so a re-listed item's (title, date) can be compared."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def triage(items: Sequence[FeedItem], index: ItemIndex, *, has_baseline: bool) -> Triage:
    result = Triage()
    stale_before = index.newest_published - STALE_GRACE if index.newest_published else None
    for item in items:
        episode = item.episode
        known = index.items.get(item.guid)
        if known is not None:
            if known.fingerprint != item.fingerprint or known.files_pending:
                result.changed.append(item)
            else:
                result.unchanged += 1
            continue
        title_key = fold(episode.title)
        relisted = (
            (episode.audio_url is not None and episode.audio_url in index.audio_urls)
            or (title_key, published_iso(episode.published)) in index.titles_with_dates
            # Without a GUID on one side, the title is the best identity there is (as in the catalog).
            or title_key in index.derived_titles
            or (is_derived_key(item.guid) and title_key in index.titles)
        )
        stale = (
            stale_before is not None and episode.published is not None and episode.published < stale_before
        )
        if not has_baseline or relisted or stale:
            result.quiet.append(item)
        else:
            result.new.append(item)
    # Oldest first: by date; undated items in the feed's own order, which lists the newest first.
    result.new.sort(
        key=lambda i: (
            i.episode.published is None,
            i.episode.published or datetime.min.replace(tzinfo=UTC),
            -i.episode.source_order,
        )
    )
    return result
