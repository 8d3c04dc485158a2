"""The directory-page parser on the bundled Latent Space page and on small pages written for these tests.

The small pages under tests/pages/ set the same traps with other names and shows (glued speaker names,
a glued last chapter title, untimed turns with minute markers, a pull quote, an episode with nothing but
notes), so a parser tuned to the bundled page alone fails them.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from bot.identity import derived_key
from bot.ingest.errors import ParseError
from bot.ingest.page import looks_like_page, parse_page
from bot.ingest.people import guests_from_title, split_byline
from bot.ingest.shownotes import parse_show_notes
from bot.models import Episode, ParsedSource, Role, Segment
from bot.text import fold, parse_clock

PAGES = Path(__file__).parent / "pages"
BUNDLED_TEXT = (files("data") / "latent-space.txt").read_text(encoding="utf-8")


def clock(text: str) -> int:
    seconds = parse_clock(text)
    assert seconds is not None
    return seconds


@pytest.fixture(scope="module")
def bundled() -> ParsedSource:
    return parse_page(BUNDLED_TEXT)


@pytest.fixture(scope="module")
def night_shift() -> ParsedSource:
    return parse_page((PAGES / "night-shift.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def garden_hour() -> ParsedSource:
    return parse_page((PAGES / "garden-hour.txt").read_text(encoding="utf-8"))


def segment_with(episode: Episode, words: str) -> Segment:
    found = [segment for segment in episode.segments if words in segment.text]
    assert len(found) == 1, f"{words!r} is in {len(found)} segments"
    return found[0]


def segment_after(episode: Episode, segment: Segment) -> Segment:
    return episode.segments[episode.segments.index(segment) + 1]


# --- the bundled page: show and episode list --------------------------------------------------------------

LATENT_SPACE = (
    "Latent Space: The AI Engineer Podcast — Practitioners talking LLMs, CodeGen, Agents, Multimodality, "
    "AI UX, GPU Infra and all things Software 3.0"
)


def test_show_comes_from_the_page_header(bundled: ParsedSource) -> None:
    assert bundled.format == "page"
    assert bundled.show.title == LATENT_SPACE
    assert bundled.show.key == derived_key("show", LATENT_SPACE)
    assert bundled.show.hosts == ("Alessio", "swyx")
    # The header's description is cut short ("We cover ..."); the About section has it whole.
    assert bundled.show.description.startswith("The podcast by and for AI Engineers!")
    assert bundled.show.description.endswith(
        "Full show notes always on https://latent.space www.latent.space"
    )


def test_episodes_are_listed_newest_first_with_derived_guids(bundled: ParsedSource) -> None:
    titles = [episode.title for episode in bundled.episodes]
    assert titles == [
        "Windsurf: The Enterprise AI IDE - with Varun and Anshul of Codeium AI",
        "Generative Video WorldSim, Diffusion, Vision, Reinforcement Learning and Robotics"
        " — ICML 2024 Part 1",
        "Bolt.new, Flow Engineering for Code Agents, and >$8m ARR in 2 months as a Claude Wrapper",
        "The new Claude 3.5 Sonnet, Computer Use, and Building SOTA Agents — with Erik Schluntz, Anthropic",
        "Why Compound AI + Open Source will beat Closed AI",
    ]
    assert [episode.source_order for episode in bundled.episodes] == [0, 1, 2, 3, 4]
    for episode in bundled.episodes:
        assert episode.guid == derived_key("episode", LATENT_SPACE, episode.title)
    assert len({episode.guid for episode in bundled.episodes}) == 5


def test_durations_come_from_the_duration_lines(bundled: ParsedSource) -> None:
    durations = [episode.duration_s for episode in bundled.episodes]
    assert durations == [
        clock("1:06:35"),
        clock("7:07:47"),
        clock("1:38:39"),
        clock("1:11:10"),
        clock("58:25"),
    ]


def test_show_notes_are_the_readable_text_before_chapters_and_transcript(bundled: ParsedSource) -> None:
    windsurf, icml, bolt, claude, fireworks = (episode.show_notes for episode in bundled.episodes)
    assert windsurf.startswith("Our second podcast guest ever in March 2023 was Varun Mohan, CEO of Codeium;")
    assert windsurf.endswith("they recently launched Windsurf, an AI IDE.")
    # Paragraphs and list items that the capture glued together are apart again.
    assert "See you in Vancouver!\nWe’ve been sitting on our ICML recordings" in icml
    assert "\n* Lilian Weng’s literature review of Video Diffusion Models\n* Sora API leak\n" in icml
    assert bolt.endswith(
        "Show Notes\n* Itamar\n* Qodo\n* First episode\n* Eric\n* Bolt\n* StackBlitz\n"
        "* Thinkster\n* AlphaCodium\n* WebContainers"
    )
    assert claude.endswith("* TauBench\n* LMSys Episode")
    assert fireworks.endswith("Full Video PodcastLike and subscribe!")
    for notes in (windsurf, icml, bolt, claude, fireworks):
        assert "Get full access" not in notes
        assert "Chapters*" not in notes
        assert "Timestamps*" not in notes
        assert "Alessio [00:00:00]" not in notes  # no transcript in the notes


# --- chapters ---------------------------------------------------------------------------------------------

CHAPTER_EXPECTATIONS = [
    (
        0,
        12,
        (0, "Introductions & Catchup"),
        (clock("00:42:01"), "Copilot for X, AI UX, and Enterprise AI blog posts"),
        [(clock("00:25:18"), "Evolution of Codeium's strategy"), (clock("00:33:12"), "Multi-agent systems")],
    ),
    (
        1,
        19,
        (0, "Intros"),
        (clock("06:56:00"), "Position: Automatic Environment Shaping is the Next Frontier in RL"),
        [
            (clock("00:44:52"), "Genie: Generative Interactive Environments"),
            (clock("01:42:00"), "Tali Dekel - The Future of Video Generation: Beyond Data and Scale."),
            (clock("05:03:40"), "Lucas Beyer: “Vision in the age of LLMs — a data-centric perspective”"),
            (clock("06:09:52"), 'Chelsea Finn: "What robots have taught me about machine learning"'),
        ],
    ),
    (
        2,
        20,
        (0, "Introductions & Updates"),
        (clock("01:32:20"), "Having a baby and completing an Iron Man"),
        [
            (clock("00:06:01"), "Generic vs. Specific AI Agents"),
            (clock("00:20:15"), "Why Docker doesn't work for Bolt"),
            (clock("01:30:01"), "Advice to Founders and Embracing AI"),
        ],
    ),
    (
        3,
        19,
        (0, "Introductions"),
        (clock("01:09:21"), "Is self-driving a good business?"),
        [(clock("00:03:39"), "What is SWE-Bench?"), (clock("00:37:52"), "Why XML so good?")],
    ),
    (
        4,
        14,
        (0, "Introductions"),
        (clock("00:55:17"), "Hiring"),
        [
            (clock("00:09:49"), "Product Strategy: From Framework to Model Library"),
            (clock("00:31:00"), "Can OSS replicate o1?"),
            (clock("00:46:44"), "Fireworks quantization (and drama around it)"),
        ],
    ),
]


@pytest.mark.parametrize(("index", "count", "first", "last", "middle"), CHAPTER_EXPECTATIONS)
def test_every_chapter_list_in_every_format(
    bundled: ParsedSource,
    index: int,
    count: int,
    first: tuple[int, str],
    last: tuple[int, str],
    middle: list[tuple[int, str]],
) -> None:
    chapters = [(chapter.start_s, chapter.title) for chapter in bundled.episodes[index].chapters]
    assert len(chapters) == count
    assert chapters[0] == first
    assert chapters[-1] == last
    for chapter in middle:
        assert chapter in chapters
    assert [start for start, _ in chapters] == sorted(start for start, _ in chapters)


def test_chapter_titles_carry_nothing_that_follows_the_list(bundled: ParsedSource) -> None:
    for episode in bundled.episodes:
        for chapter in episode.chapters:
            assert chapter.title == chapter.title.strip()
            for leftover in ("Transcript", "Get full access", "Alessio", "*", "[", "]"):
                assert leftover not in chapter.title, (episode.title, chapter.title)


# --- transcripts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "speakers"),
    [
        (0, set()),
        (1, set()),
        (2, {"Alessio", "swyx", "Itamar", "Eric"}),
        (3, {"Alessio", "swyx", "Erik"}),
        (4, {"Alessio", "swyx", "Lin"}),
    ],
)
def test_transcript_speakers_are_the_true_speakers(
    bundled: ParsedSource, index: int, speakers: set[str]
) -> None:
    # One spelling per person: the header's "swyx" although the transcript writes "Swyx"; nothing like
    # "LikeSwyx", "KMEric" or "Yeah.Erik" from names glued to the previous turn.
    assert {segment.speaker for segment in bundled.episodes[index].segments} == speakers


def test_a_name_glued_to_the_previous_turn_is_repaired(bundled: ParsedSource) -> None:
    bolt = bundled.episodes[2]
    advice = segment_with(bolt, "what makes you ignore expert advice here?")
    assert advice.speaker == "Eric"
    assert advice.text.endswith("what makes you ignore expert advice here? Like")
    reply = segment_after(bolt, advice)
    assert reply.speaker == "swyx"
    assert reply.start_s == clock("01:34:59")

    swim = segment_with(bolt, "2.4 mile open water swim")
    assert swim.speaker == "swyx"
    assert swim.text.endswith("a hundred KM, a hundred mile, a hundred KM")
    answer = segment_after(bolt, swim)
    assert answer.speaker == "Eric"
    assert answer.start_s == clock("01:32:58")


def test_untimed_turns_are_transcript_timed_by_the_markers(bundled: ParsedSource) -> None:
    bolt = bundled.episodes[2]
    netlify = segment_with(bolt, "Netlify, I was a maintainer")
    assert netlify.speaker == "swyx"
    assert netlify.text.startswith("Netlify, I was a maintainer")
    assert clock("00:17:53") <= netlify.start_s <= clock("00:18:00")

    google = segment_with(bolt, "in partnership with Google, right?")
    assert google.speaker == "swyx"
    assert google.text.startswith("in partnership with Google")
    # "Butswyx:" in the capture: "But" ends Eric's turn.
    assert segment_after(bolt, google).speaker == "swyx"
    before = bolt.segments[bolt.segments.index(google) - 1]
    assert (before.speaker, before.text[-20:]) == ("Eric", "web container online. But"[-20:])
    assert clock("00:22:00") <= google.start_s <= clock("00:23:00")

    # "Yeah,Eric: totally." is two turns.
    totally = segment_with(bolt, "totally. At least in bold")
    assert totally.speaker == "Eric"
    # "…an operating system from [00:20:00] scratch": the segment around the marker starts shortly before it.
    assert (
        clock("00:19:00")
        <= segment_with(bolt, "from scratch that was just purpose built").start_s
        <= clock("00:20:00")
    )


def test_time_markers_leave_the_text_and_time_the_words_after_them(bundled: ParsedSource) -> None:
    bolt = bundled.episodes[2]
    assert not any(re.search(r"\[\d\d:\d\d:\d\d\]", segment.text) for segment in bolt.segments)
    raw = BUNDLED_TEXT.split("\n")[27]
    markers = list(re.finditer(r"\[(\d\d:\d\d:\d\d)\](?!:)", raw))
    assert len(markers) == 6
    for marker in markers:
        words_after = " ".join(raw[marker.end() :].split()[:5])
        segment = segment_with(bolt, words_after)
        assert abs(segment.start_s - clock(marker[1])) <= 60, words_after


def test_every_turn_is_found_within_a_minute_of_its_time(bundled: ParsedSource) -> None:
    for index in (2, 3, 4):
        episode = bundled.episodes[index]
        raw = BUNDLED_TEXT.split("\n")[19 + 4 * index]
        transcript = raw[raw.index("Transcript") :]
        headers = list(re.finditer(r"\[(\d\d:\d\d:\d\d)\]: (\S+(?: \S+){5})", transcript))
        assert len(headers) > 50
        searchable = " ".join(segment.text for segment in episode.segments)
        for header in headers:
            opening = header[2]
            if searchable.count(opening) != 1:
                continue  # a stock phrase ("Yeah. Yeah. Yeah.") said more than once
            segment = next(s for s in episode.segments if opening in s.text)
            assert abs(segment.start_s - clock(header[1])) <= 60, opening


def test_segments_are_ordered_bounded_and_searchable(bundled: ParsedSource) -> None:
    for episode in bundled.episodes[2:]:
        starts = [segment.start_s for segment in episode.segments]
        assert starts == sorted(starts)
        assert episode.duration_s is not None
        assert starts[-1] <= episode.duration_s
        sizes = [len(segment.text.split()) for segment in episode.segments]
        assert max(sizes) <= 92
        assert sum(sizes) / len(sizes) >= 25  # not one segment per sentence either
        assert all(segment.text.strip() for segment in episode.segments)
        # Segments start where consecutive segments end: a long turn yields several, each with its own time.
        long_turn = [s for s in episode.segments if s.start_s and len(s.text.split()) >= 40]
        assert len({s.start_s for s in long_turn}) > len(long_turn) * 0.9
    bolt = bundled.episodes[2]
    assert "Should I say Bolt or StackBlitz?" in segment_with(bolt, "Excited to be here.").text


def test_a_pull_quote_stays_in_the_show_notes_and_is_not_transcript_twice(bundled: ParsedSource) -> None:
    claude = bundled.episodes[3]
    quote = "reducing that friction of integrations to almost zero"
    assert "Erik [00:53:39]: With computer use, just give the thing a browser" in claude.show_notes
    assert quote in claude.show_notes
    copy = segment_with(claude, quote)  # exactly one segment: the transcript's copy
    assert copy.speaker == "Erik"
    assert clock("00:53:39") <= copy.start_s <= clock("00:54:20")
    assert claude.segments[0].start_s == 0
    assert claude.segments[0].speaker == "Alessio"


# --- people -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "guests"),
    [
        # The title's "Varun" is the notes' "Varun Mohan"; "Anshul" has no surname anywhere.
        (0, {"Varun Mohan", "Anshul"}),
        # "today’s first-ever SOLO guest cohost, Brittany Walker"
        (1, {"Brittany Walker"}),
        # Transcript speakers; the notes name "Itamar Friedman" but never Eric's surname.
        (2, {"Itamar Friedman", "Eric"}),
        # Speaker "Erik" and title "Erik Schluntz" are one guest; "Eric Jang" in the notes is someone else.
        (3, {"Erik Schluntz"}),
        # "Today’s guest, Lin Qiao, …" and speaker "Lin"; the transcript's "Lin Qiang" is a mishearing.
        (4, {"Lin Qiao"}),
    ],
)
def test_guests_per_episode(bundled: ParsedSource, index: int, guests: set[str]) -> None:
    episode = bundled.episodes[index]
    assert episode.hosts == ("Alessio", "swyx")
    assert set(episode.guests) == guests
    assert len(episode.guests) == len(guests)
    assert all(person.role in (Role.HOST, Role.GUEST) for person in episode.people)


def test_a_host_is_never_a_guest(bundled: ParsedSource, night_shift: ParsedSource) -> None:
    for source in (bundled, night_shift):
        host_keys = {fold(host) for host in source.show.hosts}
        for episode in source.episodes:
            assert not host_keys & {fold(guest) for guest in episode.guests}


# --- a page written for these tests: other show, same traps -----------------------------------------------


def test_other_page_header_with_three_hosts(night_shift: ParsedSource) -> None:
    show = night_shift.show
    assert show.title == "Night Shift Radio: Conversations After Dark"
    assert show.hosts == ("Priya", "Tomasz", "Mbali")
    assert show.description.endswith("New episodes every other Thursday, recorded after midnight.")
    assert [episode.duration_s for episode in night_shift.episodes] == [
        clock("1:12:40"),
        clock("42:07"),
        4831,
    ]
    assert [episode.hosts for episode in night_shift.episodes] == [("Priya", "Tomasz", "Mbali")] * 3


def test_other_page_chapters_end_cleanly(night_shift: ParsedSource) -> None:
    cables, mailbag, owls = night_shift.episodes
    assert [(c.start_s, c.title) for c in cables.chapters] == [
        (0, "Welcome back"),
        (clock("00:03:15"), "What is a repeater, anyway?"),
        (clock("00:09:40"), 'Route planning: "avoid the trawlers"'),
        (clock("00:18:02"), "Repairs - grapnels, ships and patience"),
        (clock("00:41:00"), "The backbone nobody sees"),
        (clock("01:02:03"), "Is the cloud really under the sea?"),
    ]
    assert mailbag.chapters == ()
    # The last title is glued to a sponsor line, which goes back to the notes.
    assert [c.title for c in owls.chapters][-1] == "Closing: what’s next for the lab?"
    assert owls.show_notes.endswith("Thanks to our sponsor, Dusk Tea, for keeping us awake.")


def test_other_page_glued_names_and_untimed_turns(night_shift: ParsedSource) -> None:
    cables = night_shift.episodes[0]
    assert {segment.speaker for segment in cables.segments} == {"Priya", "Tomasz", "Ingrid"}
    honestly = segment_with(cables, "looking forward to this for weeks")
    assert (honestly.speaker, honestly.text[-8:]) == ("Ingrid", "honestly")
    assert segment_after(cables, honestly).speaker == "Tomasz"
    assert segment_after(cables, honestly).start_s == 21
    assert segment_with(cables, "about every eighty KM").speaker == "Ingrid"
    assert segment_with(cables, "need power, right? Like").speaker == "Priya"

    fishing = segment_with(cables, "So you map the fishing grounds first?")
    assert fishing.speaker == "Tomasz"
    assert clock("00:09:44") <= fishing.start_s < clock("00:11:00")
    survey = segment_with(cables, "how long does the survey take?")
    assert survey.speaker == "Tomasz"  # written "Sotomasz:" in the capture
    assert clock("00:11:00") <= survey.start_s < clock("00:12:00")
    lay = segment_with(cables, "And then you lay it.")
    assert lay.speaker == "Priya"
    assert clock("00:12:00") <= lay.start_s < clock("00:13:00")
    # A name and a colon after a space is speech, not a new turn.
    storms = segment_with(cables, "I remember telling Priya: never again")
    assert storms.speaker == "Ingrid"


def test_other_page_long_turn_gets_times_within_it(night_shift: ParsedSource) -> None:
    cables = night_shift.episodes[0]
    first = segment_with(cables, "A repeater is an amplifier that sits on the seabed.")
    second = segment_after(cables, first)
    assert first.start_s == clock("00:03:15")
    assert second.speaker == "Ingrid"
    assert clock("00:03:15") < second.start_s < clock("00:05:30")


def test_other_page_pull_quote(night_shift: ParsedSource) -> None:
    cables = night_shift.episodes[0]
    quote = "Every video call you make crosses it twice."
    assert "Ingrid [00:41:20]: The ocean floor is the real backbone" in cables.show_notes
    assert "Full episode notes and photos are on our site." in cables.show_notes
    assert segment_with(cables, quote).start_s == clock("00:41:20")


def test_other_page_episode_with_notes_only(night_shift: ParsedSource) -> None:
    mailbag = night_shift.episodes[1]
    assert mailbag.title == "Listener Mailbag #12"
    assert mailbag.show_notes == (
        "We read your letters about owls, insomnia and the best night buses. Thank you for writing in!"
    )
    assert mailbag.chapters == ()
    assert mailbag.segments == ()
    assert mailbag.guests == ()


def test_other_page_guests(night_shift: ParsedSource) -> None:
    cables, mailbag, owls = night_shift.episodes
    # From the title, the notes ("Today’s guest, Ingrid Halvorsen") and the speaker "Ingrid": one guest.
    assert cables.guests == ("Ingrid Halvorsen",)
    assert mailbag.guests == ()
    # "Ola" has no surname in the text; "Kari Nordmann" is someone else, who speaks once, full name.
    assert set(owls.guests) == {"Ola", "Kari Nordmann"}
    assert segment_with(owls, "Can I jump in here?").speaker == "Kari Nordmann"


def test_page_with_two_hosts_and_minute_chapters(garden_hour: ParsedSource) -> None:
    show = garden_hour.show
    assert show.hosts == ("Ruth", "Omar")
    # No About section: the header's shortened description, marked as shortened.
    assert show.description.startswith("Two allotment neighbours answer your gardening questions")
    assert show.description.endswith("Every week we …")
    compost, frost = garden_hour.episodes
    assert [(c.start_s, c.title) for c in compost.chapters] == [
        (0, "Intro"),
        (clock("12:30"), "Soil basics"),
        (clock("75:10"), "Compost: your questions"),
    ]
    assert compost.guests == ("June Park",)
    assert compost.show_notes == "June Park keeps four compost bays and a wormery on a balcony."
    assert (frost.duration_s, frost.chapters, frost.segments, frost.guests) == (clock("31:45"), (), (), ())


# --- errors and detection ---------------------------------------------------------------------------------


def test_a_page_without_episodes_is_a_parse_error_a_user_can_act_on() -> None:
    with pytest.raises(ParseError) as raised:
        parse_page((PAGES / "no-episodes.txt").read_text(encoding="utf-8"))
    assert str(raised.value) == (
        "the page for Quiet Hours lists no episodes: save it again with the episode list showing"
    )


@pytest.mark.parametrize("text", ["", "Just a note.\n", '<?xml version="1.0"?><rss version="2.0"/>'])
def test_text_that_is_no_page_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_page(text)


@pytest.mark.parametrize("name", ["night-shift.txt", "garden-hour.txt", "no-episodes.txt"])
def test_pages_are_recognised(name: str) -> None:
    assert looks_like_page(BUNDLED_TEXT)
    assert looks_like_page((PAGES / name).read_text(encoding="utf-8"))


NOT_PAGES = {
    "rss": (
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Show</title>\n'
        "<description>\nAvailable Episodes\n  • One\n    notes\n    --------\n    1:00:00\n</description>"
        "</channel></rss>"
    ),
    "rss after a blank line": '\n<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>',
    "json chapters": '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}',
    "json transcript": '[{"speaker": "Alessio", "startTime": 0, "body": "Hey"}]',
    "vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\n<v Alessio>Hey everyone\n",
    "srt": (
        "1\n00:00:00,000 --> 00:00:05,000\nAlessio: Hey everyone\n\n"
        "2\n00:00:05,000 --> 00:00:09,000\nswyx: Hi\n"
    ),
    "random text": "Shopping list\n  • eggs\n  • flour\n\nCall the plumber at 10:30.\n",
    "empty": "",
}


@pytest.mark.parametrize("text", NOT_PAGES.values(), ids=NOT_PAGES.keys())
def test_other_formats_are_not_pages(text: str) -> None:
    assert not looks_like_page(text)


# --- the show-notes parser on notes with one paragraph a line (as a feed's HTML converts) ------------------


def test_show_notes_with_a_paragraph_per_line() -> None:
    notes = parse_show_notes((PAGES / "shownotes-lines.txt").read_text(encoding="utf-8"), ["Ruth", "Omar"])
    assert notes.description == (
        "In this episode Ruth and Omar talk to June Park about bees and the people who keep them.\n\n"
        "Thanks to everyone who sent in questions."
    )
    assert [(c.start_s, c.title) for c in notes.chapters] == [
        (0, "Welcome"),
        (24, 'Origins of the hive: "who\'s the queen?"'),
        (clock("00:12:05"), "Swarms - and why they leave"),
    ]
    assert [(s.start_s, s.speaker) for s in notes.segments] == [
        (3, "Ruth"),
        (24, "June"),
        (725, "Omar"),
        (729, "June"),
    ]
    assert notes.segments[0].text == "Welcome to the Garden Hour. Today we have June Park with us."
    assert notes.guests == ("June Park",)


def test_show_notes_without_a_transcript_header_skip_the_pull_quote() -> None:
    text = (
        "Ada [00:30:00]: Nobody reads the manual.A talk about manuals.Chapters* 00:00 Intro* 10:00 Manuals"
        "Ada [00:00:00]: Hi, I'm Ada.Bo [00:00:05]: Hello Ada.Ada [00:00:09]: Let's talk manuals."
        "Bo [00:10:00]: Why does nobody read them?Ada [00:30:00]: Nobody reads the manual."
    )
    notes = parse_show_notes(text, ["Bo"])
    assert notes.description == "Ada [00:30:00]: Nobody reads the manual.\nA talk about manuals."
    assert [c.title for c in notes.chapters] == ["Intro", "Manuals"]
    assert [(s.start_s, s.speaker) for s in notes.segments] == [
        (0, "Ada"),
        (5, "Bo"),
        (9, "Ada"),
        (600, "Bo"),
        (1800, "Ada"),
    ]
    assert notes.guests == ("Ada",)


def test_show_notes_with_a_pull_quote_and_no_transcript_keep_their_chapters() -> None:
    text = (
        "Our guest explains indexes.Cy [00:12:00]: An index is a promise you make to your future self."
        "Timestamps* 00:00 Hello* 12:00 Indexes* 30:00 Goodbye"
    )
    notes = parse_show_notes(text, ["Ann", "Bo"])
    assert notes.description == (
        "Our guest explains indexes.\nCy [00:12:00]: An index is a promise you make to your future self."
    )
    assert [(c.start_s, c.title) for c in notes.chapters] == [
        (0, "Hello"),
        (720, "Indexes"),
        (1800, "Goodbye"),
    ]
    assert notes.segments == ()


def test_a_blank_line_ends_a_chapter_list() -> None:
    text = "Chapters\n00:00 Hello\n05:00 The middle\n\n10:30 is when the bakery opens, by the way.\n"
    notes = parse_show_notes(text)
    assert [c.title for c in notes.chapters] == ["Hello", "The middle"]
    assert notes.description == "10:30 is when the bakery opens, by the way."


def test_numbered_speaker_labels_are_speakers_but_not_guests() -> None:
    text = (
        "A chat.TranscriptSpeaker 1 [00:00:00]: Hello there.Speaker 2 [00:00:04]: Hi, I'm Dee."
        "Speaker 1 [00:00:07]: Welcome, Dee.Speaker 2 [00:00:09]: Thanks."
    )
    notes = parse_show_notes(text)
    assert notes.speakers == ("Speaker 1", "Speaker 2")
    assert [s.start_s for s in notes.segments] == [0, 4, 7, 9]
    assert notes.guests == ()


def test_a_wrong_time_in_a_transcript_does_not_derail_the_rest() -> None:
    text = (
        "TranscriptAnn [00:00:00]: Hello.Bo [00:00:10]: Hi.Ann [09:59:00]: This time is a typo."
        "Bo [00:00:30]: Back on track.Ann [00:00:40]: Good."
    )
    notes = parse_show_notes(text)
    starts = [segment.start_s for segment in notes.segments]
    assert starts[:2] == [0, 10]
    assert 10 <= starts[2] <= 30
    assert starts[3:] == [30, 40]


# --- people helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "hosts"),
    [
        ("Alessio + swyx", ("Alessio", "swyx")),
        ("Priya, Tomasz & Mbali", ("Priya", "Tomasz", "Mbali")),
        ("Ruth and Omar", ("Ruth", "Omar")),
        ("Ann Lee, Bo Diaz, and Cy Ng", ("Ann Lee", "Bo Diaz", "Cy Ng")),
        ("Sandy Anderson", ("Sandy Anderson",)),
    ],
)
def test_bylines_split_into_hosts(byline: str, hosts: tuple[str, ...]) -> None:
    assert split_byline(byline) == hosts


@pytest.mark.parametrize(
    ("title", "guests"),
    [
        ("Windsurf: The Enterprise AI IDE - with Varun and Anshul of Codeium AI", ("Varun", "Anshul")),
        ("Building SOTA Agents — with Erik Schluntz, Anthropic", ("Erik Schluntz",)),
        ("Compost, Worms and Patience (with June Park)", ("June Park",)),
        ("Maps – with Ann Lee, Bo Diaz and Cy Ng, Atlas Inc", ("Ann Lee", "Bo Diaz", "Cy Ng")),
        ("Chatting with friends about coffee", ()),
        ("Why Compound AI + Open Source will beat Closed AI", ()),
    ],
)
def test_titles_name_their_guests(title: str, guests: tuple[str, ...]) -> None:
    assert guests_from_title(title) == guests
