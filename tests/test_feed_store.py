"""A show's bundled page and its own feed are one show in the store, whichever arrives first."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.bootstrap import bundled_page
from bot.ingest.detect import parse_source

if TYPE_CHECKING:
    from bot.store import Store

PAGE_TITLE = (
    "Latent Space: The AI Engineer Podcast — Practitioners talking LLMs, CodeGen, Agents, Multimodality, "
    "AI UX, GPU Infra and all things Software 3.0"
)
FEED = f"""<?xml version="1.0"?>
<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>{PAGE_TITLE}</title>
<atom:link rel="self" href="https://api.substack.com/feed/podcast/1084089.rss"/>
<item><title>A brand new episode</title><guid>ls-new</guid><pubDate>Fri, 01 Nov 2024 10:00:00 GMT</pubDate></item>
<item><title>Why Compound AI + Open Source will beat Closed AI</title><guid>ls-compound</guid>
<pubDate>Fri, 01 Mar 2024 10:00:00 GMT</pubDate><link>https://www.latent.space/p/compound</link></item>
</channel></rss>""".encode()


async def _shows(store: Store) -> list[tuple[str, str]]:
    return [(k, t) for k, t in await store.reader.fetch_all("SELECT key, title FROM shows")]


@pytest.mark.parametrize("feed_first", [False, True])
async def test_page_and_feed_merge_into_one_show(store: Store, feed_first: bool) -> None:
    page, feed = parse_source(bundled_page()), parse_source(FEED)
    for source in (feed, page) if feed_first else (page, feed):
        await store.catalog.ingest(source)

    assert await _shows(store) == [("https://api.substack.com/feed/podcast/1084089.rss", PAGE_TITLE)]
    stored = await store.catalog.episodes()
    assert len(stored) == 6  # the page's five and the feed's new one
    compound = [s.episode for s in stored if s.episode.title.startswith("Why Compound AI")]
    assert len(compound) == 1
    # The feed's GUID and date, the page's transcript.
    assert compound[0].guid == "ls-compound"
    assert compound[0].published is not None
    assert compound[0].link == "https://www.latent.space/p/compound"
    assert next(s for s in stored if s.episode.guid == "ls-compound").segment_count > 0


async def test_page_and_feed_ingested_in_turn_settle_instead_of_overwriting_each_other(store: Store) -> None:
    # The feed gives the episode a short summary; the page has its full show notes.
    summary = "<description>Short notes.</description></item>"
    feed_with_summary = FEED.replace(b"</item>\n</channel>", summary.encode() + b"\n</channel>")
    page, feed = parse_source(bundled_page()), parse_source(feed_with_summary)

    await store.catalog.ingest(page)
    first = await store.catalog.ingest(feed)
    assert "Why Compound AI + Open Source will beat Closed AI" in first.updated  # its GUID and date

    for source in (page, feed, page, feed):
        report = await store.catalog.ingest(source)
        assert report.added == report.updated == [], source.format
    [compound] = [s.episode for s in await store.catalog.episodes() if s.episode.guid == "ls-compound"]
    assert len(compound.show_notes) > 1000  # the page's full notes, not the feed's summary
    assert compound.published is not None
