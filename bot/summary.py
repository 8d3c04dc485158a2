"""A short, clean description of an episode from its show notes: the first sentences, nothing else.

Show notes carry chapter lists, transcripts, sponsor links and HTML; a listener deciding whether to play
an episode wants the two or three sentences that say what it is about.
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
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")
# A sentence ends at . ! or ? followed by a capital, even when a capture glued them ("Vancouver!We’ve").
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s*(?=[A-Z“\"])")


def clean_notes(notes: str) -> str:
    """Show notes as one line of prose: tags and entities gone, URLs dropped, whitespace collapsed."""
    text = _TAG.sub(" ", notes)
    text = html.unescape(text)
    text = _URL.sub("", text)
    return _SPACE.sub(" ", text).strip()


def short_description(notes: str, *, target: int = 280, limit: int = 420) -> str:
    """The first sentences of `notes`, about `target` characters, never more than `limit`.

    Sentences are taken whole until `target` is reached; a first sentence longer than `limit` is cut
    at a word with "…". Empty when the notes hold no prose before their first list.
    """
    text = clean_notes(notes)
    section = _SECTION_START.search(text)
    if section:
        text = text[: section.start()].strip()
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
