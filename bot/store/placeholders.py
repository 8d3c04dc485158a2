"""The store's SQL is written once, with `?` placeholders (SQLite's style); psycopg wants `%s`.

Translated once per statement text and remembered: the store runs a few dozen distinct statements. A `?`
inside a string literal, a quoted name or a comment is left alone, and every `%` is doubled, since psycopg
reads `%` as the start of a placeholder anywhere in a statement that has parameters.
"""

from __future__ import annotations

import functools
import re

# A literal, a quoted identifier, a line comment, or a placeholder (in that order of precedence).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?")


@functools.lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """`sql` with each `?` placeholder as `%s` and each `%` as `%%`."""
    escaped = sql.replace("%", "%%")
    return _TOKEN.sub(lambda m: "%s" if m.group() == "?" else m.group(), escaped)
