"""Links to a moment in an episode, and URLs made safe to print."""

from __future__ import annotations

import pytest

from bot.links import is_web_url, moment_url, redact_credentials, with_time


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


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:secret@feeds.example.com/rss", "https://***@feeds.example.com/rss"),
        ("https://token@feeds.example.com/rss", "https://***@feeds.example.com/rss"),
        ("https://u:p@ss@feeds.example.com/rss?x=1", "https://***@feeds.example.com/rss?x=1"),
        ("HTTP://U:P@host:8080", "HTTP://***@host:8080"),
        (
            "could not read https://a:b@x.example/c.json: refused; see https://y.example/@me",
            "could not read https://***@x.example/c.json: refused; see https://y.example/@me",
        ),
        ("https://feeds.example.com/rss", "https://feeds.example.com/rss"),
        ("/home/me/feeds/show@2x.xml", "/home/me/feeds/show@2x.xml"),
    ],
)
def test_credentials_in_urls_are_redacted(text: str, shown: str) -> None:
    assert redact_credentials(text) == shown
