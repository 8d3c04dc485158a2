"""A tiny stand-in for Discord's REST API and gateway on 127.0.0.1, for `podbot run` and `podbot sync`.

It answers the few routes a login, a command sync and a gateway connection use; the gateway accepts the
websocket and then says nothing, which leaves a started bot waiting for Discord, as it would on a slow
network, until it is told to stop. Given `close_at_identify`, it says HELLO instead, waits for the bot's
IDENTIFY and closes the websocket with that code, as Discord does with 4004 for a token it rejects there.
Given `ready=True`, it answers IDENTIFY with READY (no servers) and acknowledges heartbeats, so the bot
comes up as connected and serves until it is told to stop.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

GOOD_TOKEN = "fake-good-token.abc.def"
# Gateway opcodes (discord.gateway.DiscordWebSocket): the server's first message, the client's login.
HELLO = 10
IDENTIFY = 2
DISPATCH = 0
HEARTBEAT = 1
HEARTBEAT_ACK = 11
APP_ID = 1_100_000_000_000_000_001


@dataclass
class FakeDiscord:
    base: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    synced: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gateway_connects: int = 0
    identified: bool = False


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body as JSON only for exactly "application/json" (no charset), as Discord sends.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _authorised(request: web.Request) -> bool:
    return request.headers.get("Authorization") == f"Bot {GOOD_TOKEN}"


def _unauthorised() -> web.Response:
    return _json({"message": "401: Unauthorized", "code": 0}, status=401)


def _ready(host: str, identify: dict[str, Any]) -> dict[str, Any]:
    return {
        "v": 10,
        "user": {"id": str(APP_ID), "username": "podbot", "discriminator": "0", "avatar": None, "bot": True},
        "guilds": [],
        "session_id": "fake-session",
        "resume_gateway_url": f"ws://{host}/gateway",
        "shard": identify["d"].get("shard", [0, 1]),
        "application": {"id": str(APP_ID), "flags": 0},
    }


@contextlib.asynccontextmanager
async def fake_discord(
    *, close_at_identify: int | None = None, ready: bool = False
) -> AsyncIterator[FakeDiscord]:
    state = FakeDiscord()

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        state.requests.append((request.method, request.path))
        if request.path.startswith("/api/") and not _authorised(request):
            return _unauthorised()
        return await handler(request)

    async def me(request: web.Request) -> web.Response:
        return _json(
            {"id": str(APP_ID), "username": "podbot", "discriminator": "0", "avatar": None, "bot": True}
        )

    async def application(request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(APP_ID),
                "name": "podbot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": {"id": "4242", "username": "owner", "discriminator": "0", "avatar": None},
            }
        )

    async def put_commands(request: web.Request) -> web.Response:
        body = await request.json()
        scope = request.match_info.get("guild", "global")
        state.synced[scope] = body
        answered = [
            {**command, "id": str(900 + i), "application_id": str(APP_ID), "version": "1"}
            for i, command in enumerate(body)
        ]
        return _json(answered)

    async def gateway_bot(request: web.Request) -> web.Response:
        host = request.host
        return _json(
            {
                "url": f"ws://{host}/gateway",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def gateway(request: web.Request) -> web.WebSocketResponse:
        state.gateway_connects += 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if ready:
            await ws.send_json({"op": HELLO, "d": {"heartbeat_interval": 45_000}})
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                sent = json.loads(message.data)
                if sent.get("op") == HEARTBEAT:
                    await ws.send_json({"op": HEARTBEAT_ACK})
                elif sent.get("op") == IDENTIFY:
                    state.identified = True
                    await ws.send_json(
                        {"op": DISPATCH, "s": 1, "t": "READY", "d": _ready(request.host, sent)}
                    )
            return ws
        if close_at_identify is None:
            async for _message in ws:  # silent: no HELLO, the bot keeps waiting
                pass
            return ws
        await ws.send_json({"op": HELLO, "d": {"heartbeat_interval": 45_000}})
        async for message in ws:
            if message.type == WSMsgType.TEXT and json.loads(message.data).get("op") == IDENTIFY:
                state.identified = True
                await ws.close(code=close_at_identify, message=b"Authentication failed.")
        return ws

    app = web.Application(middlewares=[record])
    app.router.add_get("/api/v10/users/@me", me)
    app.router.add_get("/api/v10/oauth2/applications/@me", application)
    app.router.add_put("/api/v10/applications/{app}/commands", put_commands)
    app.router.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", put_commands)
    app.router.add_get("/api/v10/gateway/bot", gateway_bot)
    app.router.add_get("/gateway", gateway)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.base = f"http://127.0.0.1:{port}/api/v10"
    try:
        yield state
    finally:
        await runner.cleanup()


# `podbot` with discord.py pointed at the fake: the one thing a test changes about the real program.
LAUNCHER = (
    "import sys, discord.http; discord.http.Route.BASE = sys.argv[1]; "
    "sys.argv = ['podbot', *sys.argv[2:]]; from bot.cli import main; main()"
)
