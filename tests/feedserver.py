"""A real HTTP server on 127.0.0.1 for feed tests: serves feeds and files, and the faults real servers have.

Tests put content on paths (`serve`) or install their own aiohttp handlers (`route`), then read what the
server saw (`hits`, `requests`). Conditional GET is honoured when a test gives an ETag or Last-Modified.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    _routes: dict[str, Handler] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def route(self, path: str, handler: Handler) -> str:
        self._routes[path] = handler
        return self.url(path)

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml",
        etag: str | None = None,
        last_modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        gzipped: bool = False,
    ) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            sent = {"Content-Type": content_type, **(headers or {})}
            if etag:
                sent["ETag"] = etag
            if last_modified:
                sent["Last-Modified"] = last_modified
            if (etag and request.headers.get("If-None-Match") == etag) or (
                last_modified and not etag and request.headers.get("If-Modified-Since") == last_modified
            ):
                return web.Response(
                    status=304, headers={k: v for k, v in sent.items() if k != "Content-Type"}
                )
            payload = body
            if gzipped:
                payload = gzip.compress(body)
                sent["Content-Encoding"] = "gzip"
            return web.Response(status=status, body=payload, headers=sent)

        return self.route(path, handler)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": to})

        return self.route(path, handler)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen(request.path, dict(request.headers)))
        handler = self._routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)


async def trickle(request: web.Request) -> web.StreamResponse:
    """Answers at once, then sends one byte every 50 ms for ever: only a total timeout stops it."""
    response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
    await response.prepare(request)
    await response.write(b"<?xml version='1.0'?><rss><channel><title>slow</title>")
    while True:
        await response.write(b" ")
        await asyncio.sleep(0.05)


async def stalls(request: web.Request) -> web.StreamResponse:
    """Never answers."""
    await asyncio.sleep(3600)
    return web.Response(text="too late")


def endless(total_bytes: int, *, declare_length: bool) -> Handler:
    """A body of `total_bytes`, streamed in 1 MB chunks and never built in memory."""
    chunk = b"<!-- padding -->" * (1024 * 1024 // 16)

    async def handler(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": "application/rss+xml"}
        if declare_length:
            headers["Content-Length"] = str(total_bytes)
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        sent = 0
        try:
            while sent < total_bytes:
                await response.write(chunk)
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up, as it should
        return response

    return handler


@contextlib.contextmanager
def feed_server_thread() -> Iterator[FeedServer]:
    """A FeedServer on its own event loop in a thread, for tests that drive the synchronous CLI."""
    server = FeedServer()
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(5)

    async def shut_down() -> None:
        await server.stop()
        # Handlers that never finish (`stalls`) must end here, not be destroyed pending when the loop closes
        # (asyncio would log that, later, into whatever test is running then).
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(shut_down(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
