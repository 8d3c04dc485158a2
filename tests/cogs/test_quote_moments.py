"""/quote on transcripts whose segments join several timed cues: the moment shown and linked is the start of
the cue where the quote's words are, not the start of the segment (tests/feeds/moments)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.ingest.transcript import parse_transcript
from tests.cogs.helpers import button, store_with
from tests.factories import make_episode

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.client import PodBot
    from bot.store import Store
    from tests.cogs.conftest import MakeBot, World

MOMENTS = Path(__file__).parent.parent / "feeds" / "moments"


@pytest.fixture
async def moments_store(store_location: str | Path) -> AsyncIterator[Store]:
    episodes = [
        make_episode(
            f"Kelp from {name}",
            audio_url=f"https://cdn.example/{n}.mp3",
            segments=parse_transcript((MOMENTS / name).read_bytes()),
        )
        for n, name in enumerate(["monologue.json", "monologue.srt", "seconds.vtt", "monologue.html"])
    ]
    store = await store_with(store_location, *episodes)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def simcord_bot(moments_store: Store, make_bot: MakeBot) -> PodBot:
    return await make_bot(moments_store)


async def test_the_moment_of_a_quote_is_its_cue_in_the_embed_and_the_listen_link(world: World) -> None:
    result = await world.alice.slash(
        world.channel, "quote", text="one out of five people now who say they listened to podcasts"
    )
    seen = []
    for _ in range(4):
        (embed,) = result.response.embeds
        seen.append(embed.title)
        fields = {f.name: f.value for f in embed.fields}
        # The segment starts at 0:00; the words are said in the cue that starts at 0:15.2.
        assert "0:15" in fields["At"], embed.title
        assert button(result.response, "Listen at 0:15")["url"].endswith("#t=15")
        if len(seen) < 4:
            result = await world.alice.click(result.response, label="Next ▶")
    assert len(set(seen)) == 4  # JSON, SRT, seconds-only WebVTT and HTML, one page each
