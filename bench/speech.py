"""Transcripts that talk like people: a word trigram model of the bundled transcripts, for bench stores.

Independent Zipf draws (bench.generate) give every word its frequency but no word its neighbours: "you
know", "I think", "sort of" are no more likely than "know you". Quote search is slowest on exactly those
lines (a phrase of common words, every word in a large share of the segments, pairs common too), so a
benchmark of it needs text whose *pairs* are as common as speech makes them.

The model: interpolated Kneser–Ney over three orders (absolute discount D, lower orders from continuation
counts), trained on the turns of the bundled page's transcripts, parsed by the project's own parser
(bot.ingest). Why this and not more: ~45k words of training text support trigrams, not more (most 4-word
contexts are seen once, so a 4-gram model replays the training text verbatim, and every "remembered line"
of a 50M-word store would then occur in every hundredth episode). Why Kneser–Ney's lower orders and not
raw counts: a lower order speaks where the higher one has nothing to say, so it must favour words that
follow anything ("the") over words that follow one word ("think", after "I"); with raw counts the mixture
said "i think" and "you know" twice as often per 1,000 words as the bundled text does (16.1 and 14.2
against 8.5 and 6.7), with continuation counts as often (8.2 and 7.2). The discount decides how often the
model leaves a seen context: with D = 0.9 a context seen once keeps its one continuation a tenth of the
time, so runs copied from the training text stay short. Measured (`overlap()`): of the generated 2/3/4/5-
grams, 64/28/8/2% occur in the training text, against 51/17/4/1% for a held-out third of the bundled
transcripts measured against the other two thirds; a model can only say pairs it has seen, so its pairs
are somewhat more concentrated than a real catalogue's. Sampling the interpolated distribution is done as
the mixture it is: keep the trigram stage with its own mass, else back off to the bigram stage, else draw
a unigram, each a bisect in precomputed cumulative weights: about 2 s of CPU per million words in plain
Python.

Tokens are words as spoken (case kept: "I", "Anthropic", "SWE-Bench"; contractions whole: "don't") and the
punctuation marks that shape speech (, . ? ! ; :), so that the model learns where sentences end and the
text reads like a transcript; a sentence's first word is modelled in its usual case and capitalised when
written out.

The long tail: three transcripts hold ~4k distinct words, where a real back catalogue of thousands of
hours has hundreds of thousands (guests' names, companies, jargon: Heaps' law), and those are what
listeners often search for. Words the training text uses only once or twice are mostly exactly such
names and terms ("Kodo", "Swebench"); when the model emits one, it is replaced (TAIL_SHARE of the time) by a
word of the Zipf generator's made-up long tail, mostly from a small pool of the episode's own terms (an
episode about a product names it again and again) and otherwise from the whole tail. That keeps a few
percent of the tokens rare, in the slots where speech has its rare words, and leaves the common phrasing
alone.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from bot.ingest.page import parse_page
from bot.ingest.segments import segment_turns
from bot.ingest.turns import TimedText, Turn

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from bot.models import Segment

# Absolute discount per order (see the module's doc).
DISCOUNT = 0.9
# Of the words the training text uses at most TAIL_MAX_COUNT times, the share replaced by long-tail words.
TAIL_MAX_COUNT = 2
TAIL_SHARE = 0.6
# Of those replacements, the share drawn from the episode's own pool of terms.
EPISODE_TERMS_SHARE = 0.7
EPISODE_TERMS = 40
# An hour of conversation.
EPISODE_WORDS = (15_000, 20_000)
# A turn ends at the first sentence end once it has its drawn length; a run-on stops this much later.
RUN_ON_WORDS = 25

_TOKEN = re.compile(r"[\w$€£%][\w$€£%'’.\-+]*[\w%+]|[\w$€£%]|[,.?!;:]")
_SENTENCE_END = frozenset(".?!")
_PUNCTUATION = frozenset(",.?!;:")
BOS = "<s>"


def tokens(text: str) -> list[str]:
    """Words and punctuation marks of speech. A word's trailing full stop is a sentence end ("done."), a
    dot inside it is part of it ("3.5", "Bolt.new")."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        while len(tok) > 1 and tok[-1] in ".-'’":
            tok = tok[:-1]
        # Styled letters (mathematical italics pasted into a transcript) are not how anyone speaks.
        if unicodedata.normalize("NFKC", tok) == tok:
            out.append(tok)
    return out


@dataclass(frozen=True, slots=True)
class TrainingTurn:
    host: bool
    tokens: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(t not in _PUNCTUATION for t in self.tokens)


@cache
def bundled_turns() -> tuple[TrainingTurn, ...]:
    """The speaker turns of the bundled page's transcripts, as the project's parser reads them (segments
    of one speaker in a row are one turn)."""
    text = resources.files("data").joinpath("latent-space.txt").read_text(encoding="utf-8")
    source = parse_page(text)
    hosts = set(source.show.hosts)
    turns: list[TrainingTurn] = []
    for episode in source.episodes:
        host_names = hosts | {p.name for p in episode.people if p.role.value == "host"}
        host_first = {n.split()[0].casefold() for n in host_names}
        for speaker, segments in itertools.groupby(episode.segments, key=lambda s: s.speaker):
            body = " ".join(s.text for s in segments)
            is_host = (speaker or "").split()[0].casefold() in host_first if speaker else False
            turns.append(TrainingTurn(is_host, tuple(tokens(body))))
    return tuple(turns)


def _table(counts: Counter[int], discount: float) -> tuple[float, list[int], list[float], float]:
    """One order's continuations of one context: (probability of keeping this stage, the continuations,
    their cumulative discounted counts, the last of those). A tuple: read in the innermost loop."""
    total = sum(counts.values())
    cum = list(itertools.accumulate(max(c - discount, 0.0) for c in counts.values()))
    return (cum[-1] / total if total else 0.0, list(counts), cum, cum[-1])


class Model:
    """Interpolated trigram model over speech tokens (see the module's doc)."""

    def __init__(
        self, turns: Sequence[TrainingTurn], discount: float = DISCOUNT, *, kneser_ney: bool = True
    ) -> None:
        self.turns = list(turns)
        # A sentence's first word in its usual case: "So" at a sentence start is "so"; "I" stays "I".
        mid_case: dict[str, Counter[str]] = defaultdict(Counter)
        for turn in turns:
            for prev, tok in itertools.pairwise((".", *turn.tokens)):
                if prev not in _SENTENCE_END and tok not in _PUNCTUATION:
                    mid_case[tok.casefold()][tok] += 1
        usual = {low: forms.most_common(1)[0][0] for low, forms in mid_case.items()}

        sequences: list[list[str]] = []
        for turn in turns:
            seq: list[str] = []
            prev = "."
            for tok in turn.tokens:
                if prev in _SENTENCE_END and tok not in _PUNCTUATION:
                    tok = usual.get(tok.casefold(), tok.casefold() if not tok.isupper() else tok)
                seq.append(tok)
                prev = tok
            sequences.append(seq)
        vocab = [BOS, *sorted({t for s in sequences for t in s})]
        self.vocab = vocab
        index = {t: i for i, t in enumerate(vocab)}
        self.index = index
        self.punctuation = frozenset(index[p] for p in _PUNCTUATION if p in index)
        self.sentence_end = frozenset(index[p] for p in _SENTENCE_END if p in index)

        uni: Counter[int] = Counter()
        bi: dict[int, Counter[int]] = defaultdict(Counter)
        tri: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
        for seq in sequences:
            ids = [0, 0, *(index[t] for t in seq)]
            for a, b, c in zip(ids, ids[1:], ids[2:], strict=False):
                uni[c] += 1
                bi[b][c] += 1
                tri[(a, b)][c] += 1
        self.unigram_counts = uni
        # Kneser–Ney's lower orders: how many distinct words a word follows, not how often it occurs. A
        # lower order is used where the higher one has no continuation, so it must favour words that
        # follow anything ("the") over those that follow one word ("think", after "I"); with raw counts
        # the mixture says "think" twice as often as the bundled text does.
        cont_bi: dict[int, Counter[int]] = defaultdict(Counter)
        for (_, b), nexts in tri.items():
            for c in nexts:
                cont_bi[b][c] += 1
        cont_uni: Counter[int] = Counter()
        for nexts in bi.values():
            cont_uni.update(nexts.keys())
        lower = cont_bi if kneser_ney else bi
        bottom = cont_uni if kneser_ney else uni
        self._uni_words = list(bottom)
        self._uni_cum = list(itertools.accumulate(bottom.values()))
        # Keyed by one int (a * size + b): a tuple key costs a hash of a new tuple per word.
        size = len(vocab)
        self._size = size
        self._bi = {k: _table(v, discount) for k, v in lower.items()}
        self._tri = {a * size + b: _table(v, discount) for (a, b), v in tri.items()}
        # Slots for the long tail: words (not punctuation) used at most TAIL_MAX_COUNT times.
        self.tail_slots = frozenset(
            i for i, c in uni.items() if c <= TAIL_MAX_COUNT and i not in self.punctuation and i != 0
        )
        self.host_turn_words = [t.words for t in turns if t.host and t.words] or [40]
        self.guest_turn_words = [t.words for t in turns if not t.host and t.words] or [60]

    def turn(self, rng: random.Random, words: int) -> list[int]:
        """Token ids of one turn of about `words` words, ending at a sentence end. The innermost loop of
        the generator: the three stages of the mixture inlined, names bound locally."""
        out: list[int] = []
        append = out.append
        r = rng.random
        bisect_right = bisect.bisect_right
        tri_get, bi_get, size = self._tri.get, self._bi.get, self._size
        uni_words, uni_cum = self._uni_words, self._uni_cum
        uni_total = uni_cum[-1]
        punctuation, sentence_end = self.punctuation, self.sentence_end
        a = b = 0
        said = 0
        while True:
            table = tri_get(a * size + b)
            if table is None or r() >= table[0]:
                table = bi_get(b)
                if table is None or r() >= table[0]:
                    table = None
            if table is None:
                tok = uni_words[bisect_right(uni_cum, r() * uni_total)]
            else:
                tok = table[1][bisect_right(table[2], r() * table[3])]
            append(tok)
            if tok in punctuation:
                if tok in sentence_end and said >= words:
                    return out
            else:
                said += 1
                if said >= words + RUN_ON_WORDS:
                    append(self.index["."])
                    return out
            a, b = b, tok


@cache
def bundled_model() -> Model:
    return Model(bundled_turns())


class Writer:
    """Turns token ids into transcript text, with long-tail words in the rare words' slots."""

    def __init__(self, model: Model, tail: Sequence[str], tail_cum: Sequence[float]) -> None:
        self.model = model
        self.tail = tail
        self.tail_cum = tail_cum

    def episode_terms(self, rng: random.Random) -> list[str]:
        return rng.choices(self.tail, cum_weights=self.tail_cum, k=EPISODE_TERMS)

    def text(self, rng: random.Random, ids: Iterable[int], terms: Sequence[str]) -> str:
        vocab, punctuation, tail_slots = self.model.vocab, self.model.punctuation, self.model.tail_slots
        sentence_end = self.model.sentence_end
        parts: list[str] = []
        start = True
        r = rng.random
        for i in ids:
            if i in punctuation:
                if parts:
                    parts[-1] += vocab[i]
                start = i in sentence_end
                continue
            word = vocab[i]
            if i in tail_slots and r() < TAIL_SHARE:
                # Episode terms are few and Zipf-ranked among themselves: the first named most often.
                if r() < EPISODE_TERMS_SHARE:
                    new = terms[min(int(len(terms) * r() * r()), len(terms) - 1)]
                else:
                    new = self.tail[bisect.bisect(self.tail_cum, r() * self.tail_cum[-1])]
                word = new.capitalize() if word[:1].isupper() else new
            if start:
                word = word[:1].upper() + word[1:]
                start = False
            parts.append(word)
        return " ".join(parts)


def transcript(
    writer: Writer, rng: random.Random, speakers: Sequence[str], hosts: int, words: int
) -> tuple[Segment, ...]:
    """One episode's segments: turns that alternate between hosts (the first `hosts` speakers) and
    guests, each as long as a real turn of its role, cut into segments by the ingest's own rules."""
    model = writer.model
    terms = writer.episode_terms(rng)
    turns: list[Turn] = []
    said = 0
    current = 0
    while said < words:
        is_host = current < hosts
        length = rng.choice(model.host_turn_words if is_host else model.guest_turn_words)
        length = min(length, words - said) or 1
        text = writer.text(rng, model.turn(rng, length), terms)
        said += len(text.split())
        turns.append(Turn(speakers[current], (TimedText(0 if not turns else None, text),)))
        # An interview: a host asks, a guest answers; now and then a host follows a host.
        if is_host:
            current = rng.randrange(hosts, len(speakers)) if rng.random() < 0.85 else rng.randrange(hosts)
        else:
            current = rng.randrange(hosts) if rng.random() < 0.9 else rng.randrange(hosts, len(speakers))
    return segment_turns(turns)


def episode_words(rng: random.Random) -> int:
    return rng.randint(*EPISODE_WORDS)


def ngrams(words: Sequence[str], n: int) -> Iterable[tuple[str, ...]]:
    return zip(*(words[k:] for k in range(n)), strict=False)


def overlap(text_words: Sequence[str], reference_words: Sequence[str], n: int) -> float:
    """The share of `text_words`' n-grams (folded words) that occur in `reference_words`."""
    seen = set(ngrams(reference_words, n))
    grams = list(ngrams(text_words, n))
    return sum(g in seen for g in grams) / len(grams) if grams else 0.0
