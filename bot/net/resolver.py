"""The DNS resolver of podbot's HTTP connections: the system's, refusing any host with a forbidden address.

The address checked is the address connected to (see bot/net/guard.py). Apart from guard.py because it
subclasses aiohttp's resolver: importing it loads aiohttp, which only a command that fetches needs.
"""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.net.guard import AddressPolicy, check_resolved


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver and refuses a host if any of its addresses is not permitted."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        check_resolved(self._policy, host, [result["host"] for result in results])
        return results

    async def close(self) -> None:
        await self._inner.close()
