"""Quote search: from what a listener typed to bounded FTS5 queries, ranked exact-phrase first.

A listener remembers a line loosely: the case, the word form ("containers"), whether a word was written
joined or split ("webcontainer" / "web container"), one word misspelt. The plan is built against the
transcript vocabulary (porter stems, from the store) and every word is quoted, so no user text is ever
read as FTS5 syntax. Synchronous: `bot.search.Search` runs it in a worker thread.
"""

from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.search.results import QuoteHit
from bot.store.lookup import fts_expression
from bot.store.transcripts import MARK_CLOSE, MARK_OPEN
from bot.text import fold

if TYPE_CHECKING:
    from bot.store.stems import Stemmer
    from bot.store.transcripts import Match, SegmentContext, TranscriptReader

# Words of a query that are planned; the rest of a pasted paragraph adds cost, not precision.
MAX_WORDS = 32
# Longer "words" (a pasted hash, a keyboard mash) are searched as they are, never split or corrected.
MAX_WORD = 24
# Words that may be corrected in one query: the "one misspelt word", with one to spare.
MAX_CORRECTIONS = 2
# bm25 ranking costs time in proportion to the match set: rank only sets known to be this small.
RANK_CAP = 2000
# Words of the neighbouring segments shown around a hit.
CONTEXT_WORDS = 12
# Hits ordered per query, and so the deepest a caller can page (offset + limit).
WINDOW = 100
MAX_LIMIT = 50
# Scores: a literal exact phrase 100, the phrase in other word forms 90, all the words 50–80 (by bm25).
EXACT_SCORE, PHRASE_SCORE = 100.0, 90.0

_QUOTED = re.compile(r'"([^"]*)"')
_EDIT_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(slots=True)
class Unit:
    """One thing every hit must contain: any of the alternatives (a word, or a phrase of words)."""

    alternatives: list[str]
    # The words as typed (folded), for the exact-phrase check.
    words: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    units: list[Unit]
    # The typed words in order, unless the user quoted phrases: hits with these words as typed, in this
    # order, rank first.
    phrase: list[str]
    # Phrases the user wrapped in double quotes: hits must contain them.
    quoted: list[list[str]]

    @property
    def expression(self) -> str:
        return fts_expression([u.alternatives for u in self.units])


def split_query(query: str) -> tuple[list[list[str]], list[str]]:
    """Phrases in balanced double quotes, and the remaining words (all folded). An unbalanced quote is
    just punctuation."""
    quoted = [fold(m).split() for m in _QUOTED.findall(query)]
    rest = _QUOTED.sub(" ", query)
    return [q for q in quoted if q], fold(rest.replace('"', " ")).split()


def edits1(term: str) -> set[str]:
    """Every string one edit away (delete, swap neighbours, replace, insert) over the index's alphabet."""
    splits = [(term[:i], term[i:]) for i in range(len(term) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _EDIT_ALPHABET}
    out |= {a + c + b for a, b in splits for c in _EDIT_ALPHABET}
    out.discard(term)
    return out


def _splits(word: str) -> list[tuple[str, str]]:
    # Halves of at least three letters: "web container", not "w ebcontainer". Longer strings are not
    # words that someone wrote joined, and would cost a probe per split.
    if not 6 <= len(word) <= MAX_WORD:
        return []
    return [(word[:i], word[i:]) for i in range(3, len(word) - 2)]


def plan(query: str, reader: TranscriptReader, stemmer: Stemmer) -> Plan | None:
    """The units a hit must match; None when some word cannot match anything (an honest "nothing")."""
    quoted, words = split_query(query)
    words = words[:MAX_WORDS]
    quoted = [q[:MAX_WORDS] for q in quoted[:4]]
    # Which of these the transcripts contain, asked in one go: the words, each adjacent pair written
    # joined, and each word split in two. FTS5 stems each one as it stems the transcripts.
    joined = [a + b for a, b in itertools.pairwise(words)]
    halves = [h for w in words for pair in _splits(w) for h in pair]
    present = reader.present([*words, *joined, *halves])

    units: list[Unit] = [Unit([" ".join(q)], q) for q in quoted]
    corrections = 0
    i = 0
    while i < len(words):
        word = words[i]
        # A pair the transcript writes as one word: "web container" also finds "WebContainer".
        if i + 1 < len(words) and joined[i] in present:
            pair = f"{word} {words[i + 1]}"
            units.append(Unit([pair, joined[i]], [word, words[i + 1]]))
            i += 2
            continue
        alternatives = [word] if word in present else []
        # A word the transcript writes as two: "webcontainer" also finds "web container".
        alternatives += [f"{a} {b}" for a, b in _splits(word) if a in present and b in present]
        if not alternatives:
            [terms] = stemmer.terms([word])
            if not terms:
                # Not a word the index can hold (an emoji, a symbol): there is nothing to require.
                i += 1
                continue
            corrections += 1
            fixed = None
            if corrections <= MAX_CORRECTIONS and len(terms) == 1:
                fixed = _correct(terms[0], reader, stemmer)
            if fixed is None:
                return None
            # The corrected word may be written split too: "webcontaner" -> "webcontain" -> "web contain".
            halves_present = reader.present([h for pair in _splits(fixed) for h in pair])
            alternatives = [fixed, *(f"{a} {b}" for a, b in _splits(fixed) if {a, b} <= halves_present)]
        units.append(Unit(alternatives, [word]))
        i += 1
    if not units:
        return None
    # Even one word has an exact form: "surgeons" as typed ranks before "surgeon".
    phrase = words if not quoted else []
    return Plan(units, phrase, quoted)


def _correct(term: str, reader: TranscriptReader, stemmer: Stemmer) -> str | None:
    """The most used index term one edit from `term` (a porter stem), as a word the query can carry: a
    stem that the stemmer leaves as it is, so that FTS5 looks up exactly that term."""
    if not 4 <= len(term) <= MAX_WORD:
        return None
    candidates = reader.term_docs(sorted(edits1(term)))
    for candidate, _ in sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0])):
        if stemmer.terms([candidate]) == [[candidate]]:
            return candidate
    return None


def _phrase_expression(words: list[str]) -> str:
    return fts_expression([[" ".join(words)]])


def _bounded_find(
    reader: TranscriptReader, expression: str, *, limit: int, within: tuple[int, int] | None
) -> list[Match]:
    # Rank by bm25 only when the match set is small; otherwise newest first, which stops after `limit`.
    ranked = reader.count(expression, cap=RANK_CAP + 1, within=within) <= RANK_CAP
    return reader.find(expression, limit=limit, ranked=ranked, within=within)


def search(
    query: str,
    reader: TranscriptReader,
    stemmer: Stemmer,
    *,
    episode_id: int | None = None,
    limit: int = 5,
    offset: int = 0,
) -> list[QuoteHit]:
    offset = max(0, offset)
    limit = max(0, min(limit, MAX_LIMIT, WINDOW - offset))
    if not limit:
        return []
    within = None
    if episode_id is not None:
        within = reader.episode_range(episode_id)
        if within is None:
            return []
    found = plan(query, reader, stemmer)
    if found is None:
        return []
    # Hits are ordered in tiers (literal phrase, phrase in other word forms, all the words) that SQL
    # cannot tell apart, so a fixed window of them is fetched and ordered here: every page of results
    # is a slice of the same ordering.
    window = WINDOW
    stages: list[tuple[str, bool]] = []
    if len(found.phrase) > 1:
        stages.append((_phrase_expression(found.phrase), True))
    stages.append((found.expression, bool(found.quoted)))
    matches: dict[int, tuple[Match, bool]] = {}
    for expression, is_phrase in stages:
        if len(matches) >= window:
            break
        for match in _bounded_find(reader, expression, limit=window, within=within):
            if len(matches) < window:
                matches.setdefault(match.segment_id, (match, is_phrase))
    phrases = found.quoted or ([found.phrase] if found.phrase else [])
    tiered = []
    for match, is_phrase in matches.values():
        text, spans = _unmark(match.marked)
        exact = bool(phrases) and all(_contains_phrase(text, p) for p in phrases)
        tiered.append((0 if exact else 1 if is_phrase else 2, match, text, spans, exact))
    # sort() is stable: within a tier, the order found (bm25 when the match set was small enough).
    tiered.sort(key=lambda t: t[0])
    page = tiered[offset : offset + limit]
    contexts = reader.contexts([t[1].segment_id for t in page])
    return [
        _hit(match, contexts[match.segment_id], text, spans, tier=tier)
        for tier, match, text, spans, _ in page
        if match.segment_id in contexts
    ]


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    start = 0
    for part in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", marked):
        if part == MARK_OPEN:
            start = at
        elif part == MARK_CLOSE:
            if at > start:
                spans.append((start, at))
        else:
            text.append(part)
            at += len(part)
    return "".join(text), tuple(spans)


def _contains_phrase(text: str, words: list[str]) -> bool:
    return f" {' '.join(words)} " in f" {fold(text)} "


def _hit(
    match: Match, ctx: SegmentContext, text: str, spans: tuple[tuple[int, int], ...], *, tier: int
) -> QuoteHit:
    if text != ctx.text:
        # highlight() reads the content table, so they agree; if not, show the text unmarked.
        text, spans = ctx.text, ()
    if tier == 0:
        score = EXACT_SCORE
    elif tier == 1:
        score = PHRASE_SCORE
    else:
        # bm25 is negative (more negative is better) when ranked; unranked hits share one score.
        score = 50.0 + min(30.0, -match.rank)
    before = " ".join((ctx.previous or "").split()[-CONTEXT_WORDS:])
    after = " ".join((ctx.next or "").split()[:CONTEXT_WORDS])
    return QuoteHit(
        episode_id=ctx.episode_id,
        episode_title=ctx.episode_title,
        speaker=ctx.speaker,
        start_s=ctx.start_s,
        text=text,
        highlights=spans,
        before=before,
        after=after,
        score=round(score, 2),
        exact=tier == 0,
    )
