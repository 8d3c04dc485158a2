"""Quote cards: the PNG's size, text that does not fit, scripts and emoji the font lacks, and artwork
that is missing, broken, huge or behind the URL guard."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from bot.cards.quote import ART_SIZE, HEIGHT, MARGIN, WIDTH, QuoteCard, _font, render_quote_card, wrap
from bot.cards.service import QuoteCards
from bot.net.fetch import Fetcher, Limits
from bot.net.guard import AddressPolicy

if TYPE_CHECKING:
    from tests.feedserver import FeedServer

CARD = QuoteCard(
    words="The WebContainer is a whole operating system running in a browser tab.",
    speaker="Eric",
    episode_title="Bolt.new, Flow Engineering for Code Agents",
    show_title="Latent Space",
    start_s=3136,
)


def png(size: tuple[int, int], colour: tuple[int, int, int] = (250, 20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def art_corner(image: Image.Image) -> tuple[int, int, int]:
    return image.getpixel((MARGIN + ART_SIZE // 2, HEIGHT - MARGIN - ART_SIZE // 2))  # type: ignore[return-value]


def test_a_card_is_a_png_of_the_preview_size() -> None:
    image = opened(render_quote_card(CARD))
    assert image.size == (WIDTH, HEIGHT)
    # Text was drawn: the quote area is not one flat colour.
    assert len(image.crop((MARGIN, MARGIN, WIDTH - MARGIN, HEIGHT // 2)).getcolors(maxcolors=10**6) or ()) > 2


@pytest.mark.parametrize(
    "words",
    [
        "word " * 2000,
        "مرحبا بالعالم، هذا اقتباس من الحلقة " * 20,
        "שלום עולם, זה ציטוט מהפרק",
        "🎙️🔥🚀 emoji everywhere 👩‍👩‍👧‍👦 " * 30,
        "https://example.com/" + "x" * 3000,
        "x" * 20000,
        "",
        "\u200f\u202e reversed \u202c",
    ],
)
def test_long_right_to_left_and_emoji_text_still_renders(words: str) -> None:
    card = QuoteCard(words, None, words[:300] or "Untitled", "🎧 " + words[:200], 10**6)
    assert opened(render_quote_card(card)).size == (WIDTH, HEIGHT)


def test_text_that_does_not_fit_is_cut_with_an_ellipsis() -> None:
    font = _font(40)
    lines, cut = wrap(font, "many words here " * 200, 800, 4)
    assert cut
    assert len(lines) == 4
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= 800 for line in lines)
    lines, cut = wrap(font, "a" * 500, 300, 3)
    assert cut
    assert len(lines) == 3
    assert all(font.getlength(line) <= 300 for line in lines)
    assert wrap(font, "short words", 800, 4) == (["short words"], False)


def test_artwork_is_drawn_and_bad_artwork_gives_a_card_without_it() -> None:
    with_art = opened(render_quote_card(CARD, png((600, 400))))
    assert art_corner(with_art) == (250, 20, 20)
    without = opened(render_quote_card(CARD))
    for bad in (b"not a picture", png((600, 400))[:100], b""):
        assert opened(render_quote_card(CARD, bad)).tobytes() == without.tobytes()
    # A picture that claims 7000 × 7000 pixels is not decoded at all.
    bomb = io.BytesIO()
    Image.new("1", (7000, 7000)).save(bomb, format="PNG")
    assert opened(render_quote_card(CARD, bomb.getvalue())).tobytes() == without.tobytes()


async def test_artwork_is_fetched_once_through_the_guard(feed_server: FeedServer) -> None:
    url = feed_server.serve("/art.png", png((300, 300)), content_type="image/png")
    # The default policy: 127.0.0.1 is a private address, refused before any request is made.
    async with Fetcher(AddressPolicy()) as guarded:
        assert await QuoteCards(guarded).artwork(url) is None
    assert feed_server.hits("/art.png") == 0

    async with Fetcher(AddressPolicy(allow_private=True)) as fetcher:
        cards = QuoteCards(fetcher)
        first = await cards.artwork(url)
        assert first is not None
        assert opened(first).size == (300, 300)
        assert await cards.artwork(url) == first
        assert feed_server.hits("/art.png") == 1
        card = opened(await cards.render(CARD, url))
        assert art_corner(card) == (250, 20, 20)
        assert feed_server.hits("/art.png") == 1
        # Not http(s), missing, too big: no artwork, and the card renders without it.
        assert await cards.artwork("file:///etc/passwd") is None
        assert await cards.artwork(feed_server.url("/missing.png")) is None
        big = feed_server.serve("/big.png", png((300, 300)) + b"\0" * 5000, content_type="image/png")
        assert await QuoteCards(fetcher, limits=Limits(max_bytes=4096)).artwork(big) is None
        assert opened(await cards.render(CARD, feed_server.url("/missing.png"))).size == (WIDTH, HEIGHT)
