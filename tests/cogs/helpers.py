"""What the tests look at: the messages the bot sent, as Discord received them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.store import Store
from tests.factories import make_source

if TYPE_CHECKING:
    from pathlib import Path

    import simcord

    from bot.models import Episode

# Interaction callback types that carry a message: 4 = reply, 7 = update the clicked message.
MESSAGE_CALLBACKS = {4, 7}


def message_bodies(env: simcord.Env) -> list[dict[str, Any]]:
    """Every message body the bot sent or edited over REST: replies, follow-ups and edits."""
    bodies = []
    for request in env.http_requests:
        body = request.json
        if not isinstance(body, dict):
            continue
        if request.path.endswith("/callback") and body.get("type") in MESSAGE_CALLBACKS:
            bodies.append(body.get("data") or {})
        elif (request.path.startswith("/webhooks/") and request.method in {"POST", "PATCH"}) or (
            request.path.startswith("/channels/") and request.path.endswith("/messages")
        ):
            bodies.append(body)
    return bodies


def callback_types(env: simcord.Env) -> list[int]:
    return [
        r.json["type"]
        for r in env.http_requests
        if r.path.endswith("/callback") and isinstance(r.json, dict) and "type" in r.json
    ]


def embed_text(embed: Any) -> str:
    """All the text of an embed, for "does it say X" assertions."""
    data = embed.to_dict() if hasattr(embed, "to_dict") else embed
    parts = [data.get("title", ""), data.get("description", ""), (data.get("footer") or {}).get("text", "")]
    parts += [(data.get("author") or {}).get("name", "")]
    for field in data.get("fields", []):
        parts += [field["name"], field["value"]]
    return "\n".join(p for p in parts if p)


def embed_size(embed: Any) -> int:
    data = embed.to_dict() if hasattr(embed, "to_dict") else embed
    total = sum(len(data.get(k) or "") for k in ("title", "description"))
    total += len((data.get("footer") or {}).get("text", "")) + len((data.get("author") or {}).get("name", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
    return total


def buttons(message: Any) -> list[dict[str, Any]]:
    rows = message.components if hasattr(message, "components") else message
    return [c for row in rows for c in row.get("components", []) if c.get("type") == 2]


def button(message: Any, label: str) -> dict[str, Any]:
    found = [b for b in buttons(message) if b.get("label") == label]
    assert len(found) == 1, f"no single {label!r} button in {buttons(message)}"
    return found[0]


async def store_with(location: str | Path, *episodes: Episode, title: str = "Test Show") -> Store:
    """A fresh store (a SQLite file or a PostgreSQL database) holding exactly `episodes`."""
    store = await Store.open(location)
    await store.catalog.ingest(make_source(*episodes, title=title))
    return store
