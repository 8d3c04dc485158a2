"""Fuzzy lookup of episodes and people, in memory: candidate generation over an inverted word index, then
rapidfuzz scoring of the few candidates.

Scoring every title with WRatio costs ~300 ms at 100k episodes and holds the GIL throughout. Here each
query word is expanded against the vocabulary (exact, prefix, substring, typo), the postings of those
words give a few hundred candidates, and only they are scored: milliseconds, in short GIL-holding steps.
Everything in this module is synchronous and pure CPU; `bot.search.Search` runs it off the event loop.
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.search.packed import IdPositions, Lists, Texts, uints
from bot.search.phonetic import SoundsAlike
from bot.search.vocab import Vocabulary
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

# How much an expansion of a query word is worth, relative to the word itself.
EXACT, PREFIX, INFIX, TYPO1, TYPO2 = 1.0, 0.85, 0.55, 0.8, 0.65
# Expansions per query word, and candidates scored per query: the bounds that keep a query fast.
MAX_PREFIXED = 64
MAX_INFIXED = 32
MAX_NEAR = 12
MAX_CANDIDATES = 100
# People scored per query, and those whose episodes become candidates.
MAX_PEOPLE, MATCHED_PEOPLE = 50, 10
MIN_PERSON = 50.0
# Postings longer than this are only intersected with candidates found through rarer words, never walked.
COMMON_POSTINGS = 1500
# How far a whole-string fuzzy score may lift a field above its word coverage.
WRATIO_MARGIN = 15.0
# A query word that is the start of a vocabulary word's longer form ("windsurfing" for "windsurf").
PREFIX_OF = 0.7
# A word typed joined that the text writes as two ("swebench"): both halves together, or one alone.
SPLIT, HALF = 0.9, 0.3
# A name word that sounds like the one typed (Erik for Eric): below a typo's weight, so that with the
# fuzzy lift (WRATIO_MARGIN) it stays under the exact spelling's coverage.
SOUNDS_LIKE = 0.75
# A host appears on every episode: a host match says less about which episode is meant than a guest's.
HOST_FACTOR = 0.9


@dataclass(frozen=True, slots=True)
class IndexedEpisode:
    id: int
    title: str
    folded: str
    duration_s: int | None
    published: datetime | None
    guests: tuple[str, ...]
    # Indexes into EpisodeIndex.people, with the role this episode gives each.
    people: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class IndexedPerson:
    # The store's person id: one person across every show's index.
    id: int
    name: str
    folded: str
    # Positions in EpisodeIndex.episodes (newest first), and the roles seen across them.
    episodes: tuple[int, ...]
    roles: tuple[str, ...]


NOWHERE = 1 << 30


@dataclass(slots=True)
class Candidate:
    """An episode's evidence for one query: the best score per field."""

    position: int
    title: float = 0.0
    person: float = 0.0
    chapter: float = 0.0
    notes: float = 0.0
    # WRatio of the title alone: orders titles whose words cover the query equally well, as a plain
    # WRatio ranking would.
    wratio: float = 0.0
    # Where the query's words start in the title (in words; NOWHERE if they are not in it): of two titles
    # that cover the query equally, the one it opens is about it ("The new Claude 3.5 Sonnet"), the one
    # that ends with it mentions it ("… as a Claude Wrapper"), as search engines weigh a match early in
    # a field above one late in it.
    title_at: int = NOWHERE

    def best(self) -> tuple[float, str]:
        return max(
            (self.title, "title"), (self.person, "person"), (self.chapter, "chapter"), (self.notes, "notes")
        )

    def fields(self) -> int:
        return sum(1 for v in (self.title, self.person, self.chapter, self.notes) if v >= 50)


@dataclass(frozen=True, slots=True)
class Expansion:
    """One query word and the vocabulary words it stands for, each with a weight."""

    token: str
    words: dict[str, float] = field(default_factory=dict)
    # How much this word says about which episode is meant: rare words more than "the" or "ai".
    weight: float = 1.0
    # Two-word phrases the word may stand for, when it was typed joined ("swebench").
    phrases: dict[str, float] = field(default_factory=dict)
    # The words as a set, made once: intersecting it with a title's dozen words walks those, where
    # `words.keys() & title` would first copy all (up to a hundred) expansions for every title scored.
    keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(self.words))


class Postings:
    """word -> positions (ascending), for the words of one vocabulary: one row of positions per
    vocabulary word (empty for the words these texts lack), found by the word's place in the sorted
    vocabulary. Sets are built on first need for the long lists that are only ever intersected (in the
    lookups' own process or thread: building one holds the GIL for a few ms)."""

    def __init__(self, vocabulary: Vocabulary, words_of: Sequence[Iterable[str]]) -> None:
        lists: defaultdict[str, list[int]] = defaultdict(list)
        for position, words in enumerate(words_of):
            for word in words:
                lists[word].append(position)
        self._vocabulary = vocabulary
        self._rows = Lists((lists.get(w, ()) for w in vocabulary.words), len(words_of))
        self._empty = self._rows[0][:0] if len(self._rows) else array("H")
        self._sets: dict[str, frozenset[int]] = {}

    def get(self, word: str) -> array[int]:
        i = self._vocabulary.position(word)
        return self._rows[i] if i >= 0 else self._empty

    def words(self) -> Iterator[str]:
        """The words that have positions here."""
        rows = self._rows
        return (w for i, w in enumerate(self._vocabulary.words) if rows.size(i))

    def as_set(self, word: str) -> frozenset[int]:
        cached = self._sets.get(word)
        if cached is None:
            cached = self._sets[word] = frozenset(self.get(word))
        return cached


def coverage(expansions: Sequence[Expansion], text: str) -> float:
    """0–95: how well the words of `text` cover the query's words, each counted at its best expansion and
    weighted by how rare it is.

    WRatio alone judges a short query against a long title harshly ("bolt" scores 60 against the Bolt.new
    title's 80 characters), and a long query generously (any one shared word, even "of", scores 85.5).
    Kept just under an exact full-string match, so WRatio still orders titles that cover equally well.
    """
    total = sum(x.weight for x in expansions)
    if not total:
        return 0.0
    words = set(text.split())
    covered = 0.0
    for x in expansions:
        # Set intersection runs in C; the text rarely shares more than a word or two with an expansion.
        shared = x.keys & words
        best = max(x.words[w] for w in shared) if shared else 0.0
        for phrase, weight in x.phrases.items():
            if weight > best and all(part in words for part in phrase.split()):
                best = weight
        covered += x.weight * best
    return 95.0 * covered / total


def first_covered(expansions: Sequence[Expansion], text: str) -> int:
    """The position of the first word of `text` that a query word (or one of its expansions) stands for;
    NOWHERE when none does."""
    for at, word in enumerate(text.split()):
        if any(word in x.keys for x in expansions):
            return at
    return NOWHERE


def field_score(fuzzy: float, covered: float) -> float:
    """A field's score: word coverage, which a fuzzy string score may lift by at most WRATIO_MARGIN (the
    whole title typed nearly right) but never replace."""
    return max(covered, min(fuzzy, covered + WRATIO_MARGIN))


def tokens_of(query: str) -> list[str]:
    """The query's folded words, in order, without repeats."""
    return list(dict.fromkeys(fold(query).split()))


@dataclass(frozen=True, slots=True)
class EpisodeColumns:
    """A show's episodes, newest first, one list per field: what the builder gives EpisodeIndex, which
    packs them (the lists are garbage once it is built)."""

    ids: list[int]
    titles: list[str]
    folded: list[str]
    durations: list[int | None]
    # As the store has them (ISO 8601), or None.
    published: list[str | None]
    # Each episode's people in their listed order: positions in PeopleColumns, with the role it gives each.
    people: list[list[tuple[int, str]]]


@dataclass(frozen=True, slots=True)
class PeopleColumns:
    ids: list[int]
    names: list[str]
    folded: list[str]
    # Each person's episodes: positions in EpisodeColumns, ascending (newest first).
    episodes: list[list[int]]
    # The roles seen across them, in the order first seen.
    roles: list[tuple[str, ...]]


# Stands for a missing duration in the durations array (a signed 64-bit column: no real duration is this).
NO_DURATION = -(1 << 63)


class _Episodes:
    """`index.episodes`: a sequence of IndexedEpisode made on access from the index's columns."""

    __slots__ = ("_index",)

    def __init__(self, index: EpisodeIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index.episode_ids)

    def __getitem__(self, position: int) -> IndexedEpisode:
        return self._index.episode(position)

    def __iter__(self) -> Iterator[IndexedEpisode]:
        return map(self._index.episode, range(len(self)))


class _People:
    """`index.people`: a sequence of IndexedPerson made on access from the index's columns."""

    __slots__ = ("_index",)

    def __init__(self, index: EpisodeIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index.person_ids)

    def __getitem__(self, position: int) -> IndexedPerson:
        return self._index.person(position)

    def __iter__(self) -> Iterator[IndexedPerson]:
        return map(self._index.person, range(len(self)))


class EpisodeIndex:
    """Titles and people of one show's episodes, newest first, with the word index that finds candidates.

    The lookup process holds one per show, so each is kept in a few flat columns (bot.search.packed)
    rather than an object per episode and person: `episodes[p]` and `people[p]` make one on access, and
    the lookups themselves read single fields through the accessors below."""

    def __init__(
        self,
        episodes: EpisodeColumns,
        people: PeopleColumns,
        extra_words: Iterable[str] = (),
        *,
        show_id: int = 0,
        show_title: str = "",
        generation: int = 0,
        chapter_span: tuple[int, int] = (0, -1),
    ) -> None:
        self.show_id = show_id
        self.show_title = show_title
        # The show's generation (migration 006) this index was built from.
        self.generation = generation
        n, count = len(episodes.ids), len(people.ids)
        self.episode_ids = array("q", episodes.ids)
        self._titles = Texts(episodes.titles)
        self._folded = Texts(episodes.folded)
        self._durations = array("q", (NO_DURATION if d is None else d for d in episodes.durations))
        self._published = Texts(p or "" for p in episodes.published)
        # An episode's people as one number each, person position * len(roles) + role: "is this person a
        # host of this episode" is then one `in` over a short array slice.
        self._roles: tuple[str, ...] = tuple(dict.fromkeys(r for each in episodes.people for _, r in each))
        role_code = {r: i for i, r in enumerate(self._roles)}
        width = max(1, len(self._roles))
        self._episode_people = Lists(
            ([p * width + role_code[r] for p, r in each] for each in episodes.people), count * width
        )
        self.person_ids = array("q", people.ids)
        # Lists of str: names are interned by the builder, one string for a person on forty shows.
        self._names = list(people.names)
        self._folded_names = list(people.folded)
        self._person_episodes = Lists(people.episodes, n)
        # Each person's roles as an index into the few distinct role tuples of the show.
        role_sets: dict[tuple[str, ...], int] = {}
        self._person_roles = array("B", (role_sets.setdefault(r, len(role_sets)) for r in people.roles))
        self._role_sets = tuple(role_sets)
        self.by_id = IdPositions(episodes.ids)
        # The show's episode and chapter ids, lowest and highest: the rowid ranges its full-text evidence
        # queries are restricted to.
        self.episode_span = self.by_id.span()
        self.chapter_span = chapter_span
        title_words = [set(t.split()) for t in episodes.folded]
        name_words = [set(f.split()) for f in people.folded]
        # Chapter words join the vocabulary (not the postings): a misspelt word is corrected towards them
        # too, for the chapter and show-notes evidence that the store's full-text indexes provide.
        self.vocabulary = Vocabulary(itertools.chain(*title_words, *name_words, extra_words))
        self.title_postings = Postings(self.vocabulary, title_words)
        self.person_postings = Postings(self.vocabulary, name_words)
        # Nothing typed yet in a people autocomplete: the guests of the latest episodes, then the hosts.
        self.recent_people = uints(
            sorted(
                range(count),
                key=lambda p: ("guest" not in people.roles[p], people.episodes[p][:1] or [1 << 62]),
            ),
            count,
        )
        self.sounds = SoundsAlike(self.person_postings.words())

    # --- the columns, one field at a time ---------------------------------------------------------------

    @property
    def episodes(self) -> _Episodes:
        return _Episodes(self)

    @property
    def people(self) -> _People:
        return _People(self)

    def title(self, position: int) -> str:
        return self._titles[position]

    def folded(self, position: int) -> str:
        return self._folded[position]

    def published(self, position: int) -> datetime | None:
        text = self._published[position]
        return datetime.fromisoformat(text) if text else None

    def duration(self, position: int) -> int | None:
        d = self._durations[position]
        return None if d == NO_DURATION else d

    def episode_people(self, position: int) -> tuple[tuple[int, str], ...]:
        width = max(1, len(self._roles))
        return tuple((c // width, self._roles[c % width]) for c in self._episode_people[position])

    def guests(self, position: int) -> tuple[str, ...]:
        """The names of the episode's guests, in their listed order."""
        return tuple(self._names[p] for p, role in self.episode_people(position) if role == "guest")

    def has_role(self, position: int, person: int, role: str) -> bool:
        """Whether the episode at `position` gives the person at `person` this role."""
        if role not in self._roles:
            return False
        code = person * max(1, len(self._roles)) + self._roles.index(role)
        return code in self._episode_people[position]

    def episode(self, position: int) -> IndexedEpisode:
        return IndexedEpisode(
            id=self.episode_ids[position],
            title=self.title(position),
            folded=self.folded(position),
            duration_s=self.duration(position),
            published=self.published(position),
            guests=self.guests(position),
            people=self.episode_people(position),
        )

    def person_name(self, position: int) -> str:
        return self._names[position]

    def person_folded(self, position: int) -> str:
        return self._folded_names[position]

    def person_episodes(self, position: int) -> array[int]:
        """Positions of the person's episodes, newest first."""
        return self._person_episodes[position]

    def person_episode_count(self, position: int) -> int:
        return self._person_episodes.size(position)

    def person_roles(self, position: int) -> tuple[str, ...]:
        return self._role_sets[self._person_roles[position]]

    def person(self, position: int) -> IndexedPerson:
        return IndexedPerson(
            id=self.person_ids[position],
            name=self._names[position],
            folded=self._folded_names[position],
            episodes=tuple(self._person_episodes[position]),
            roles=self.person_roles(position),
        )

    # --- query words ------------------------------------------------------------------------------------

    def expand(self, tokens: Sequence[str], *, typing: bool = False, names: bool = False) -> list[Expansion]:
        """What each query word may stand for. With `typing`, the last word is a prefix being typed; with
        `names`, a whole word also stands for the name words that sound like it."""
        vocab = self.vocabulary
        expansions = []
        for i, token in enumerate(tokens):
            words: dict[str, float] = {}
            known = token in vocab
            if known:
                words[token] = EXACT
            last = typing and i == len(tokens) - 1
            if len(token) >= 2 and (last or len(token) >= 3):
                for word in vocab.prefixed(token, MAX_PREFIXED):
                    words.setdefault(word, PREFIX)
            # Inside longer words ("bolt" in "thunderbolt") only when the word is nowhere whole or as a
            # start: such matches never outrank those, and each search scans the vocabulary's blob.
            if len(token) >= 3 and len(words) <= 1:
                for word in vocab.containing(token, MAX_INFIXED):
                    words.setdefault(word, INFIX)
            if not known:
                for word, distance in vocab.near(token, MAX_NEAR):
                    words.setdefault(word, TYPO1 if distance == 1 else TYPO2)
                for end in range(len(token) - 1, 3, -1):
                    if token[:end] in vocab:
                        words.setdefault(token[:end], PREFIX_OF)
                        break
            if names and not last:
                for word in self.sounds.alike(token):
                    words.setdefault(word, SOUNDS_LIKE)
            phrases = {} if known else self._split(token)
            for phrase in phrases:
                # Each half alone finds candidates; only both together count as covering the word.
                for half in phrase.split():
                    words.setdefault(half, HALF)
            expansions.append(Expansion(token, words, self._weight(token), phrases))
        return expansions

    def _split(self, token: str) -> dict[str, float]:
        """A word written joined that the vocabulary has as two ("swebench" -> "swe bench")."""
        vocab = self.vocabulary
        return {
            f"{token[:i]} {token[i:]}": SPLIT
            for i in range(2, len(token) - 1)
            if token[:i] in vocab and token[i:] in vocab
        }

    def _weight(self, token: str) -> float:
        # Inverse document frequency over titles and names; a word found nowhere is as rare as can be.
        df = len(self.title_postings.get(token)) + len(self.person_postings.get(token))
        return math.log((len(self.episode_ids) + len(self.person_ids) + 1) / (df + 0.5))

    # --- candidates -------------------------------------------------------------------------------------

    @staticmethod
    def _gather(postings: Postings, expansions: Sequence[Expansion]) -> dict[int, float]:
        """Positions scored by the query words they contain (each word at its best expansion, weighted by
        its rarity), walking the rarest words first."""
        sized = sorted(
            ((sum(len(postings.get(w)) for w in x.words), x) for x in expansions), key=lambda s: s[0]
        )
        scores: dict[int, float] = {}
        for size, expansion in sized:
            if not size:
                continue
            best: dict[int, float] = {}
            ordered = sorted(expansion.words.items(), key=lambda kv: -kv[1])
            if scores and size > COMMON_POSTINGS:
                # A common word only adds weight to candidates the rarer words found. Expansions come
                # best first, so a candidate's first hit is final and it leaves `open`: each word costs
                # the smaller of its postings and the candidates still open.
                open_ = set(scores)
                for word, weight in ordered:
                    listed = postings.get(word)
                    # C-level intersection, walking the smaller side: the open candidates against the
                    # word's (cached) set, or the word's short list against the candidates.
                    hits = open_.intersection(postings.as_set(word) if len(listed) > len(open_) else listed)
                    for p in hits:
                        best[p] = weight
                    open_.difference_update(hits)
                    if not open_:
                        break
            else:
                # Best expansions first, and no more than COMMON_POSTINGS positions in all: a two-letter
                # prefix of a common word must not walk half the store.
                for word, weight in ordered:
                    for p in postings.get(word)[: COMMON_POSTINGS - len(best)]:
                        if p not in best:
                            best[p] = weight
                    if len(best) >= COMMON_POSTINGS:
                        break
            for p, weight in best.items():
                scores[p] = scores.get(p, 0.0) + weight * expansion.weight
        return scores

    @staticmethod
    def _top(scores: dict[int, float], n: int) -> list[int]:
        # Ties go to the lower position, which is the newer episode (or the earlier-listed person):
        # nlargest keeps the first of equals, and the first-seen positions are listed ascending.
        top = heapq.nlargest(n, sorted(scores), key=scores.__getitem__)
        return top

    def candidates(
        self, query: str, *, typing: bool = False
    ) -> tuple[str, list[Expansion], dict[int, Candidate]]:
        """Episodes worth scoring for `query`, with their title and person scores filled in."""
        tokens = tokens_of(query)
        folded = " ".join(tokens)
        if not tokens:
            return folded, [], {}
        expansions = self.expand(tokens, typing=typing)
        # The word index already ranks by (rarity-weighted) coverage: only its best few get the costlier
        # exact scoring.
        by_title = self._top(self._gather(self.title_postings, expansions), MAX_CANDIDATES)
        by_person = self._top(self._gather(self.person_postings, expansions), MAX_PEOPLE)
        found: dict[int, Candidate] = {p: Candidate(p) for p in by_title}
        titles = [self._folded[p] for p in by_title]
        for _, score, i in process.extract(folded, titles, scorer=fuzz.WRatio, limit=None):
            cand = found[by_title[i]]
            cand.wratio = score
            cand.title = field_score(score, coverage(expansions, titles[i]))
            cand.title_at = first_covered(expansions, titles[i])
        people = sorted(self.score_people(folded, expansions, by_person).items(), key=lambda kv: -kv[1])
        for person_pos, score in people[:MATCHED_PEOPLE]:
            if score < MIN_PERSON:
                break
            hosts = "host" in self.person_roles(person_pos)
            # A person on thousands of episodes (a host) would crowd out everything; their newest do.
            for episode_pos in self._person_episodes[person_pos][:MAX_CANDIDATES]:
                held = found.get(episode_pos)
                if held is None:
                    held = found[episode_pos] = Candidate(episode_pos)
                weight = score
                if hosts and self.has_role(episode_pos, person_pos, "host"):
                    weight *= HOST_FACTOR
                if weight > held.person:
                    held.person = weight
        return folded, expansions, found

    def score_people(
        self, folded: str, expansions: Sequence[Expansion], positions: Sequence[int]
    ) -> dict[int, float]:
        """Names in any order ("qiao lin" is "Lin Qiao"): the best of WRatio, token-sort ratio and word
        coverage (a surname alone, "Schluntz", names the person)."""
        names = [self._folded_names[p] for p in positions]
        fuzzy = dict.fromkeys(positions, 0.0)
        for scorer in (fuzz.WRatio, fuzz.token_sort_ratio):
            for _, score, i in process.extract(folded, names, scorer=scorer, limit=None):
                fuzzy[positions[i]] = max(fuzzy[positions[i]], score)
        return {
            p: field_score(fuzzy[p], coverage(expansions, name))
            for p, name in zip(positions, names, strict=True)
        }

    def people_matches(self, query: str, *, typing: bool = False, limit: int) -> list[tuple[int, float]]:
        tokens = tokens_of(query)
        if not tokens:
            return []
        expansions = self.expand(tokens, typing=typing, names=True)
        positions = self._top(self._gather(self.person_postings, expansions), MAX_CANDIDATES)
        scores = self.score_people(" ".join(tokens), expansions, positions)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -self.person_episode_count(kv[0]), kv[0]))
        return ranked[:limit]
