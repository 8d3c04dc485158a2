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
RANK_CAP = 300
# A word in more segments than this ("the", "and", "you"; 3,000 is 0.4% of a 50M-word store) is not used
# to find candidates: walking its doclist is what makes a query slow at scale, and it says little about
# which line is meant. Hits are still checked for it, and rank lower without it.
COMMON = 3_000
# Candidates fetched and ordered per query; pages are slices of this ordering (offset + limit <= it).
CANDIDATES = 100
MAX_LIMIT = 50
# The longest a walk over common words may take, per stage (two stages: phrase, all the words). Past it
# the query keeps what it found: no quote search takes much over 2 x this.
STAGE_BUDGET_S = 0.1
# Words of the neighbouring segments shown around a hit.
CONTEXT_WORDS = 12
# Scores: the words as typed, in order, 100; all of them 50–80 (by bm25); some common word missing 40.
EXACT_SCORE, ALL_WORDS_SCORE, PARTIAL_SCORE = 100.0, 50.0, 40.0

_QUOTED = re.compile(r'"([^"]*)"')
_EDIT_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(slots=True)
class Unit:
    """One thing every hit must contain: any of the alternatives (a word, or a phrase of words)."""

    alternatives: list[str]
    # The words as typed (folded): a hit that has them all, as words, ranks above one that has a form.
    words: list[str] = field(default_factory=list)

    @property
    def expression(self) -> str:
        return fts_expression([self.alternatives])


@dataclass(slots=True)
class Plan:
    units: list[Unit]
    # The typed words in order, unless the user quoted phrases: hits with these words as typed, in this
    # order, rank first.
    phrase: list[str]
    # Phrases the user wrapped in double quotes: hits must contain them, exactly.
    quoted: list[list[str]]


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
    # Only words of three letters or more are joined: "in we" is never "inwe", and a phrase of two very
    # common words is the costliest thing to look up.
    joined = [a + b if len(a) > 2 and len(b) > 2 else "" for a, b in itertools.pairwise(words)]
    halves = [h for w in words for pair in _splits(w) for h in pair]
    present = reader.present([*words, *joined, *halves, *(w for q in quoted for w in q)])

    # Quoted words are required as they are (no corrections); the phrase itself is checked on the text,
    # which is cheaper than an FTS5 phrase over common words' position lists.
    units: list[Unit] = []
    for phrase_words in quoted:
        for word in dict.fromkeys(phrase_words):
            if word not in present:
                [terms] = stemmer.terms([word])
                if terms:
                    return None
                continue
            units.append(Unit([word], [word]))
    corrections = 0
    i = 0
    while i < len(words):
        word = words[i]
        # A pair the transcript writes as one word: "web container" also finds "WebContainer".
        if i + 1 < len(words) and joined[i] and joined[i] in present:
            pair = f"{word} {words[i + 1]}"
            units.append(Unit([pair, joined[i]], [word, words[i + 1]]))
            i += 2
            continue
        alternatives = [word] if word in present else []
        # A word the transcript writes as two: "webcontainer" also finds "web container". Not for a
        # common word ("someone" is not "some one"): that phrase costs the most and finds the least.
        splits = [f"{a} {b}" for a, b in _splits(word) if a in present and b in present]
        if splits and (not alternatives or reader.count(_quoted(word), cap=COMMON) < COMMON):
            alternatives += splits
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


def _quoted(word: str) -> str:
    return fts_expression([[word]])


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
    limit = max(0, min(limit, MAX_LIMIT, CANDIDATES - offset))
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
    # Find candidates through the words that narrow the search; common ones only cost time there.
    sizes = [reader.count(u.expression, cap=COMMON, within=within) for u in found.units]
    if not all(sizes):
        return []
    driving = [u for u, n in zip(found.units, sizes, strict=True) if n < COMMON]
    if driving:
        expression = fts_expression([u.alternatives for u in driving])
        # One unit: its count is already known exactly (it is under COMMON).
        matching = (
            min(sizes) if len(driving) == 1 else reader.count(expression, cap=RANK_CAP + 1, within=within)
        )
        ranked = matching <= RANK_CAP
    else:
        # Only common words: every one must be walked, and bm25 over their position lists is the most
        # expensive query there is; newest first stops after CANDIDATES hits.
        expression = fts_expression([u.alternatives for u in found.units])
        matching, ranked = CANDIDATES + 1, False
    # A small match set is fetched whole (the exact phrase is then surely among it); a larger one is
    # cut at CANDIDATES, after the phrase hits are fetched on their own.
    fetch = max(CANDIDATES, matching) if matching <= RANK_CAP else CANDIDATES
    candidates = []
    phrases = [p for p in (found.quoted or [found.phrase]) if len(p) > 1]
    if phrases and matching > fetch:
        # The candidates will not hold every hit, so fetch the phrase hits first: an exact phrase is
        # what the listener remembers, and must not be lost among newer hits that merely share words.
        candidates = reader.find(
            fts_expression([[" ".join(p)] for p in phrases]),
            limit=CANDIDATES,
            ranked=False,
            within=within,
            budget_s=STAGE_BUDGET_S,
        )
    seen = {m.segment_id for m in candidates}
    budget = None if ranked else STAGE_BUDGET_S
    more = reader.find(expression, limit=fetch, ranked=ranked, within=within, budget_s=budget)
    candidates += [m for m in more if m.segment_id not in seen]
    ordered = _order(candidates, found)
    page = ordered[offset : offset + limit]
    if not page:
        return []
    ids = [m.segment_id for _, m in page]
    # Mark every query word wherever it occurs in the shown segments; the phrase too, so that where the
    # words stand together they are marked as one span.
    expression = fts_expression(
        [[" ".join(p) for p in phrases] + [a for u in found.units for a in u.alternatives]]
    )
    marks = stemmer.mark(expression, [m.text for _, m in page], MARK_OPEN, MARK_CLOSE)
    contexts = reader.contexts(ids)
    return [
        _hit(match, contexts[match.segment_id], marked, tier)
        for (tier, match), marked in zip(page, marks, strict=True)
        if match.segment_id in contexts
    ]


def _order(candidates: list[Match], found: Plan) -> list[tuple[int, Match]]:
    """Tier each candidate: 0 the words as typed in order (or every quoted phrase), 1 every typed word, 2
    the rest (a common word missing or in another form). Quoted phrases are required. sort() is stable:
    within a tier, candidates keep their order (bm25 when the match set was small enough, else newest)."""
    phrases = found.quoted or ([found.phrase] if found.phrase else [])
    typed = {w for u in found.units for w in u.words}
    tiered = []
    for match in candidates:
        folded = f" {fold(match.text)} "
        exact = bool(phrases) and all(f" {' '.join(p)} " in folded for p in phrases)
        if found.quoted and not exact:
            continue
        tier = 0 if exact else 1 if typed <= set(folded.split()) else 2
        tiered.append((tier, match))
    tiered.sort(key=lambda t: t[0])
    return tiered


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


def _hit(match: Match, ctx: SegmentContext, marked: str | None, tier: int) -> QuoteHit:
    text, spans = _unmark(marked) if marked else (ctx.text, ())
    if text != ctx.text:
        # highlight() reads the content table, so they agree; if not, show the text unmarked.
        text, spans = ctx.text, ()
    if tier == 0:
        score = EXACT_SCORE
    elif tier == 1:
        # bm25 is negative (more negative is better) when ranked; unranked hits share one score.
        score = ALL_WORDS_SCORE + min(30.0, -match.rank)
    else:
        score = PARTIAL_SCORE
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
