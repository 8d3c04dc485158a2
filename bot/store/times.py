"""Moments as the follow tables store them: ISO 8601 UTC text, to the second."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
