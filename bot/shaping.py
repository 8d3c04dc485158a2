"""What a server manager says about an announcement's shape: a template for its text, and a keyword
filter on episode titles. Pure: checked when set (one sentence naming what is wrong), applied per episode.

A template is plain text with `{placeholder}`s from PLACEHOLDERS and `{{`/`}}` for literal braces. Nothing
else of Python's format syntax is accepted: no `{title!r}`, no `{title:>999999}` (a width is a way to
make a huge message), no `{title.upper}` or `{title[0]}` (attribute access is a way into the objects).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Mapping

PLACEHOLDERS = ("show", "title", "url", "duration", "guests", "role")
DEFAULT_TEMPLATE = "{role} New episode of **{show}**"
MAX_TEMPLATE_CHARS = 1000
MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 60


class ShapeError(ValueError):
    """A template or keyword list that cannot be used; the message is one sentence for the manager."""


def _listed() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


@dataclass(frozen=True, slots=True)
class Template:
    text: str

    @classmethod
    def parse(cls, text: str) -> Template:
        text = text.strip()
        if not text:
            raise ShapeError(f"the template is empty; write the message with any of {_listed()}")
        if len(text) > MAX_TEMPLATE_CHARS:
            raise ShapeError(f"the template is {len(text)} characters; keep it under {MAX_TEMPLATE_CHARS}")
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError:
            raise ShapeError(
                "the template has an unmatched { or }; write {{ or }} for a brace itself"
            ) from None
        for _literal, field, spec, conversion in parts:
            if field is None:
                continue
            if field not in PLACEHOLDERS:
                shown = field if len(field) <= 40 else field[:40] + "…"
                raise ShapeError(f"{{{shown}}} is not a placeholder; use {_listed()}")
            if spec or conversion:
                raise ShapeError(f"write {{{field}}} alone, without ! or : after the name")
        return cls(text)

    @property
    def has_role(self) -> bool:
        return any(field == "role" for _, field, _, _ in string.Formatter().parse(self.text))

    def render(self, values: Mapping[str, str]) -> str:
        """The text with each placeholder replaced by `values[name]` (already made safe for Discord by
        the caller), blank lines and doubled spaces a missing value leaves behind tidied away."""
        out = []
        for literal, field, _, _ in string.Formatter().parse(self.text):
            out.append(literal)
            if field is not None:
                out.append(values.get(field, ""))
        lines = [" ".join(line.split()) for line in "".join(out).splitlines()]
        return "\n".join(line for line in lines if line)


def parse_keywords(text: str | None) -> tuple[str, ...]:
    """Comma-separated keywords, folded as titles are (case, accents, punctuation do not matter)."""
    if text is None or not text.strip():
        return ()
    words = tuple(dict.fromkeys(k for k in (fold(part) for part in text.split(",")) if k))
    if len(words) > MAX_KEYWORDS:
        raise ShapeError(f"give at most {MAX_KEYWORDS} keywords")
    long = next((k for k in words if len(k) > MAX_KEYWORD_CHARS), None)
    if long is not None:
        raise ShapeError(f"keep each keyword under {MAX_KEYWORD_CHARS} characters")
    return words


@dataclass(frozen=True, slots=True)
class TitleFilter:
    """Announce only titles holding one of `include` (when given), and none of `exclude`."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def parse(cls, include: str | None, exclude: str | None) -> TitleFilter:
        return cls(parse_keywords(include), parse_keywords(exclude))

    def allows(self, title: str) -> bool:
        # Padded with spaces: "ad" matches the word "ad", not "lad" or "adventure".
        folded = f" {fold(title)} "
        if self.include and not any(f" {k} " in folded for k in self.include):
            return False
        return not any(f" {k} " in folded for k in self.exclude)

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)
