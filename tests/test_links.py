"""Links to a moment in an episode."""

from __future__ import annotations

import pytest

from bot.links import is_web_url, moment_url, with_time


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/ep/1", True),
        ("http://example.com", True),
        ("ftp://example.com/a.mp3", False),
        ("javascript:alert(1)", False),
        ("example.com/ep", False),
        ("https://exa mple.com", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_web_urls_are_links(url: str | None, ok: bool) -> None:
    assert is_web_url(url) is ok


def test_audio_gets_a_media_fragment_and_a_page_gets_a_query_parameter() -> None:
    assert moment_url("https://show.fm/ep1", "https://cdn.fm/ep1.mp3", 754) == "https://cdn.fm/ep1.mp3#t=754"
    assert moment_url("https://show.fm/ep1", None, 754) == "https://show.fm/ep1?t=754"
    assert moment_url(None, None, 754) is None
    assert moment_url("not a url", "also not", 1) is None


def test_an_existing_time_is_replaced_and_other_parameters_kept() -> None:
    assert (
        with_time("https://y.tube/watch?v=abc&t=5", 90, fragment=False) == "https://y.tube/watch?v=abc&t=90"
    )
    assert with_time("https://cdn.fm/a.mp3#t=5", 90, fragment=True) == "https://cdn.fm/a.mp3#t=90"
