"""Small sources built from models, for tests that need exact control over what is ingested."""

from __future__ import annotations

from bot.identity import derived_key
from bot.models import Chapter, Episode, ParsedSource, Person, Role, Segment, Show


def make_source(*episodes: Episode, title: str = "Test Show") -> ParsedSource:
    show = Show(title=title, key=derived_key("show", title), hosts=("Ana",))
    return ParsedSource(format="test", show=show, episodes=episodes)


def make_episode(title: str, *, guid: str | None = None, words: int = 0, **fields: object) -> Episode:
    """An episode with a host, a guest, two chapters and `words` words of transcript in 20-word segments."""
    segments = tuple(
        Segment(start_s=i * 10, text=" ".join(f"word{i}x{j}" for j in range(20)), speaker="Ana")
        for i in range(words // 20)
    )
    defaults: dict[str, object] = {
        "people": (Person("Ana", Role.HOST), Person("Bo Guest", Role.GUEST)),
        "chapters": (Chapter(0, "Intro"), Chapter(60, "Main part")),
        "segments": segments,
        "duration_s": 600,
    }
    defaults.update(fields)
    return Episode(title=title, guid=guid or derived_key("episode", "Test Show", title), **defaults)  # type: ignore[arg-type]
