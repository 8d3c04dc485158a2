"""The one truncation helper: whatever the data, a message Discord accepts."""

from __future__ import annotations

import discord
import pytest

from cogs.common import limits
from cogs.common.limits import fit_choice, fit_content, fit_embeds, length, shorten, shorten_lines
from tests.cogs.helpers import embed_size


def test_short_text_is_untouched() -> None:
    assert shorten("Hello there", 20) == "Hello there"


def test_long_text_is_cut_between_words_with_an_ellipsis() -> None:
    cut = shorten("The quick brown fox jumps over the lazy dog", 20)
    assert cut == "The quick brown fox…"
    assert len(cut) <= 20


def test_a_text_without_spaces_is_cut_mid_word() -> None:
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


def test_lengths_count_emoji_as_discord_clients_do() -> None:
    assert length("🎙") == 2
    cut = shorten("🎙" * 100, 100)
    assert length(cut) <= 100
    assert cut.endswith("…")


def test_whole_lines_then_how_many_were_left_out() -> None:
    lines = [f"line {i}" for i in range(100)]
    text = shorten_lines(lines, 60)
    assert len(text) <= 60
    kept = text.splitlines()
    assert kept[:-1] == lines[: len(kept) - 1]
    assert kept[-1] == f"…and {100 - (len(kept) - 1)} more"


def _huge_embed() -> discord.Embed:
    embed = discord.Embed(title="T" * 300, description="D" * 5000)
    for i in range(30):
        embed.add_field(name=f"name {i}" * 50, value="v" * 2000)
    embed.set_footer(text="F" * 3000)
    embed.set_author(name="A" * 300)
    return embed


def test_every_part_of_an_embed_is_brought_within_its_limit() -> None:
    (embed,) = fit_embeds([_huge_embed()])
    assert len(embed.title) <= limits.EMBED_TITLE
    assert embed.title.endswith("…")
    assert len(embed.description) <= limits.EMBED_DESCRIPTION
    assert len(embed.fields) <= limits.EMBED_FIELDS
    assert all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    assert len(embed.footer.text) <= limits.FOOTER
    assert len(embed.author.name) <= limits.AUTHOR_NAME
    assert embed_size(embed) <= limits.EMBEDS_TOTAL


def test_several_embeds_share_six_thousand_characters() -> None:
    embeds = fit_embeds([_huge_embed() for _ in range(12)])
    assert len(embeds) <= 10
    assert sum(embed_size(e) for e in embeds) <= limits.EMBEDS_TOTAL


def test_blank_field_parts_get_a_placeholder_discord_accepts() -> None:
    embed = discord.Embed(title="x")
    embed.add_field(name="", value="   ")
    (fitted,) = fit_embeds([embed])
    assert fitted.fields[0].name.strip("\u200b") == ""
    assert fitted.fields[0].name
    assert fitted.fields[0].value


@pytest.mark.parametrize("text", ["a" * 5000, "word " * 1000])
def test_message_content_fits(text: str) -> None:
    assert len(fit_content(text)) <= limits.CONTENT


def test_choice_names_are_one_to_a_hundred_characters() -> None:
    assert fit_choice("   ") == "…"
    assert len(fit_choice("T" * 300)) == 100
    assert fit_choice("a\nb  c") == "a b c"
