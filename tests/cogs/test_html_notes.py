"""/episode on a feed whose HTML show notes a regular expression misreads: an attribute holding `>`, a
script, a comment. The card shows what a browser shows, and the chapters in the notes still list."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.ingest.feed import parse_feed
from bot.store import Store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from bot.client import PodBot
    from tests.cogs.conftest import MakeBot, World

NOTES = (
    '<p>Kelp grows fast. See <a title="x>y" href="/kelp">the kelp notes</a> for more.</p>'
    "<script>document.write('<p>tracking</p>')</script><!-- <p>draft</p> -->"
    "<p><strong>Chapters</strong></p><p>00:00:00 Hello</p><p>00:12:30 Otters &amp; urchins</p>"
)
FEED = f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Kelp Cast</title>
<item><title>Kelp forests</title><guid>kelp-1</guid><enclosure url="https://cdn.example/1.mp3" type="audio/mpeg"/>
<content:encoded><![CDATA[{NOTES}]]></content:encoded></item></channel></rss>""".encode()


@pytest.fixture
async def notes_store(store_location: str | Path) -> AsyncIterator[Store]:
    store = await Store.open(store_location)
    await store.catalog.ingest(parse_feed(FEED, feed_url="https://kelp.example/feed.xml"))
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def simcord_bot(notes_store: Store, make_bot: MakeBot) -> PodBot:
    return await make_bot(notes_store)


async def test_the_card_shows_the_notes_as_a_browser_does(world: World) -> None:
    result = await world.alice.slash(world.channel, "episode", query="kelp forests")

    (embed,) = result.response.embeds
    assert embed.description.startswith("Kelp grows fast. See the kelp notes for more.")
    assert "href" not in embed.description
    assert "tracking" not in embed.description
    assert "draft" not in embed.description
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Chapters (2)"].splitlines() == [
        "`0:00` [Hello](https://cdn.example/1.mp3#t=0)",
        "`12:30` [Otters & urchins](https://cdn.example/1.mp3#t=750)",
    ]
