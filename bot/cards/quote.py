"""A quote as a picture to share: the words, who said them, the episode, the moment, the show's artwork.

Pure and CPU-bound: data and artwork bytes in, PNG bytes out, no I/O. Rendering takes tens of
milliseconds, so callers run it in a thread (bot.cards.service), never on the event loop.

The font is Aileron, the scalable font Pillow itself ships (`ImageFont.load_default(size)`): nothing is
downloaded at run time and nothing is installed beside Pillow. It covers Latin text; letters it lacks
(Arabic, Hebrew, CJK, emoji) are drawn as empty boxes rather than failing, and right-to-left text is
ordered by Pillow's layout engine when libraqm is present, by the basic one otherwise.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.text import format_timestamp

WIDTH, HEIGHT = 1200, 630  # the 1.91:1 size link previews and social sites show whole
MARGIN = 64
ART_SIZE = 132
BACKGROUND = (24, 25, 38)
ACCENT = (88, 101, 242)  # the bot's embed colour
INK = (240, 240, 245)
MUTED = (170, 172, 190)

# The quote shrinks from the first size to the last to fit; past that it is cut with "…".
QUOTE_SIZES = (52, 46, 40, 34)
QUOTE_TOP = MARGIN + 24
QUOTE_BOTTOM = HEIGHT - MARGIN - ART_SIZE - 36
LINE_SPACING = 1.25
# Artwork decoded larger than this is refused before its pixels are read (a decompression bomb).
MAX_ART_PIXELS = 6000 * 6000
ELLIPSIS = "…"
MAX_QUOTE_CHARS = 800
MAX_ROW_CHARS = 200


@dataclass(frozen=True, slots=True)
class QuoteCard:
    words: str
    speaker: str | None
    episode_title: str
    show_title: str
    start_s: int


# Punctuation common in titles that Aileron has no glyph for, drawn with one it has.
_STAND_INS = str.maketrans({"—": "-", "–": "-", "‒": "-", "―": "-", "\u2009": " ", "\u00a0": " "})


def _plain(text: str) -> str:
    return " ".join(text.translate(_STAND_INS).split())


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size)
    assert isinstance(font, ImageFont.FreeTypeFont), "Pillow was built without FreeType"
    return font


def _fits(font: ImageFont.FreeTypeFont, text: str, width: float) -> bool:
    return font.getlength(text) <= width


def _cut(font: ImageFont.FreeTypeFont, text: str, width: float) -> str:
    """`text` shortened with "…" to fit `width`, between words where that loses little."""
    if _fits(font, text, width):
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if _fits(font, text[:middle].rstrip() + ELLIPSIS, width):
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    space = head.rfind(" ")
    if space > low * 0.7:
        head = head[:space]
    return head.rstrip(" ,;:-–—") + ELLIPSIS


def _longest_head(font: ImageFont.FreeTypeFont, word: str, width: float) -> int:
    """How many characters of `word` fit in `width`: at least one, so breaking a word always ends."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(font, word[:middle], width):
            low = middle
        else:
            high = middle - 1
    return low


def wrap(font: ImageFont.FreeTypeFont, text: str, width: float, max_lines: int) -> tuple[list[str], bool]:
    """`text` in lines of at most `width` pixels, at most `max_lines` of them; True when it was cut (the
    last line then ends in "…"). Words longer than a line (a URL, a run of emoji) are broken anywhere."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _fits(font, candidate, width):
            current = candidate
            continue
        if current:
            lines.append(current)
        while not _fits(font, word, width) and len(word) > 1 and len(lines) <= max_lines:
            cut = _longest_head(font, word, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
        if len(lines) > max_lines:
            break  # the rest is cut anyway: no need to measure it
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines, False
    last = f"{lines[max_lines - 1]} {lines[max_lines]}"
    return [*lines[: max_lines - 1], _cut(font, last + " " + ELLIPSIS, width)], True


def _quote_lines(words: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    # More than fits at the smallest size is never measured: a hostile transcript costs no more time.
    text = "“" + _plain(words[:MAX_QUOTE_CHARS]) + "”"
    width = WIDTH - 2 * MARGIN
    for size in QUOTE_SIZES:
        font = _font(size)
        max_lines = int((QUOTE_BOTTOM - QUOTE_TOP) // (size * LINE_SPACING))
        lines, cut = wrap(font, text, width, max_lines)
        if not cut:
            return font, lines
    return font, lines


def artwork_thumbnail(raw: bytes, size: int = ART_SIZE) -> Image.Image | None:
    """The artwork as a square `size` image, or None when the bytes are not a picture Pillow can read
    safely (wrong format, damaged, or too many pixels)."""
    try:
        with Image.open(io.BytesIO(raw), formats=("PNG", "JPEG", "WEBP", "GIF")) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_ART_PIXELS:
                return None
            image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a fraction of full size
            art = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
    side = min(art.size)
    left, top = (art.width - side) // 2, (art.height - side) // 2
    return art.crop((left, top, left + side, top + side)).resize((size, size), Image.Resampling.LANCZOS)


def _show_and_time(card: QuoteCard, font: ImageFont.FreeTypeFont, width: float) -> str:
    """ "Show · 52:16", the show's name shortened so that the moment is always there."""
    stamp = format_timestamp(card.start_s)
    show = _plain(card.show_title[:MAX_ROW_CHARS])
    if not show:
        return stamp
    return f"{_cut(font, show, width - font.getlength(f' · {stamp}'))} · {stamp}"


def render_quote_card(card: QuoteCard, artwork: bytes | None = None) -> bytes:
    """The card as PNG bytes, WIDTH × HEIGHT; without artwork (or with unreadable artwork) the footer
    text takes its place."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 12, HEIGHT), fill=ACCENT)

    font, lines = _quote_lines(card.words)
    y = QUOTE_TOP
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK)
        y += int(font.size * LINE_SPACING)

    footer_top = HEIGHT - MARGIN - ART_SIZE
    text_left = MARGIN
    thumbnail = artwork_thumbnail(artwork) if artwork else None
    if thumbnail is not None:
        image.paste(thumbnail, (MARGIN, footer_top))
        text_left = MARGIN + ART_SIZE + 28
    width = WIDTH - MARGIN - text_left
    speaker = _plain(card.speaker or "") or "Unknown speaker"
    rows = (
        (speaker, _font(34), INK),
        (_plain(card.episode_title), _font(26), MUTED),
        (_show_and_time(card, _font(26), WIDTH - MARGIN - text_left), _font(26), MUTED),
    )
    y = footer_top + 4
    for text, row_font, colour in rows:
        draw.text((text_left, y), _cut(row_font, text[:MAX_ROW_CHARS], width), font=row_font, fill=colour)
        y += int(row_font.size * 1.45)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
