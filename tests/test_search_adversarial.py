"""Every string a user can type is a valid query: results or an honest nothing, never an exception."""

from __future__ import annotations

import pytest

from bot.scope import Scope
from bot.search import EmptyQuery, Search

# The whole store: these tests ask about the catalogue itself, not as one server sees it.
EVERYWHERE = Scope.everything()

ADVERSARIAL = [
    "AND",
    "OR",
    "NOT",
    "and or not",
    "NEAR(",
    "NEAR(a b",
    "NEAR(web container, 5)",
    "*",
    "web*",
    "-",
    "-bolt",
    "bolt -windsurf",
    ":",
    "text:webcontainer",
    "segments_fts:bolt",
    "^",
    "^bolt",
    '"',
    '""',
    '"""',
    '"unbalanced phrase',
    'web "container',
    '"web container"',
    "'single quotes'",
    "don't",
    "isn't that the dream",
    "self-driving",
    "c++",
    "C#",
    "9:30",
    "1:06:35",
    "$40,000",
    ">$8m ARR",
    "100%",
    "🎉",
    "🔥 bolt 🔥",
    "👨‍👩‍👧‍👦",
    "日本語",
    "Ünïcödé ñ",
    "\u200b",
    "\x00",
    "a\x00b",
    "\\",
    "\\\\x00",
    "(",
    ")",
    "()",
    "{}[]<>",
    "?!.,;",
    "...",
    "@everyone",
    "<@123456789>",
    "' OR 1=1 --",
    "'; DROP TABLE segments; --",
    "%",
    "_",
    "x" * 1000,
    "webcontainer " * 120,
    ("bolt windsurf claude " * 60)[:1000],
    "a",
    "I",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
]


@pytest.mark.parametrize("query", ADVERSARIAL)
async def test_any_typed_string_gets_results_or_nothing(search: Search, query: str) -> None:
    for method in (search.episodes, search.people, search.quotes, search.search_chapters):
        result = await method(query, scope=EVERYWHERE)
        assert isinstance(result, list)
    for suggest in (search.suggest_episodes, search.suggest_people):
        suggestions = await suggest(query, scope=EVERYWHERE)
        assert isinstance(suggestions, list)
        assert all(1 <= len(s.label) <= 100 and 1 <= len(s.value) <= 100 for s in suggestions)
    chapters = await search.chapters(query, scope=EVERYWHERE)
    assert chapters is None or isinstance(chapters[1], list)
    resolved = await search.resolve_episode(query, scope=EVERYWHERE)
    assert resolved is None or resolved.score > 0


def test_the_adversarial_list_is_long_enough() -> None:
    assert len(set(ADVERSARIAL)) >= 40


@pytest.mark.parametrize("query", ["", " ", "\t", "\n\n", "   \u3000 "])
async def test_only_empty_or_whitespace_is_refused(search: Search, query: str) -> None:
    for method in (search.episodes, search.people, search.quotes, search.search_chapters, search.chapters):
        with pytest.raises(EmptyQuery):
            await method(query, scope=EVERYWHERE)
    # Autocomplete is never refused: nothing typed yet is the normal start.
    assert len(await search.suggest_episodes(query, scope=EVERYWHERE)) == 7


async def test_fts_syntax_is_searched_as_words(search: Search) -> None:
    # "and" is a word here, not an operator: the Bolt transcript has "no servers at all" and
    # "fixes its own errors", not "AND" as syntax.
    hits = await search.quotes("AND", scope=EVERYWHERE)
    assert all("and" in h.text.lower() for h in hits)
    assert [h.start_s for h in await search.quotes("isn't that the dream", scope=EVERYWHERE)] == [150]
    assert [h.start_s for h in await search.quotes('"node.js"', scope=EVERYWHERE)] == [90]
