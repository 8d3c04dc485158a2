"""JSON documents read the way every parser here needs: any failure is the parser's own format error."""

from __future__ import annotations

import json
from typing import Any

from bot.ingest.errors import ParseError


def load_json(text: str | bytes, what: str) -> Any:
    """The decoded document; ParseError naming `what` ("the chapters file") when it cannot be read.

    Besides invalid JSON, the standard library raises ValueError for an integer of more than 4,300 digits
    and RecursionError for deep nesting (100,000 `[`): both are a broken file, not a bug.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{what} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (ValueError, RecursionError):
        raise ParseError(
            f"{what} is not JSON that podbot can read (nested too deep or a number too long)"
        ) from None
