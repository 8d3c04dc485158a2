"""Folding is what makes "Schlüntz", "SCHLUNTZ" and "schluntz!" one word: the fast paths must agree with
the definition (NFKD, combining marks dropped, casefolded, runs of non-word characters one space)."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from bot.text import fold, fold_many

_NON_WORD = re.compile(r"[\W_]+")


def reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Café  Déjà-Vu!", "cafe deja vu"),
        ("Erik Schlüntz", "erik schluntz"),
        ("Bolt.new, >$8m ARR", "bolt new 8m arr"),
        ("snake_case__name", "snake case name"),
        ("ﬁne ＡＩ", "fine ai"),
        ("日本語 テスト", "日本語 テスト"),
        ("🎉 party 🎉", "party"),
        ("", ""),
    ],
)
def test_fold_examples(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold_many([text, text]) == [folded, folded]


def test_fast_paths_agree_with_the_definition_on_random_text() -> None:
    rng = random.Random(7)
    code_points = [
        *range(0x20, 0x250),
        *range(0x300, 0x370),
        *range(0x370, 0x400),
        *range(0x2000, 0x2070),
        *range(0x3040, 0x3100),
        0x0A,
        0x0D,
        0x85,
        0x2028,
        0x5F,
        0xFF3F,
        0xFB01,
        0x093C,
        0x0E49,
        0x1E944,
        0x1D165,
        0x1F389,
        0x200D,
    ]
    alphabet = [chr(c) for c in code_points]
    for trial in range(2000):
        texts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 8))
        ]
        if trial % 3 == 0:
            texts = [t.encode("ascii", "ignore").decode() for t in texts]
        expected = [reference(t) for t in texts]
        assert [fold(t) for t in texts] == expected
        assert fold_many(texts) == expected
