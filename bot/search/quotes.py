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
from typing import TYPE_CHECKING, NamedTuple

from bot.models import time_at
from bot.search.results import QuoteHit
from bot.store.index_reads import fts_expression
from bot.store.pairs import pair_terms
from bot.store.transcripts import MARK_CLOSE, MARK_OPEN, Match, Within
from bot.text import fold

if TYPE_CHECKING:
    from bot.store.stems import Stemmer
    from bot.store.transcripts import SegmentContext, TranscriptReader

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
# The longest a walk over common words may take. Past it the query keeps what it found.
STAGE_BUDGET_S = 0.1
# Texts read first while ordering a ranked match set: most pages are settled by them.
TEXT_BATCH = 16
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
    # A word of a quoted phrase: required so that candidates can be found, but only the phrase is shown.
    quoted: bool = False

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
    quoted_words = [w for q in quoted for w in q]
    # With how common each word is (the plan asks below; the units' sizes reuse the counts): a count
    # says whether the word occurs too, so that one statement answers both. The halves of every word
    # that may be written split are probed where it turns out not common (or found nowhere), rather
    # than a statement per word below: the reader asks them with the rest where it can tell in advance
    # (PostgreSQL's statistics), else in a statement of their own once the counts are in.
    split_halves = {w: [h for pair in _splits(w) for h in pair] for w in words if _splits(w)}
    reader.survey(words, [*joined, *quoted_words], cap=COMMON, if_uncommon=split_halves)
    present = reader.present([*words, *joined, *quoted_words])
    splittable = [w for w in split_halves if w not in present or not _common(w, reader)]
    stemmer.terms(splittable)

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
            units.append(Unit([word], [word], quoted=True))
    corrections = 0
    i = 0
    while i < len(words):
        word = words[i]
        # A pair the transcript writes as one word: "web container" also finds "WebContainer". Not two
        # common words ("how are", though someone once wrote "howare"): as a phrase they cost the most
        # to count and rank (bm25 walks each phrase through the whole index) and they name nothing.
        if (
            i + 1 < len(words)
            and joined[i]
            and joined[i] in present
            and not (_common(word, reader) and _common(words[i + 1], reader))
        ):
            pair = f"{word} {words[i + 1]}"
            units.append(Unit([pair, joined[i]], [word, words[i + 1]]))
            i += 2
            continue
        alternatives = [word] if word in present else []
        # A word the transcript writes as two: "webcontainer" also finds "web container". Not for a
        # common word ("someone" is not "some one"): that phrase costs the most and finds the least.
        # Its halves are looked up only then (a probe each). A first half that is the word's own stem
        # is no split ("elaborate" is not "elabor ate"): it is only found because the word is.
        if _splits(word) and (not alternatives or not _common(word, reader)):
            halves = reader.present([h for pair in _splits(word) for h in pair])
            [stem] = stemmer.terms([word])
            alternatives += [
                f"{a} {b}" for a, b in _splits(word) if a in halves and b in halves and stem != [a]
            ]
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


def _common(word: str, reader: TranscriptReader) -> bool:
    return reader.count(_quoted(word), cap=COMMON) >= COMMON


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
    show_ids: frozenset[int] | None = None,
    episode_id: int | None = None,
    limit: int = 5,
    offset: int = 0,
) -> list[QuoteHit]:
    """Segments for a remembered line, best first, from the shows `show_ids` (every show for None) or
    from one episode of theirs."""
    offset = max(0, offset)
    limit = max(0, min(limit, MAX_LIMIT, CANDIDATES - offset))
    if not limit:
        return []
    reader.fresh()
    within = None
    if episode_id is not None:
        show = reader.episode_show(episode_id)
        if show is None or (show_ids is not None and show not in show_ids):
            return []
        episode_range = reader.episode_range(episode_id)
        if episode_range is None:
            return []
        within = Within(episode_range=episode_range)
    elif show_ids is not None:
        span = reader.show_span(sorted(show_ids))
        if span is None:
            return []  # no transcript in these shows at all
        within = Within(show_ids=tuple(sorted(show_ids)), show_span=span)
    found = plan(query, reader, stemmer)
    if found is None:
        return []
    # Find candidates through the words that narrow the search; common ones only cost time there.
    sizes = reader.counts([u.expression for u in found.units], cap=COMMON, within=within)
    if not all(sizes):
        return []
    driving = [u for u, n in zip(found.units, sizes, strict=True) if n < COMMON]
    if driving:
        expression = fts_expression([u.alternatives for u in driving])
        # One unit: its count is already known exactly (it is under COMMON). Several: no more match than
        # the rarest of them, so when that is small enough to rank the count is skipped (ranking it
        # with that limit returns every match all the same).
        fewest = min(n for n in sizes if n < COMMON)
        matching = (
            fewest
            if len(driving) == 1 or fewest <= RANK_CAP
            else reader.count(expression, cap=RANK_CAP + 1, within=within)
        )
        ranked = matching <= RANK_CAP
    else:
        # Only common words: every one must be walked, and bm25 over their position lists is the most
        # expensive query there is; newest first stops after CANDIDATES hits. How many match is unknown
        # (counting them would be the walk itself): as many as can never be fetched whole.
        expression = fts_expression([u.alternatives for u in found.units])
        matching, ranked = RANK_CAP + 1, False
    # Hits are ordered tier by tier (see Tiers): the words as typed first. A small match set is ranked
    # (bm25) within each tier; a larger one comes newest first, cut at CANDIDATES.
    tiers = Tiers(found)
    phrases = [p for p in (found.quoted or [found.phrase]) if len(p) > 1]
    settled = offset + limit
    if ranked:
        ordered = _best_first(reader, tiers, expression, phrases, max(CANDIDATES, matching), within, settled)
    else:
        ordered = _newest_first(reader, tiers, expression, phrases, bool(driving), within, settled)
    ordered = _literal_first(reader, ordered, query)
    contexts = reader.contexts([p.segment_id for p in ordered[offset : offset + limit]])
    page = [p for p in ordered[offset : offset + limit] if p.segment_id in contexts]
    if not page:
        return []
    # Mark every query word wherever it occurs in the shown segments; the phrase too, so that where the
    # words stand together they are marked as one span. A quoted phrase is marked only where it stands
    # whole: its words elsewhere ("a", "the") are not what was asked for.
    shown = [" ".join(q) for q in found.quoted] if found.quoted else [" ".join(p) for p in phrases]
    expression = fts_expression([shown + [a for u in found.units if not u.quoted for a in u.alternatives]])
    texts = [contexts[p.segment_id].text for p in page]
    marks = stemmer.mark(expression, texts, MARK_OPEN, MARK_CLOSE)
    return [_hit(p, contexts[p.segment_id], marked) for p, marked in zip(page, marks, strict=True)]


def _literal_first(reader: TranscriptReader, ordered: list[Placed], query: str) -> list[Placed]:
    """Within the first tier, the hits that hold the query character for character come first, when
    folding dropped something from it that tells hits apart: `c++` is the word "c" to the index, which
    "Plan C" holds too; `$40,000` is "40 000". Costs a read of the first tier's texts, only for such
    queries."""
    literal = " ".join(query.replace('"', " ").split()).casefold()
    if not any(not (c.isalnum() or c.isspace()) for c in literal):
        return ordered
    top = [p for p in ordered if p.tier == 0]
    if len(top) < 2:
        return ordered
    texts = reader.texts([p.segment_id for p in top])
    holds = {p.segment_id for p in top if literal in " ".join(texts.get(p.segment_id, "").split()).casefold()}
    if not holds or len(holds) == len(top):
        return ordered
    first = [p for p in top if p.segment_id in holds]
    return first + [p for p in ordered if p.segment_id not in holds]


class Placed(NamedTuple):
    """A hit's place in the ordering: its tier, then (within the tier) the order of the list."""

    tier: int
    segment_id: int
    # bm25 (lower is better) when the match set was ranked, else 0.
    rank: float


def _pair_hits(
    reader: TranscriptReader,
    tiers: Tiers,
    phrases: list[list[str]],
    limit: int,
    within: Within | None,
) -> list[Placed]:
    """Newest first, the segments with every word pair of the phrases, found through the word-pair index
    (no common word's position list is read) and tiered on their text: the exact phrase hits, and a few
    that hold the same pairs apart."""
    if not phrases:
        return []
    # Pairs of two common words are the costly ones to intersect in the index (see
    # bot.store.transcripts.PAIRS_CHECKED); how common each word is, is mostly remembered from the plan.
    words = list(dict.fromkeys(w for p in phrases for w in p))
    counts = reader.counts([_quoted(w) for w in words], cap=COMMON)
    common = {w for w, n in zip(words, counts, strict=True) if n >= COMMON}
    costly = [pair_terms([a, b])[0] for p in phrases for a, b in itertools.pairwise(p) if {a, b} <= common]
    placed = []
    for match in reader.find_phrases(phrases, limit=limit, within=within, costly=costly):
        tier = tiers.of(match.text)
        if tier is not None:
            placed.append(Placed(tier, match.segment_id, 0.0))
    return placed


def _best_first(
    reader: TranscriptReader,
    tiers: Tiers,
    expression: str,
    phrases: list[list[str]],
    limit: int,
    within: Within | None,
    settled: int,
) -> list[Placed]:
    """Every match of a small set, tier by tier, bm25 within a tier.

    A phrase's matches are all read with their texts and tiered on them: its page is seldom settled by
    the first few (few of the segments with its rare words hold its common ones too), and with every
    text read the exact hits need no lookup in the pair index (a seek per pair into each of its
    segments, about 1 ms at 50M words). A single word's ranking needs no text; its texts are read best
    first, and only until the page is settled: tiers 0 and 1 are then one test, and a hit further down
    the ranking can only come later in its tier."""
    if tiers.pairs_find_all:
        # Every hit holds the quoted phrases, which the pair index lists whole: no text needs reading.
        ranking = reader.ranked(expression, limit=limit, within=within)
        exact = {p.segment_id for p in _pair_hits(reader, tiers, phrases, limit, within) if p.tier == 0}
        return [Placed(0, segment_id, rank) for segment_id, rank in ranking if segment_id in exact]
    placed: list[Placed] = []
    if phrases:
        for match in reader.ranked_texts(expression, limit=limit, within=within):
            tier = tiers.of(match.text)
            if tier is not None:
                placed.append(Placed(tier, match.segment_id, match.rank))
    else:
        ranking = reader.ranked(expression, limit=limit, within=within)
        rank = dict(ranking)
        ranked = [segment_id for segment_id, _ in ranking]
        good = 0
        # The first few texts settle most pages; past them, the rest in one read.
        for batch in (ranked[:TEXT_BATCH], ranked[TEXT_BATCH:]):
            if good >= settled or not batch:
                break
            texts = reader.texts(batch)
            for segment_id in batch:
                if segment_id in texts:  # else removed since the ranking was read
                    tier = tiers.of(texts[segment_id])
                    if tier is not None:
                        placed.append(Placed(tier, segment_id, rank[segment_id]))
                        good += tier <= 1
    # sort() is stable: bm25 order within each tier.
    placed.sort(key=lambda p: p.tier)
    return placed


def _newest_first(
    reader: TranscriptReader,
    tiers: Tiers,
    expression: str,
    phrases: list[list[str]],
    driven: bool,
    within: Within | None,
    settled: int,
) -> list[Placed]:
    """A large match set: the exact phrase hits first (they must not be lost among newer hits that merely
    share the words), then the newest matches, tier by tier. The walk stops once the page is settled:
    every match it has not reached is older than those it has, so it could only come after them.

    When every word is common and the phrase was found as typed, there is no walk: it would look for
    segments that merely hold the same common words somewhere (not what a listener quoting a line wants),
    and cost 20–80 ms at 50M words."""
    placed = _pair_hits(reader, tiers, phrases, CANDIDATES, within)
    seen = {p.segment_id for p in placed}
    good = sum(p.tier <= 1 for p in placed)

    def keep(match: Match) -> bool:
        nonlocal good
        if match.segment_id not in seen:
            seen.add(match.segment_id)
            tier = tiers.of(match.text)
            if tier is not None:
                placed.append(Placed(tier, match.segment_id, 0.0))
                good += tier <= 1
        return good >= settled

    found_as_typed = any(p.tier == 0 for p in placed)
    if good < settled and not tiers.pairs_find_all and (driven or not found_as_typed):
        # A walk over common words is bounded in time, and keeps what it found.
        reader.newest(expression, limit=CANDIDATES, within=within, budget_s=STAGE_BUDGET_S, until=keep)
    # sort() is stable: within a tier, the hits found through the pairs lead, then newest first.
    placed.sort(key=lambda p: p.tier)
    return placed


class Tiers:
    """Where a candidate ranks, from its text: 0 the words as typed, in order (or every quoted phrase);
    1 every typed word; 2 the rest (a common word missing or in another form). None: it lacks a quoted
    phrase, which hits must contain."""

    def __init__(self, found: Plan) -> None:
        phrases = found.quoted or ([found.phrase] if found.phrase else [])
        # Padded with spaces, so that a substring test on the padded folded text is a test of whole
        # words: one C-level scan each instead of a set of the text's words.
        self._phrases = [f" {' '.join(p)} " for p in phrases]
        typed = list(dict.fromkeys(w for u in found.units for w in u.words))
        self._typed = [f" {w} " for w in typed]
        self._required = bool(found.quoted)
        # Words every hit of tier 0 or 1 has (the quoted ones when quotes are required, else the typed
        # ones, which the phrase includes): an ASCII text that lacks one, in any case, is tier 2 for sure.
        self._needed = list(dict.fromkeys(w for q in found.quoted for w in q)) if found.quoted else typed
        # Every hit must hold quoted phrases of two words or more: the pair index lists them all (it is
        # complete: the triggers index every segment), so nothing else needs to be read.
        self.pairs_find_all = self._required and all(len(q) > 1 for q in found.quoted)

    def of(self, text: str) -> int | None:
        # Most texts of a large match set are ruled out without folding them (a tenth of the cost): ASCII
        # text folds to its lowercase letters and digits, so a word absent from its lowercase is absent.
        if text.isascii():
            lowered = text.lower()
            if not all(w in lowered for w in self._needed):
                return None if self._required else 2
        folded = f" {fold(text)} "
        exact = bool(self._phrases) and all(p in folded for p in self._phrases)
        if exact:
            return 0
        if self._required:
            return None
        return 1 if all(w in folded for w in self._typed) else 2


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


def _moment(ctx: SegmentContext, text: str, spans: tuple[tuple[int, int], ...]) -> int:
    """When the hit is said: the start of the cue holding its first matched word.

    The matched words are the widest marked span (the phrase, which is marked as one span where its
    words stand together), the first of equals; a lone stray "the" earlier in the segment is not it.
    """
    if not ctx.cues or not spans:
        return ctx.start_s
    widest = max(spans, key=lambda span: (len(text[span[0] : span[1]].split()), -span[0]))
    return time_at(ctx.start_s, ctx.cues, widest[0])


def _hit(placed: Placed, ctx: SegmentContext, marked: str | None) -> QuoteHit:
    text, spans = _unmark(marked) if marked else (ctx.text, ())
    if text != ctx.text:
        # The marks were made on this very text; if unmarking ever disagrees, show it unmarked.
        text, spans = ctx.text, ()
    tier = placed.tier
    if tier == 0:
        score = EXACT_SCORE
    elif tier == 1:
        # bm25 is negative (more negative is better) when ranked; unranked hits share one score.
        score = ALL_WORDS_SCORE + min(30.0, -placed.rank)
    else:
        score = PARTIAL_SCORE
    before = " ".join((ctx.previous or "").split()[-CONTEXT_WORDS:])
    after = " ".join((ctx.next or "").split()[:CONTEXT_WORDS])
    return QuoteHit(
        episode_id=ctx.episode_id,
        episode_title=ctx.episode_title,
        speaker=ctx.speaker,
        start_s=_moment(ctx, text, spans),
        text=text,
        highlights=spans,
        before=before,
        after=after,
        score=round(score, 2),
        exact=tier == 0,
        show_id=ctx.show_id,
        show_title=ctx.show_title,
    )
