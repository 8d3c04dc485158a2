"""Announcement templates and title filters: checked when a manager sets them, applied to each episode."""

from __future__ import annotations

import pytest

from bot.shaping import DEFAULT_TEMPLATE, ShapeError, Template, TitleFilter, parse_keywords


def test_a_template_fills_its_placeholders_and_tidies_what_is_missing() -> None:
    template = Template.parse("{role} 🎙️ {show}: **{title}** ({duration})\n{url}\nWith {guests}")
    text = template.render(
        {"role": "", "show": "Test Cast", "title": "Kelp", "duration": "1:00:00", "url": ""}
    )
    assert text == "🎙️ Test Cast: **Kelp** (1:00:00)\nWith"
    assert template.has_role
    assert not Template.parse("{title} is out").has_role
    assert Template.parse("{{literal}} {title}").render({"title": "T"}) == "{literal} T"
    assert (
        Template.parse(DEFAULT_TEMPLATE).render({"role": "<@&1>", "show": "S"})
        == "<@&1> New episode of **S**"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "{titel} is out",
            "{titel} is not a placeholder; use {show}, {title}, {url}, {duration}, {guests}, {role}",
        ),
        ("{title!r}", "without ! or :"),
        ("{title:>999999999}", "without ! or :"),
        ("{title.__class__}", "is not a placeholder"),
        ("{title[0]}", "is not a placeholder"),
        ("{}", "{} is not a placeholder"),
        ("{title", "unmatched {"),
        ("title}", "unmatched {"),
        ("   ", "the template is empty"),
        ("x" * 1001, "keep it under 1000"),
    ],
)
def test_a_bad_template_is_one_clear_sentence(text: str, says: str) -> None:
    with pytest.raises(ShapeError) as caught:
        Template.parse(text)
    assert says in str(caught.value)


def test_the_title_filter_matches_whole_words_without_case_or_accents() -> None:
    no_extras = TitleFilter.parse(None, "Trailer, BONUS, behind the scenes")
    assert no_extras.allows("Episode 12: Kelp forests")
    assert not no_extras.allows("TRAILER: season 3")
    assert not no_extras.allows("Bonus — a live Q&A")
    assert not no_extras.allows("Behind the Scenes of episode 4")
    assert no_extras.allows("Bonuses for everyone")  # a different word
    only_interviews = TitleFilter.parse("interview, entrevista", None)
    assert only_interviews.allows("An interview with Ana")
    assert only_interviews.allows("Entrevista con Bó")
    assert not only_interviews.allows("Solo episode")
    assert not TitleFilter.parse(None, None)
    assert TitleFilter.parse(None, None).allows("anything")


def test_bad_keywords_are_one_clear_sentence() -> None:
    assert parse_keywords(" , ,") == ()  # nothing but separators is no filter
    with pytest.raises(ShapeError, match="at most 20"):
        parse_keywords(",".join(f"k{i}" for i in range(21)))
    with pytest.raises(ShapeError, match="under 60"):
        parse_keywords("x" * 61)
