"""Rendering store text: escaped, mentions defused, matched words in bold, links that stay links."""

from __future__ import annotations

from cogs.common.render import defuse_mentions, highlighted, link, md, paginate_lines


def test_store_markdown_shows_as_typed() -> None:
    assert md("**bold** _it_ `code` ~~s~~ ||spoiler||") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\|\\|spoiler\\|\\|"
    )


def test_mentions_of_every_kind_are_defused() -> None:
    text = defuse_mentions("@everyone @here <@&123> <@!45> <@6> <#7>")
    assert "@everyone" not in text
    assert "@here" not in text
    for raw in ("<@&123>", "<@!45>", "<@6>", "<#7>"):
        assert raw not in text
    assert text.replace("\u200b", "") == "@everyone @here <@&123> <@!45> <@6> <#7>"


def test_matched_words_are_bold_and_the_rest_escaped() -> None:
    text = "We used *WebContainers* for it"
    spans = ((9, 22),)  # "WebContainers"
    assert highlighted(text, spans) == "We used \\***WebContainers**\\* for it"


def test_overlapping_and_out_of_range_spans_do_not_break_rendering() -> None:
    text = "alpha beta gamma"
    assert highlighted(text, ((0, 5), (3, 10), (14, 99))) == "**alpha** **beta** gam**ma**"


def test_a_long_text_is_cut_around_the_match() -> None:
    text = "lead " * 400 + "THE MATCH" + " tail" * 400
    start = text.index("THE MATCH")
    out = highlighted(text, ((start, start + 9),), budget=200)
    assert "**THE MATCH**" in out
    assert out.startswith("…")
    assert out.endswith("…")
    assert len(out) < 260


def test_link_labels_cannot_close_the_link_early() -> None:
    assert link("a [b] c", "https://x.example/p(1)") == "[a \\[b\\] c](https://x.example/p%281%29)"
    assert link("plain", None) == "plain"
    assert link("plain", "javascript:alert(1)") == "plain"


def test_pages_hold_whole_lines() -> None:
    lines = [f"{i:03d} " + "x" * 96 for i in range(70)]  # 100 characters each
    pages = paginate_lines(lines, page_chars=1000)
    assert [len(p) for p in pages] == [9] * 7 + [7]
    assert [line for page in pages for line in page] == lines
