"""`podbot episode`, `quote`, `chapters` and `guest` on real store files: the documented JSON shapes, the
friendly nothing-found answers and the one-line errors."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.store import Store
from tests.search_data import BOLT, BOLT_SEGMENTS, CLAUDE, COMPOUND, WINDSURF, latent_like

if TYPE_CHECKING:
    from pathlib import Path


def podbot(db: str | Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def as_json(result: Result) -> object:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def db(store_location: str | Path) -> str | Path:
    """A store holding the small bundled-like show, on each engine."""

    async def fill() -> None:
        async with await Store.open(store_location) as store:
            await store.catalog.ingest(latent_like())

    asyncio.run(fill())
    return store_location


@pytest.fixture
def bundled_db(store_location: str | Path) -> str | Path:
    # A new store (a file, or an empty migrated database): the first command fills it from the bundled page.
    return store_location


def test_episode_json_shape_best_first(db: str | Path) -> None:
    found = as_json(podbot(db, "episode", "windsruf", "--json"))
    assert isinstance(found, list)
    assert found[0] == {
        "id": found[0]["id"],
        "show": {"id": found[0]["show"]["id"], "title": "Latent-like Test Show"},
        "title": WINDSURF,
        "score": found[0]["score"],
        "guests": ["Varun Mohan", "Anshul Ramachandran"],
        "duration_s": 3995,
        "published": "2024-12-20T00:00:00+00:00",
    }
    assert isinstance(found[0]["id"], int)
    assert isinstance(found[0]["score"], float)
    assert [e["score"] for e in found] == sorted((e["score"] for e in found), reverse=True)


def test_episode_words_need_no_quotes_and_limit_applies(db: str | Path) -> None:
    found = as_json(podbot(db, "episode", "lin", "qiao", "--json", "--limit", "1"))
    assert [e["title"] for e in found] == [COMPOUND]


def test_episode_human_output(db: str | Path) -> None:
    result = podbot(db, "episode", "bolt")
    assert result.exit_code == 0
    first, facts = result.stdout.splitlines()[:2]
    assert first.strip().endswith(BOLT)
    assert "score 95.0 · " in facts
    assert "with Eric Simons, Itamar Friedman" in facts


def test_episode_scores_print_in_one_format(db: str | Path) -> None:
    # Whole and fractional scores side by side (95 beside 56.6 once): one decimal for every score.
    lines = podbot(db, "episode", "the", "--limit", "10").stdout.splitlines()
    scores = [fact for line in lines for fact in line.split(" · ") if fact.strip().startswith("score ")]
    assert len(scores) > 1
    assert all(re.fullmatch(r"score \d+\.\d", fact.strip()) for fact in scores), scores


def test_quote_json_shape(db: str | Path) -> None:
    found = as_json(podbot(db, "quote", "node.js", "inside", "--json"))
    assert found == [
        {
            "show": {"id": found[0]["show"]["id"], "title": "Latent-like Test Show"},
            "episode_id": found[0]["episode_id"],
            "episode_title": BOLT,
            "speaker": "Eric",
            "start_s": 90,
            "text": BOLT_SEGMENTS[2].text,
            "context": {"before": BOLT_SEGMENTS[1].text, "after": BOLT_SEGMENTS[3].text},
        }
    ]


def test_quote_restricted_to_an_episode_by_words_or_id(db: str | Path) -> None:
    everywhere = as_json(podbot(db, "quote", "welcome", "--json"))
    assert {q["episode_title"] for q in everywhere} == {BOLT, WINDSURF}
    by_words = as_json(podbot(db, "quote", "welcome", "--episode", "windsurf", "--json"))
    assert [q["episode_title"] for q in by_words] == [WINDSURF]
    windsurf_id = by_words[0]["episode_id"]
    by_id = as_json(podbot(db, "quote", "welcome", "--episode", str(windsurf_id), "--json"))
    assert by_id == by_words


def test_quote_in_an_episode_without_a_transcript_says_it_has_none(bundled_db: str | Path) -> None:
    # The bundled page transcribes three of its five episodes; Windsurf is not one.
    episode = "windsurf"
    result = podbot(bundled_db, "quote", "webcontainer", "--episode", episode)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Windsurf: The Enterprise AI IDE")
    assert "has no transcript" in result.stdout
    assert "Nobody said" not in result.stdout

    as_script = podbot(bundled_db, "quote", "webcontainer", "--episode", episode, "--json")
    assert as_json(as_script) == []
    assert "has no transcript" in as_script.stderr


def test_an_exact_phrase_from_a_shell_marks_the_phrase_only(bundled_db: str | Path) -> None:
    # `podbot quote '"give the thing a browser"'`: the shell's single quotes keep the double ones.
    result = podbot(bundled_db, "quote", '"give the thing a browser"')
    assert result.exit_code == 0, result.stderr
    marks = re.findall(r"\[([^\]]*)\]", result.stdout)
    assert marks
    assert {m.lower() for m in marks} == {"give the thing a browser"}


@pytest.mark.parametrize(
    ("typed", "names"), [("erik", ["Erik Schluntz", "Eric"]), ("eric", ["Eric", "Erik Schluntz"])]
)
def test_guest_finds_a_name_spelt_as_it_sounds_after_the_exact_spelling(
    bundled_db: str | Path, typed: str, names: list[str]
) -> None:
    found = as_json(podbot(bundled_db, "guest", typed, "--json"))
    assert [p["name"] for p in found][:2] == names


@pytest.mark.parametrize(
    "args",
    [["chapters", "claude"], ["chapters", "claude", "--json"], ["quote", "agents", "--episode", "claude"]],
)
def test_a_close_runner_up_is_named_on_stderr(db: str | Path, args: list[str]) -> None:
    result = podbot(db, *args)
    assert result.exit_code == 0, result.stderr
    assert CLAUDE in result.stdout
    assert BOLT not in result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"podbot: also matched: {BOLT} (episode ")


def test_no_runner_up_is_named_when_one_episode_is_clearly_meant(db: str | Path) -> None:
    for args in (["chapters", "windsurf"], ["chapters", "claude sonnet"]):
        result = podbot(db, *args)
        assert result.exit_code == 0
        assert result.stderr == ""


def test_quote_human_output_marks_the_words(db: str | Path) -> None:
    result = podbot(db, "quote", "webcontaner", "--limit", "1")
    assert result.exit_code == 0
    assert f"{BOLT} (episode" in result.stdout
    assert "Eric:" in result.stdout
    assert "[WebContainer" in result.stdout or "[web container]" in result.stdout


def test_chapters_json_shape(db: str | Path) -> None:
    found = as_json(podbot(db, "chapters", "schluntz", "--json"))
    assert isinstance(found, dict)
    assert found["episode"] == {"id": found["episode"]["id"], "title": CLAUDE}
    assert found["chapters"] == [
        {"start_s": 0, "title": "Introductions"},
        {"start_s": 1260, "title": "SWE-Bench verified and agent scaffolds"},
        {"start_s": 2400, "title": "Computer use demos"},
    ]


def test_chapters_human_output(db: str | Path) -> None:
    result = podbot(db, "chapters", "windsurf")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        f"{WINDSURF} (episode {result.stdout.split('(episode ')[1].split(')')[0]})",
        "      0:00  Introductions & Catchup",
        "      3:52  Why they created Windsurf",
    ]


def test_guest_json_shape(db: str | Path) -> None:
    found = as_json(podbot(db, "guest", "schluntz", "--json"))
    assert found[0] == {
        "name": "Erik Schluntz",
        "episodes": [
            {
                "id": found[0]["episodes"][0]["id"],
                "title": CLAUDE,
                "show": {"id": found[0]["episodes"][0]["show"]["id"], "title": "Latent-like Test Show"},
            }
        ],
    }
    assert all(set(p) == {"name", "episodes"} for p in found)


@pytest.mark.parametrize(
    "args",
    [
        ("episode", "qqqqzzzz"),
        ("quote", "kubernetes"),
        ("chapters", "qqqqzzzz"),
        ("guest", "qqqqzzzz"),
        ("quote", "NEAR(", "AND", "*"),
        ("quote", '"'),
    ],
)
def test_nothing_found_is_exit_0_with_an_empty_list_or_a_friendly_line(
    db: str | Path, args: tuple[str, ...]
) -> None:
    assert as_json(podbot(db, *args, "--json")) == []
    result = podbot(db, *args)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith(("No ", "Nobody "))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("episode", "   "), "empty"),
        (("quote", ""), "empty"),
        (("guest", " "), "empty"),
        (("episode", "bolt", "--limit", "0"), "--limit"),
        (("episode", "bolt", "--limit", "many"), "--limit"),
        (("quote", "bolt", "--episode", "qqqqzzzz"), "no episode matches"),
        (("quote", "bolt", "--episode", " "), "--episode is empty"),
        (("episode",), "Missing argument"),
        (("episode", "-bolt"), "No such option"),
        (("--bogus", "episode", "bolt"), "No such option"),
    ],
)
def test_bad_arguments_get_one_clear_line_and_a_non_zero_exit(
    db: str | Path, args: tuple[str, ...], message: str
) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code != 0
    assert message in result.stderr
    [line] = result.stderr.splitlines()  # one line, not click's usage block
    assert line.startswith("podbot: ")
    assert "Traceback" not in result.stderr + result.stdout


def test_search_commands_on_the_bundled_store_in_a_real_process(bundled_db: str | Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(bundled_db), "episode", "windsruf", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)[0]["title"].startswith("Windsurf: The Enterprise AI IDE")
    quotes = as_json(podbot(bundled_db, "quote", "focus on the webcontainer", "--json"))
    assert quotes[0]["speaker"] == "Itamar"
    assert quotes[0]["start_s"] == 52 * 60 + 16
