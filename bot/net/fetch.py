"""Fetching one URL politely and safely: conditional GET, timeouts, a size cap, checked redirects, gzip.

Every way a fetch can fail ends in a FetchError whose message is one sentence a server manager can act on
("the server answered 404 Not Found"); nothing here raises aiohttp's or asyncio's exceptions to callers.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Self

from yarl import URL

from bot import __version__
from bot.net.guard import AddressPolicy, BlockedURL, check_url

if TYPE_CHECKING:
    from types import TracebackType

    import aiohttp

# aiohttp (and the resolver built on it) is imported where a request is made, not here: FetchError and the
# limits are read by commands that only read files (`podbot ingest FILE`), which need not load it (0.15 s).

log = logging.getLogger(__name__)

USER_AGENT = f"podbot/{__version__} (podcast feed reader for Discord)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
# Bodies larger than this are joined in a worker thread: copying a 15 MB feed into one fresh buffer took
# 5-17 ms of the event loop's thread (most of it the new pages' first touch).
_JOIN_OFF_LOOP_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    connect_s: float = 10.0
    total_s: float = 30.0
    max_bytes: int = 32 * 1024 * 1024
    max_redirects: int = 5


# Feeds may be large and slow; chapter and transcript files are small and must not hold up an ingest.
FEED_LIMITS = Limits()
FILE_LIMITS = Limits(connect_s=5.0, total_s=15.0, max_bytes=10 * 1024 * 1024, max_redirects=3)


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server said about the last copy: sent back so an unchanged feed costs a 304 and no body."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # where the body came from, after redirects
    status: int
    body: bytes  # empty when not_modified
    content_type: str
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == HTTPStatus.NOT_MODIFIED


class FetchError(Exception):
    """A fetch failed. `permanent` failures (a 404, a refused URL) will not fix themselves by retrying soon."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        permanent: bool = False,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.permanent = permanent
        self.retry_after_s = retry_after_s


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, which is either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class Fetcher:
    """One aiohttp session with the URL guard in its resolver. Open with `async with`, or call close()."""

    def __init__(self, policy: AddressPolicy, *, connections: int = 50, per_host: int = 6) -> None:
        self.policy = policy
        self._connections = connections
        self._per_host = per_host
        self._session: aiohttp.ClientSession | None = None

    def _session_now(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop that will use it.
        if self._session is None:
            import aiohttp

            from bot.net.resolver import GuardedResolver

            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.policy),
                limit=self._connections,
                limit_per_host=self._per_host,
                ttl_dns_cache=60,
            )
            # trust_env=False: an HTTP(S)_PROXY in the environment would make the guard check the proxy
            # instead of the real destination.
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": USER_AGENT}, trust_env=False
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def fetch(
        self, url: str, *, limits: Limits = FEED_LIMITS, validators: Validators | None = None
    ) -> FetchResult:
        """GET `url`, following up to `limits.max_redirects` redirects, each hop checked by the guard."""
        try:
            async with asyncio.timeout(limits.total_s):
                return await self._follow(url, limits, validators or Validators())
        except TimeoutError:
            raise FetchError(f"no complete answer within {limits.total_s:g} s") from None

    async def _follow(self, url: str, limits: Limits, validators: Validators) -> FetchResult:
        headers = {"Accept-Encoding": "gzip, deflate"}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=None, connect=limits.connect_s, sock_read=limits.connect_s * 2)
        visited: set[URL] = set()
        current = _checked(url, self.policy)
        for _hop in range(limits.max_redirects + 1):
            if current in visited:
                raise FetchError("the server redirects in a loop", permanent=True)
            visited.add(current)
            async with self._request(current, headers, timeout) as response:
                if response.status in _REDIRECTS and "Location" in response.headers:
                    current = _checked(current.join(URL(response.headers["Location"])), self.policy)
                    continue
                return await self._result(current, response, limits)
        raise FetchError(f"the server redirects more than {limits.max_redirects} times", permanent=True)

    def _request(self, url: URL, headers: dict[str, str], timeout: aiohttp.ClientTimeout) -> _GuardedRequest:
        return _GuardedRequest(self._session_now(), url, headers, timeout)

    async def _result(self, url: URL, response: aiohttp.ClientResponse, limits: Limits) -> FetchResult:
        validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status == HTTPStatus.NOT_MODIFIED:
            return FetchResult(str(url), response.status, b"", content_type, validators)
        if response.status >= 400:
            raise FetchError(
                f"the server answered {_status_text(response.status)}",
                status=response.status,
                permanent=response.status in (404, 410) or response.status in (401, 403),
                retry_after_s=_retry_after(response.headers.get("Retry-After")),
            )
        if response.status != HTTPStatus.OK:
            raise FetchError(f"the server answered {_status_text(response.status)}", status=response.status)
        body = await _read_capped(response, limits.max_bytes)
        return FetchResult(str(url), response.status, body, content_type, validators)


def _checked(url: str | URL, policy: AddressPolicy) -> URL:
    try:
        return check_url(url, policy)
    except BlockedURL as exc:
        raise FetchError(str(exc), permanent=True) from None


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, decompressed, or FetchError as soon as it is known to exceed `max_bytes`.

    The cap counts decompressed bytes, so a small gzip bomb is stopped too; a declared Content-Length over
    the cap is refused before reading anything.
    """
    import aiohttp

    too_large = f"the answer is larger than {max_bytes / 1024 / 1024:g} MB, podbot's limit"
    declared = response.content_length
    if declared is not None and declared > max_bytes and not response.headers.get("Content-Encoding"):
        raise FetchError(too_large, permanent=True)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(too_large, permanent=True)
            chunks.append(chunk)
    except aiohttp.ClientPayloadError as exc:
        raise FetchError(f"the answer was cut off or corrupt ({exc})") from None
    except TimeoutError:
        raise FetchError("the server stopped sending in the middle of the answer") from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"the connection failed while reading ({type(exc).__name__})") from None
    if size > _JOIN_OFF_LOOP_BYTES:
        return await asyncio.to_thread(b"".join, chunks)
    return b"".join(chunks)


class _GuardedRequest:
    """`session.get()` with every aiohttp and guard exception turned into a FetchError."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: URL,
        headers: dict[str, str],
        timeout: aiohttp.ClientTimeout,
    ) -> None:
        self._context = session.get(
            url, headers=headers, timeout=timeout, allow_redirects=False, raise_for_status=False
        )

    async def __aenter__(self) -> aiohttp.ClientResponse:
        import aiohttp

        try:
            return await self._context.__aenter__()
        except BlockedURL as exc:
            raise FetchError(str(exc), permanent=True) from None
        except aiohttp.ClientConnectorDNSError:
            raise FetchError("the host name does not resolve (DNS lookup failed)") from None
        except aiohttp.ClientConnectorError as exc:
            raise FetchError(f"could not connect to {exc.host}:{exc.port} ({exc.strerror or exc})") from None
        except TimeoutError:
            raise FetchError("the server did not answer in time") from None
        except aiohttp.ClientError as exc:
            raise FetchError(f"the request failed ({type(exc).__name__}: {exc})") from None

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._context.__aexit__(exc_type, exc, tb)
