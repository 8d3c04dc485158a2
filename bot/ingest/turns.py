"""Speaker turns in transcript text, including text whose paragraphs were flattened into one line.

A transcript in show notes is a run of turns `Name [hh:mm:ss]: text`. When a capture flattens the HTML,
a turn's first word is glued to the previous turn's last one (`…advice here? LikeSwyx [01:34:59]: …`),
some passages drop the times (`…right?swyx: Yeah,Eric: totally.`) and carry minute markers
(`[00:18:00]`) inside the text instead. The evidence for where a name starts is that an episode has a
handful of speakers who recur: a name seen at a clean boundary (after punctuation, at a line start) and
more than once is a speaker, and a glued candidate that ends in a speaker's name is that speaker.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.text import fold as _fold
from bot.text import parse_clock as _parse_clock

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

# A timed turn header right after the speaker's name: "[00:01:02]: " (also "(00:01:02):" and mm:ss).
TIMED_HEADER = re.compile(r"[\[(](?P<clock>\d{1,2}:\d{2}(?::\d{2})?)[\])]:[ \t]*")
# A time marker inside a turn's text, "[00:18:00]", which (unlike a header) no colon follows.
_MARKER = re.compile(r"\[(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)\](?!:)")
# The colon after an untimed turn's name, right after a letter: "swyx: …", "Eric: …".
_UNTIMED_COLON = re.compile(r":[ \t]+")
# A whole line that is only a speaker's name, as in text converted from HTML with one paragraph a line.
_SPEAKER_LINE = re.compile(r"[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,3}")
_TOKEN = re.compile(r"\S+")
# Characters that end a previous turn right before a glued name ("…here.Eric", "…right?swyx").
# Apostrophes are not among them: they belong inside names (O'Brien).
_TURN_END = frozenset('.!?,;:)]}"”…—–')
# Names longer than this are not speakers but a sentence that happened to precede a time.
_MAX_NAME_CHARS = 40
# The common case, a line that holds only a one-word name before its time ("Alessio [00:00:03]: …"): one
# word without whitespace or a turn-ending character, then at most a few spaces. _name_options reads such
# a line as that one name; matching it whole skips the general reading (most of a parse's time, issue 13).
_ONE_WORD_LINE = re.compile(
    rf"[^\W\d_][^\s.!?,;:)\]}}\"”…—–]{{0,{_MAX_NAME_CHARS - 1}}}(?P<space>[^\S\n]{{0,80}})"
)


# The same few names are folded thousands of times per transcript.
fold = functools.lru_cache(maxsize=4096)(_fold)
# And a feed's transcripts repeat the same turn times ("00:01:20") across episodes: a dictionary look-up
# instead of a regex and three int() per turn (39k turns in the 15 MB bench feed).
parse_clock = functools.lru_cache(maxsize=16384)(_parse_clock)


@dataclass(frozen=True, slots=True)
class TimedText:
    """Part of a turn: its text and the moment it starts, when the source says (None: not said).

    `text` is squashed: words joined by single spaces, nothing around them (bot.ingest.segments counts
    its words by its spaces)."""

    start_s: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str
    # The turn's text split at the time markers inside it; the first piece starts when the turn does.
    pieces: tuple[TimedText, ...]

    @property
    def start_s(self) -> int | None:
        return self.pieces[0].start_s if self.pieces else None

    @property
    def text(self) -> str:
        return " ".join(piece.text for piece in self.pieces if piece.text)


@dataclass(frozen=True, slots=True)
class Transcript:
    # Text before the first turn: not transcript (the end of the show notes, when they run into it).
    lead: str
    turns: tuple[Turn, ...]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        return tuple(dict.fromkeys(turn.speaker for turn in self.turns))


@dataclass(frozen=True, slots=True)
class _NameOption:
    start: int  # offset in the text
    name: str
    # True when the name starts where flattening leaves a visible boundary: after punctuation, at a line
    # start or at the start of the transcript. Only such sightings make a name a known speaker.
    clean: bool


def parse_turns(text: str, hosts: Sequence[str] = ()) -> Transcript:
    """The turns of a transcript in `text`; `hosts` help recognise (and spell) the hosts' names."""
    headers = _named_headers(text)
    if not headers:
        return Transcript(lead=text.strip(), turns=())

    known, written = _speaker_evidence(headers, hosts)
    names = [_resolve(options, known, written) for _, options in headers]
    lead = text[: names[0].start]
    bodies = [
        text[header.end() : names[index + 1].start if index + 1 < len(headers) else len(text)]
        for index, (header, _) in enumerate(headers)
    ]
    # Untimed turns seen at a clean boundary ("…see.tomasz:") vouch for their spelling when the same
    # name turns up glued to a word elsewhere ("Sotomasz:").
    spellings = _longest_first(written)
    written |= {
        name
        for body in bodies
        if ":" in body
        for _, name, _, boundary in _untimed_names(body, spellings)
        if boundary == "clean"
    }
    spellings = _longest_first(written)
    raw_turns: list[tuple[str, int | None, str]] = []
    for (header, _), name, body in zip(headers, names, bodies, strict=True):
        chunks = _split_untimed(body, written, spellings) if ":" in body else [(None, body)]
        raw_turns.append((name.name, parse_clock(header["clock"]), chunks[0][1]))
        raw_turns.extend((speaker, None, chunk) for speaker, chunk in chunks[1:] if speaker)

    display = _display_names((speaker for speaker, _, _ in raw_turns), hosts)
    turns = tuple(
        Turn(speaker=display[fold(speaker)], pieces=_pieces(start_s, body))
        for speaker, start_s, body in raw_turns
    )
    return Transcript(lead=lead.strip(), turns=turns)


def _speaker_evidence(
    headers: list[tuple[re.Match[str], list[_NameOption]]], hosts: Sequence[str]
) -> tuple[set[str], set[str]]:
    """(known, written): folded names of the episode's speakers, and the spellings that vouch for them.

    A speaker is a name seen at a clean boundary and more than once, or a host. Spellings are kept to
    tell a glued lower-case name ("Butswyx") from a word that merely ends like one ("Joann", "Ann").
    """
    counts: Counter[str] = Counter()
    clean_keys: set[str] = set()
    for _, options in headers:
        for option in options:
            counts[fold(option.name)] += 1
            if option.clean:
                clean_keys.add(fold(option.name))
    host_forms = _host_forms(hosts)
    known = {key for key, count in counts.items() if count >= 2 and key in clean_keys}
    known |= {fold(form) for form in host_forms}
    written = {o.name for _, options in headers for o in options if o.clean and fold(o.name) in known}
    written |= set(host_forms)
    return known, written


def timed_header_times(text: str) -> list[tuple[int, int]]:
    """(end offset, seconds) of each named timed header, for callers that decide where a transcript starts."""
    return [(header.end(), parse_clock(header["clock"]) or 0) for header, _ in _named_headers(text)]


def _named_headers(text: str) -> list[tuple[re.Match[str], list[_NameOption]]]:
    """Timed headers that follow something name-like, with the ways to read that name (longest first)."""
    found: list[tuple[re.Match[str], list[_NameOption]]] = []
    previous_end = 0
    for header in TIMED_HEADER.finditer(text):
        options = _name_options(text, previous_end, header.start())
        if options:
            found.append((header, options))
            previous_end = header.end()
    return found


def _name_options(text: str, tail_start: int, tail_end: int) -> list[_NameOption]:
    """Ways to read the speaker's name at the end of text[tail_start:tail_end], longest first."""
    line_start = max(text.rfind("\n", tail_start, tail_end) + 1, tail_start)
    at_line_start = line_start > tail_start or tail_start == 0
    if at_line_start:
        one_word = _ONE_WORD_LINE.fullmatch(text, line_start, tail_end)
        if one_word is not None and text[line_start].isalpha():
            return [_NameOption(line_start, text[line_start : one_word.start("space")], clean=True)]
    options: list[_NameOption] = []
    # Only the last few words can be the name; the rest of a flattened line is the previous turn's text.
    window_start = max(line_start, tail_end - 4 * _MAX_NAME_CHARS)
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(text, window_start, tail_end)]
    if window_start > line_start:
        tokens = tokens[1:]  # the window may start inside a word
    tokens = tokens[-3:]
    for words_back in range(1, len(tokens) + 1):
        token_start, token = tokens[-words_back]
        cut = _after_last_turn_end(token)
        first_word = token[cut:]
        words = [first_word, *(tok for _, tok in tokens[len(tokens) - words_back + 1 :])]
        if not first_word[:1].isalpha():
            if words_back == 1 and first_word.isdigit() and not cut:
                continue  # "Speaker 1": a number is a name only with the word before it
            break
        if words_back > 1 and not all(word[0].isupper() or word.isdigit() for word in words):
            break
        name = " ".join(words)
        if len(name) > _MAX_NAME_CHARS:
            break
        start = token_start + cut
        clean = cut > 0 or (start == line_start and at_line_start)
        options.append(_NameOption(start, name, clean))
        if cut:
            break  # punctuation ends the previous turn: the name cannot reach further back
    whole_line = text[line_start:tail_end].strip() if tail_end - line_start <= 2 * _MAX_NAME_CHARS else ""
    if (
        whole_line
        and at_line_start
        and len(whole_line) <= _MAX_NAME_CHARS
        and _SPEAKER_LINE.fullmatch(whole_line)
        and all(option.name != whole_line for option in options)
    ):
        # A line holding only a name (paragraphs converted to lines), even one with lower-case words.
        options.append(_NameOption(text.index(whole_line, line_start), whole_line, clean=True))
    return options[::-1]


def _after_last_turn_end(token: str) -> int:
    for index in range(len(token) - 1, -1, -1):
        if token[index] in _TURN_END:
            return index + 1
    return 0


def _resolve(options: list[_NameOption], known: set[str], written: set[str]) -> _NameOption:
    """The speaker a header names.

    The longest reading that is a known speaker; else a known speaker glued to a word ("LikeSwyx");
    else the longest reading with a clean start (a one-off speaker "Ada Lovelace" after a full stop);
    else the last word as it stands.
    """
    for option in options:
        if fold(option.name) in known:
            return option
    shortest = options[-1]
    glued = _known_suffix(shortest.name, known, written)
    if glued is not None:
        return _NameOption(shortest.start + glued, shortest.name[glued:], clean=False)
    return next((option for option in options if option.clean), shortest)


def _known_suffix(candidate: str, known: set[str], written: set[str]) -> int | None:
    """Where a known speaker's name starts inside `candidate` ("LikeSwyx" -> 4, "KMEric" -> 2), if it does.

    The glued name must look like a name where it starts: a capital letter, or a spelling seen on its own
    (a lower-case "swyx"), so that "Joann" is not read as a glued "Ann".
    """
    for index in range(1, len(candidate)):
        suffix = candidate[index:]
        if fold(suffix) in known and (suffix[0].isupper() or suffix in written):
            return index
    return None


def _host_forms(hosts: Sequence[str]) -> list[str]:
    """Hosts as the byline writes them, and the first names of hosts with a full name."""
    forms = list(hosts)
    forms.extend(host.split()[0] for host in hosts if len(host.split()) > 1)
    return forms


def _longest_first(written: set[str]) -> list[str]:
    """The spellings' case-folded forms, longest first, so that "Ann Lee:" is not read as "Lee:"."""
    return sorted({name.casefold() for name in written}, key=len, reverse=True)


def _split_untimed(body: str, written: set[str], spellings: list[str]) -> list[tuple[str | None, str]]:
    """Split a turn's text at untimed turns (`swyx: …`): [(None, own text), (speaker, text), …].

    `spellings` is _longest_first(written), computed once per transcript rather than once per turn."""
    chunks: list[tuple[str | None, str]] = []
    speaker: str | None = None
    chunk_start = 0
    for name_start, name, text_start, boundary in _untimed_names(body, spellings):
        if name_start < chunk_start or boundary == "space":
            continue
        if boundary == "glued" and not (name[0].isupper() or name in written):
            continue
        chunks.append((speaker, body[chunk_start:name_start]))
        speaker, chunk_start = name, text_start
    chunks.append((speaker, body[chunk_start:]))
    return chunks


def _untimed_names(body: str, names: list[str]) -> Iterator[tuple[int, str, int, str]]:
    """(name start, name, text start, boundary) for each `Name: ` of a known speaker in `body`.

    The boundary before the name says whether it can start a turn: "clean" (a line start or punctuation,
    as in `Totally.swyx:`), "glued" to a word (`Butswyx:`, a turn only when it looks like a name) or
    "space", which is ordinary speech ("I told Eric: go"): a flattened turn boundary leaves no space.
    `names` are the known spellings, case-folded, longest first (_longest_first).
    """
    for colon in _UNTIMED_COLON.finditer(body):
        name_end = colon.start()
        if name_end == 0 or not body[name_end - 1].isalpha():
            continue
        for folded in names:
            name_start = name_end - len(folded)
            if name_start < 0 or body[name_start:name_end].casefold() != folded:
                continue
            before = body[name_start - 1] if name_start > 0 else "\n"
            if before.isalnum():
                boundary = "glued"
            elif before.isspace() and before != "\n":
                boundary = "space"
            else:
                boundary = "clean"
            yield name_start, body[name_start:name_end], colon.end(), boundary
            break


def _pieces(start_s: int | None, body: str) -> tuple[TimedText, ...]:
    """The body split at its time markers, each piece with the time it starts at."""
    if "[" not in body:  # no marker: one piece (most turns)
        return (TimedText(start_s, _squash(body)),)
    pieces: list[TimedText] = []
    position = 0
    current = start_s
    for marker in _MARKER.finditer(body):
        pieces.append(TimedText(current, _squash(body[position : marker.start()])))
        current, position = parse_clock(marker["clock"]), marker.end()
    pieces.append(TimedText(current, _squash(body[position:])))
    # Empty pieces stay: their times still anchor the words around them.
    return tuple(pieces)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _display_names(speakers: Iterable[str], hosts: Sequence[str]) -> dict[str, str]:
    """One spelling per folded speaker: the byline's for a host, else the most frequent in the transcript."""
    counts = Counter(speakers)
    by_key: dict[str, str] = {}
    for name, _ in counts.most_common():
        by_key.setdefault(fold(name), name)
    host_by_key = {fold(host): host for host in hosts}
    first_names = Counter(fold(host).split()[0] for host in hosts if fold(host))
    for host in hosts:
        key = fold(host)
        if key and len(key.split()) > 1 and first_names[key.split()[0]] == 1:
            host_by_key.setdefault(key.split()[0], host)
    return {key: host_by_key.get(key, name) for key, name in by_key.items()}
