"""The quote plan's expressions, as PostgreSQL tsqueries.

The plan (bot/search/quotes.py) speaks in the expressions `fts_expression()` writes: units joined by
AND, each a quoted phrase or a parenthesised OR of quoted phrases, every `"` inside a phrase doubled.
That small language is ours, so it is read back here rather than the plan being taught a second one:
each phrase becomes `podbot_phrase(%s)` (migration postgres/004: the index's own cleaning and stemmer,
`<->` between its words), ORs become `||` and ANDs `&&`. The user's words only ever travel as bound
parameters, never as SQL or tsquery syntax.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\()|(\))|(AND)|(OR)|(\s+)')


class ExpressionError(ValueError):
    """Not an expression `fts_expression()` writes (a bug in the caller, never user input)."""


def units(expression: str) -> list[list[str]]:
    """`fts_expression(units)` read back: the units (ANDed), each its alternatives (ORed)."""
    out: list[list[str]] = []
    current: list[str] | None = None
    at = 0
    while at < len(expression):
        m = _TOKEN.match(expression, at)
        if m is None:
            raise ExpressionError(f"unexpected {expression[at : at + 20]!r}")
        at = m.end()
        phrase, opening, closing, _and, _or, _space = m.groups()
        if phrase is not None:
            text = phrase.replace('""', '"')
            if current is not None:
                current.append(text)
            else:
                out.append([text])
        elif opening:
            current = []
        elif closing:
            if current is None:
                raise ExpressionError("unbalanced parenthesis")
            out.append(current)
            current = None
    if current is not None:
        raise ExpressionError("unbalanced parenthesis")
    return out


def tsquery(expression: str) -> tuple[str, list[str]]:
    """SQL that evaluates to the expression's tsquery, and its parameters (the phrases)."""
    parts: list[str] = []
    params: list[str] = []
    for alternatives in units(expression):
        ors = []
        for phrase in alternatives:
            ors.append("podbot_phrase(%s)")
            params.append(phrase)
        parts.append(ors[0] if len(ors) == 1 else "(" + " || ".join(ors) + ")")
    if not parts:
        raise ExpressionError("empty expression")
    return "(" + " && ".join(parts) + ")", params
