"""The benchmark's speech generator (bench/speech.py): hour-long episodes that repeat the bundled
transcripts' collocations, the same for the same seed."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter

import pytest

from bench import speech
from bench.generate import HOSTS, Generator, Spec
from bot.ingest.segments import MAX_WORDS
from bot.text import fold

SPEAKERS = [h.name for h in HOSTS] + ["Ada Guest"]


@pytest.fixture(scope="module")
def talk() -> Generator:
    return Generator(Spec.talk(1_000_000, seed=7))


def words_of(segments: tuple[object, ...]) -> list[str]:
    return fold(" ".join(s.text for s in segments)).split()  # type: ignore[attr-defined]


def test_the_same_seed_makes_the_same_episode_and_another_seed_another(talk: Generator) -> None:
    again = Generator(Spec.talk(1_000_000, seed=7))
    other = Generator(Spec.talk(1_000_000, seed=8))
    assert talk.talk(3, SPEAKERS) == again.talk(3, SPEAKERS)
    assert talk.talk(3, SPEAKERS) != other.talk(3, SPEAKERS)
    # An episode made anew for a re-ingest is another transcript.
    assert talk.talk(3, SPEAKERS, revision=1) != talk.talk(3, SPEAKERS)


def test_an_episode_is_an_hour_of_speech_in_segments_like_the_ingests(talk: Generator) -> None:
    lengths = []
    for i in range(4):
        segments = talk.talk(i, SPEAKERS)
        words = sum(len(s.text.split()) for s in segments)
        low, high = speech.EPISODE_WORDS
        assert low <= words <= high + speech.RUN_ON_WORDS + MAX_WORDS
        assert {s.speaker for s in segments} == set(SPEAKERS)
        # Turns: the speaker changes often, as in an interview, not once a segment by rote.
        changes = sum(a.speaker != b.speaker for a, b in itertools.pairwise(segments))
        assert len(segments) * 0.3 < changes < len(segments)
        lengths += [len(s.text.split()) for s in segments]
        assert [s.start_s for s in segments] == sorted(s.start_s for s in segments)
    assert max(lengths) <= MAX_WORDS + 12
    assert 25 <= statistics.median(lengths) <= 70


def test_generated_speech_has_the_bundled_collocations_far_more_often_than_zipf_draws(
    talk: Generator,
) -> None:
    bundled = fold(" ".join(" ".join(t.tokens) for t in speech.bundled_turns())).split()
    pairs = Counter(itertools.pairwise(bundled))
    top = [p for p, _ in pairs.most_common(30)]
    generated = words_of(talk.talk(0, SPEAKERS) + talk.talk(1, SPEAKERS))
    zipf = Generator(Spec(2, 40_000, seed=7))
    drawn = words_of(zipf.episode(0, 20_000).segments + zipf.episode(1, 20_000).segments)

    def rate(words: list[str]) -> float:
        found = Counter(itertools.pairwise(words))
        return sum(found[p] for p in top) / len(words)

    # The common pairs of speech are as common in the generated text as in the bundled text...
    assert 0.75 * rate(bundled) < rate(generated) < 1.33 * rate(bundled)
    # ...where independent draws make them several times rarer.
    assert rate(generated) > 3 * rate(drawn)


def test_the_long_tail_is_a_few_percent_of_the_words(talk: Generator) -> None:
    generated = words_of(talk.talk(0, SPEAKERS))
    model_words = {fold(w) for w in speech.bundled_model().vocab}
    tail = sum(w not in model_words for w in generated) / len(generated)
    assert 0.01 < tail < 0.08


def test_long_runs_of_the_training_text_are_rare(talk: Generator) -> None:
    bundled = fold(" ".join(" ".join(t.tokens) for t in speech.bundled_turns())).split()
    generated = words_of(talk.talk(0, SPEAKERS))
    # A remembered line of 6 words must not be a copy of the bundled text in most episodes.
    assert speech.overlap(generated, bundled, 6) < 0.05
