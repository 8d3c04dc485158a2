"""Discord's hard limits, and the one place that shortens text to fit them.

Over a limit Discord answers 400 and the user sees "The application did not respond", so every reply
goes through `fit_embeds`/`fit_content` in the reply helper, whatever a renderer built. Renderers may
shorten earlier for a nicer cut (a list cut between lines), but they never have to be right for the
reply to be accepted.

Lengths are counted in UTF-16 code units, as Discord's clients count them: never fewer than the code
points Discord's API counts, so a text that fits here fits there too (emoji cost two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    import discord

ELLIPSIS = "…"

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
EMBEDS_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
CHOICES = 25
CHOICE_TEXT = 100
BUTTON_LABEL = 80
BUTTON_URL = 512
CUSTOM_ID = 100
# A select menu option's label and description.
SELECT_OPTION = 100


def length(text: str) -> int:
    """Length as Discord clients count it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut; prefers a cut between words.

    The one truncation primitive: every other helper here is built on it.
    """
    text = text.strip()
    if length(text) <= limit:
        return text
    if limit <= 0:
        return ""
    budget = limit - 1  # room for the ellipsis
    cut = text[:budget]
    while length(cut) > budget:
        cut = cut[:-1]
    # A cut between words reads better, unless that would throw away most of what fits.
    space = cut.rfind(" ")
    if space >= budget * 0.8:
        cut = cut[:space]
    return cut.rstrip(" \n,;:-–—") + ELLIPSIS


def shorten_lines(lines: Sequence[str], limit: int, *, more: str = "…and {n} more") -> str:
    """As many whole lines as fit in `limit`, then a line saying how many were left out."""
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        remaining = len(lines) - index
        tail = "\n" + more.format(n=remaining)
        cost = length(line) + (1 if out else 0)
        # Keep room for the "…and N more" line unless this is the last line.
        reserve = length(tail) if remaining > 1 else 0
        if used + cost + reserve > limit:
            if not out:
                return shorten(line, limit)
            out.append(more.format(n=remaining))
            return shorten("\n".join(out), limit)
        out.append(line)
        used += cost
    return "\n".join(out)


def _embed_size(embed: discord.Embed) -> int:
    total = 0
    for text in (embed.title, embed.description, embed.footer.text, embed.author.name):
        total += length(text or "")
    for field in embed.fields:
        total += length(field.name or "") + length(field.value or "")
    return total


def fit_embed(embed: discord.Embed, *, budget: int = EMBEDS_TOTAL) -> discord.Embed:
    """Bring one embed within every per-part limit and within `budget` characters in total."""
    if embed.title:
        embed.title = shorten(embed.title, EMBED_TITLE)
    if embed.description:
        embed.description = shorten(embed.description, EMBED_DESCRIPTION)
    if embed.footer.text:
        embed.set_footer(text=shorten(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(
            name=shorten(embed.author.name, AUTHOR_NAME), url=embed.author.url, icon_url=embed.author.icon_url
        )
    fields = [(f.name or "", f.value or "", bool(f.inline)) for f in embed.fields][:EMBED_FIELDS]
    embed.clear_fields()
    for name, value, inline in fields:
        # A field needs a non-blank name and value, or Discord rejects the whole message.
        embed.add_field(
            name=shorten(name, FIELD_NAME) or "\u200b",
            value=shorten(value, FIELD_VALUE) or "\u200b",
            inline=inline,
        )
    excess = _embed_size(embed) - budget
    # Over the total: give up detail in the order a reader misses it least.
    while excess > 0 and embed.fields:
        last = embed.fields[-1]
        embed.remove_field(len(embed.fields) - 1)
        excess -= length(last.name or "") + length(last.value or "")
    if excess > 0 and embed.description:
        embed.description = shorten(embed.description, max(0, length(embed.description) - excess))
        excess = _embed_size(embed) - budget
    if excess > 0 and embed.footer.text:
        embed.set_footer(text=shorten(embed.footer.text, max(0, length(embed.footer.text) - excess)))
        excess = _embed_size(embed) - budget
    if excess > 0 and embed.title:
        embed.title = shorten(embed.title, max(1, length(embed.title) - excess))
    return embed


def fit_embeds(embeds: Sequence[discord.Embed]) -> list[discord.Embed]:
    """At most 10 embeds, within 6,000 characters together: later embeds get what earlier ones left."""
    kept = list(embeds)[:EMBEDS_PER_MESSAGE]
    left = EMBEDS_TOTAL
    out = []
    for embed in kept:
        if left <= 0:
            break
        fitted = fit_embed(embed, budget=left)
        left -= _embed_size(fitted)
        out.append(fitted)
    return out


def fit_content(text: str) -> str:
    return shorten(text, CONTENT)


def fit_choice(text: str) -> str:
    """An autocomplete choice's name: 1–100 characters."""
    return shorten(" ".join(text.split()), CHOICE_TEXT) or "…"
