"""A short, clean description of an episode from its show notes: the first sentences, nothing else.

Show notes carry chapter lists, transcripts, sponsor reads, event promotions and HTML; a listener
deciding whether to play an episode wants the two or three sentences that say what it is about.
"""

from __future__ import annotations

import html
import re

# Where the prose of show notes ends and the lists begin.
_SECTION_START = re.compile(
    r"\b(?:Chapters|Timestamps|Transcript|Show\s*Notes|Full\s+transcript|Links|Sponsors?)"
    r"\s*(?:[*:•]|(?=\[?\d{1,2}:\d{2}))"
    r"|\[?\b\d{1,2}:\d{2}(?::\d{2})?\b\]?"
    r"|Get full access to",
    re.IGNORECASE,
)
# Calls to action that mark a paragraph as an announcement rather than a description of the episode.
_PROMOTION = re.compile(
    r"\b(?:tickets?|sign\s*up|register|rsvp|submit\s+(?:your\s+)?questions|use\s+code|promo\s+code|discount"
    r"|giveaway|sponsored\s+by|subscribe|join\s+us|last\s+call|events?\s+page|speakpipe)\b",
    re.IGNORECASE,
)
_BLOCK_END = re.compile(r"<\s*(?:br|/p|/li|/div|/h\d|/blockquote)\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"[ \t\r\f\v]+")
# A sentence ends at . ! or ? followed by a capital, even when a capture glued them ("Vancouver!We’ve").
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s*(?=[A-Z“\"])")


def paragraphs(notes: str) -> list[str]:
    """Show notes as paragraphs of plain text: HTML blocks become breaks, tags and URLs go."""
    text = _BLOCK_END.sub("\n", notes)
    text = html.unescape(_TAG.sub(" ", text))
    text = _URL.sub("", text)
    return [p for p in (_SPACE.sub(" ", line).strip() for line in text.splitlines()) if p]


def _prose(notes: str) -> list[str]:
    """The paragraphs before the first chapter list or transcript, without leading announcements."""
    prose: list[str] = []
    for paragraph in paragraphs(notes):
        section = _SECTION_START.search(paragraph)
        if section:
            head = paragraph[: section.start()].strip()
            if head:
                prose.append(head)
            break
        prose.append(paragraph)
    # Many shows open with news ("tickets on sale…"); the episode's own description follows it.
    while len(prose) > 1 and _PROMOTION.search(prose[0]):
        prose.pop(0)
    return prose


def short_description(notes: str, *, target: int = 280, limit: int = 420) -> str:
    """The first sentences of `notes`, about `target` characters, never more than `limit`.

    Sentences are taken whole until `target` is reached; a first sentence longer than `limit` is cut
    at a word with "…". Empty when the notes hold no prose before their first list.
    """
    text = " ".join(_prose(notes))
    if not text:
        return ""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    out = ""
    for sentence in sentences:
        candidate = f"{out} {sentence}".strip()
        if out and len(candidate) > limit:
            break
        out = candidate
        if len(out) >= target:
            break
    if len(out) > limit:
        cut = out[: limit - 1]
        space = cut.rfind(" ")
        out = (cut[:space] if space > limit * 0.6 else cut).rstrip(" ,;:-") + "…"
    return out
