"""Short descriptions: the sentences that say what an episode is about, and nothing else."""

from __future__ import annotations

import pytest

from bot.summary import short_description


def test_stops_before_the_chapter_list() -> None:
    notes = "We talk to Ana about compilers. It gets deep. Chapters* 00:00:00: Intro* 00:01:00: More"
    assert short_description(notes) == "We talk to Ana about compilers. It gets deep."


@pytest.mark.parametrize(
    "marker",
    ["Timestamps* [00:00:00] Intro", "Transcript: Ana [00:00:01]: hi", "[00:00:00] Intro", "00:00 Intro"],
)
def test_stops_before_any_list_of_times(marker: str) -> None:
    assert short_description(f"Ana explains compilers. {marker}") == "Ana explains compilers."


def test_skips_leading_announcements_for_the_episodes_own_description() -> None:
    notes = (
        "Tickets for our conference are on sale! Use code POD for 10% off.\n"
        "Submit questions on Speakpipe for our recap episode!\n"
        "Today’s guest, Bo, built a database in a weekend. We ask how."
    )
    assert short_description(notes) == "Today’s guest, Bo, built a database in a weekend. We ask how."


def test_keeps_an_announcement_when_it_is_all_there_is() -> None:
    assert short_description("Sign up for our live show!") == "Sign up for our live show!"


def test_html_show_notes_become_plain_prose() -> None:
    notes = "<p>Ana &amp; Bo on <b>Rust</b> at https://example.com/rust.</p><p>00:00 Intro</p>"
    assert short_description(notes) == "Ana & Bo on Rust at"


def test_takes_whole_sentences_up_to_the_target_and_never_exceeds_the_limit() -> None:
    notes = " ".join(f"Sentence number {i} is about something else entirely." for i in range(40))
    text = short_description(notes, target=100, limit=200)
    assert text.endswith(".")
    assert 100 <= len(text) <= 200
    long = "word " * 500
    cut = short_description(long, limit=120)
    assert len(cut) <= 120
    assert cut.endswith("…")


def test_a_glued_sentence_end_still_ends_a_sentence() -> None:
    notes = "See you in Vancouver!We have been busy. " + "x " * 300
    assert short_description(notes, target=10).startswith("See you in Vancouver!")


def test_notes_without_prose_give_nothing() -> None:
    assert short_description("") == ""
    assert short_description("Chapters* 00:00:00: Intro") == ""
