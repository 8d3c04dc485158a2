"""Podcasting 2.0 chapter files (`application/json+chapters`) to chapters.

`{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro", "img": …, "url": …, "toc": false}]}`.
Chapters with `toc: false` (ads, artwork changes) are kept but marked, so listings can hide them. Start
times written as strings (`"00:01:30"`) are read too; chapters come out in time order.
"""

from __future__ import annotations

from bot.ingest.errors import ParseError
from bot.ingest.json_text import load_json
from bot.ingest.transcript import parse_time
from bot.models import Chapter


def parse_chapters(raw: bytes | str) -> tuple[Chapter, ...]:
    data = load_json(raw, "the chapters file")
    items = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ParseError("the chapters file has no chapters list")
    chapters = []
    for item in items:
        if not isinstance(item, dict):
            continue
        start = parse_time(item.get("startTime"))
        if start is None:
            continue
        title = item.get("title")
        title = " ".join(title.split()) if isinstance(title, str) else ""
        end = parse_time(item.get("endTime"))
        url = item.get("url") if isinstance(item.get("url"), str) else None
        # An untitled chapter (only an image change) has nothing to list.
        toc = item.get("toc") is not False and bool(title)
        chapters.append(
            Chapter(
                start_s=int(start),
                title=title,
                end_s=int(end) if end is not None and end > start else None,
                url=(url.strip() or None) if url else None,
                toc=toc,
            )
        )
    chapters.sort(key=lambda c: c.start_s)
    return tuple(chapters)
