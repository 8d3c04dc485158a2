"""A small show shaped like the bundled page (same titles, guests and tricky words), built from models so
that search tests control exactly which words sit in which field, plus distractors that mention the
same words only in show notes or chapters."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Chapter, Episode, ParsedSource, Person, Role, Segment, Show

HOSTS = (Person("Alessio", Role.HOST), Person("swyx", Role.HOST))

WINDSURF = "Windsurf: The Enterprise AI IDE - with Varun and Anshul of Codeium AI"
ICML = "Generative Video WorldSim, Diffusion, Vision, Reinforcement Learning and Robotics — ICML 2024 Part 1"
BOLT = "Bolt.new, Flow Engineering for Code Agents, and >$8m ARR in 2 months as a Claude Wrapper"
CLAUDE = "The new Claude 3.5 Sonnet, Computer Use, and Building SOTA Agents — with Erik Schluntz, Anthropic"
COMPOUND = "Why Compound AI + Open Source will beat Closed AI"
GADGETS = "Gadgets, Gardens and Other Hobbies"
TOOLS = "Tools We Like This Year"


def _ep(title: str, day: int, *, guests: tuple[str, ...], **fields: object) -> Episode:
    return Episode(
        title=title,
        guid=f"test-{title[:12]}",
        published=datetime(2024, 12, day, tzinfo=UTC),
        people=(*HOSTS, *(Person(g, Role.GUEST) for g in guests)),
        **fields,  # type: ignore[arg-type]
    )


BOLT_SEGMENTS = (
    Segment(0, "Welcome back to the pod, today we have Eric from StackBlitz.", "swyx"),
    Segment(35, "Thanks for having me. So we spent years building the browser runtime.", "Eric"),
    Segment(90, "The WebContainer runs Node.js inside the browser tab, no servers at all.", "Eric"),
    Segment(150, "Isn't that the dream? Self healing code that fixes its own errors.", "swyx"),
    Segment(210, "WebContainers are why Bolt can boot a dev server in milliseconds.", "Eric"),
    Segment(270, "In web container land you google how to turn a docker container into something.", "Eric"),
    Segment(330, "Healing is hard, and self correction even more so for agents.", "Itamar"),
    Segment(400, "We reached eight million dollars ARR in two months, running on Claude.", "Eric"),
)

EPISODES = (
    _ep(
        WINDSURF,
        20,
        guests=("Varun Mohan", "Anshul Ramachandran"),
        duration_s=3995,
        show_notes="Our second podcast guest ever was Varun Mohan, CEO of Codeium. They recently launched Windsurf.",
        chapters=(
            Chapter(0, "Introductions & Catchup"),
            Chapter(232, "Why they created Windsurf"),
            Chapter(1518, "Evolution of Codeium's strategy"),
        ),
        segments=(
            Segment(0, "Hey everyone, welcome to the Latent Space podcast.", "Alessio"),
            Segment(40, "Cascade is the agent inside Windsurf that edits many files at once.", "Varun Mohan"),
        ),
    ),
    _ep(
        ICML,
        13,
        guests=("Brittany Walker",),
        duration_s=14867,
        show_notes="In light of Sora Turbo's launch today we drop part one of our ICML recordings.",
        chapters=(Chapter(0, "Intro"), Chapter(600, "Video generation and world models")),
    ),
    _ep(
        BOLT,
        2,
        guests=("Eric Simons", "Itamar Friedman"),
        duration_s=3505,
        show_notes="Eric Simons of StackBlitz on building the WebContainer and shipping Bolt.",
        chapters=(Chapter(0, "Introductions"), Chapter(720, "WebContainers and the browser runtime")),
        segments=BOLT_SEGMENTS,
    ),
    _ep(
        CLAUDE,
        1,
        guests=("Erik Schluntz",),
        duration_s=4320,
        show_notes="Erik Schluntz from Anthropic on Computer Use and SWE-Bench.",
        chapters=(
            Chapter(0, "Introductions"),
            Chapter(1260, "SWE-Bench verified and agent scaffolds"),
            Chapter(2400, "Computer use demos"),
        ),
        segments=(
            Segment(0, "Erik, you worked on the SWE-Bench agent for Claude.", "swyx"),
            Segment(60, "Yes, we wanted the simplest scaffold: a bash tool and an edit tool.", "Erik"),
        ),
    ),
    _ep(
        COMPOUND,
        1,
        guests=("Lin Qiao",),
        duration_s=3600,
        show_notes="Fireworks AI founder Lin Qiao on compound AI systems and open models.",
        chapters=(Chapter(0, "Intro"), Chapter(300, "From PyTorch to Fireworks")),
    ),
    # Distractors: the same words, but only in show notes or a chapter, or a person with a similar name.
    _ep(
        GADGETS,
        5,
        guests=("Lina Qiang",),
        duration_s=1800,
        show_notes="We mention Windsurf and a bolt cutter and Codeium in passing, and Schluntz once.",
        chapters=(Chapter(0, "Intro"), Chapter(90, "Garden tools")),
    ),
    _ep(
        TOOLS,
        6,
        guests=("Ana Torres",),
        duration_s=2000,
        show_notes="A year of tools.",
        chapters=(Chapter(0, "Intro"), Chapter(120, "Why we switched to Windsurf")),
    ),
)


def latent_like() -> ParsedSource:
    show = Show(title="Latent-like Test Show", key="test:latent-like", hosts=("Alessio", "swyx"))
    return ParsedSource(format="test", show=show, episodes=EPISODES)
