"""Fetching over real HTTP on 127.0.0.1: conditional GET, limits, redirects, gzip, faults, and the URL guard."""

from __future__ import annotations

import ipaddress
import random
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.net.fetch import FEED_LIMITS, Fetcher, FetchError, Limits, Validators
from bot.net.guard import AddressPolicy, BlockedURL, check_url
from bot.net.resolver import GuardedResolver
from tests.feedserver import endless, stalls, trickle

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.feedserver import FeedServer

FEED = (Path(__file__).parent / "feeds" / "show.xml").read_bytes()
QUICK = Limits(connect_s=0.5, total_s=0.5)


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    # The tests' servers are on 127.0.0.1, which the guard refuses unless told otherwise.
    async with Fetcher(AddressPolicy(allow_private=True)) as opened:
        yield opened


async def test_fetch_returns_body_and_validators(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.serve("/feed.xml", FEED, etag='"v1"', last_modified="Tue, 05 Mar 2024 10:00:00 GMT")

    result = await fetcher.fetch(url)

    assert result.body == FEED
    assert result.status == 200
    assert result.content_type == "application/rss+xml"
    assert result.validators == Validators('"v1"', "Tue, 05 Mar 2024 10:00:00 GMT")
    assert feed_server.requests[0].headers["User-Agent"].startswith("podbot/")


async def test_unchanged_feed_costs_a_304_and_no_body(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.serve("/feed.xml", FEED, etag='"v1"')
    first = await fetcher.fetch(url)

    second = await fetcher.fetch(url, validators=first.validators)

    assert second.not_modified
    assert second.body == b""
    assert feed_server.requests[1].headers["If-None-Match"] == '"v1"'


async def test_last_modified_alone_is_sent_back(feed_server: FeedServer, fetcher: Fetcher) -> None:
    stamp = "Tue, 05 Mar 2024 10:00:00 GMT"
    url = feed_server.serve("/feed.xml", FEED, last_modified=stamp)
    first = await fetcher.fetch(url)
    assert (await fetcher.fetch(url, validators=first.validators)).not_modified
    assert feed_server.requests[1].headers["If-Modified-Since"] == stamp


@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (410, True), (403, True), (500, False), (503, False)]
)
async def test_error_statuses(
    feed_server: FeedServer, fetcher: Fetcher, status: int, permanent: bool
) -> None:
    url = feed_server.serve("/feed.xml", b"nope", status=status, content_type="text/plain")
    with pytest.raises(FetchError, match=f"the server answered {status} ") as caught:
        await fetcher.fetch(url)
    assert caught.value.status == status
    assert caught.value.permanent is permanent


async def test_retry_after_is_read(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.serve("/feed.xml", b"busy", status=503, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)
    assert caught.value.retry_after_s == 120


async def test_a_server_that_never_answers_times_out(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/stall", stalls)
    with pytest.raises(FetchError, match=r"within 0\.5 s"):
        await fetcher.fetch(url, limits=QUICK)


async def test_a_slow_trickle_is_cut_off_by_the_total_timeout(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    # Bytes keep arriving, so no read timeout would ever fire; only the total limit ends it.
    url = feed_server.route("/trickle", trickle)
    with pytest.raises(FetchError, match=r"within 0\.5 s"):
        await fetcher.fetch(url, limits=Limits(connect_s=5, total_s=0.5))


async def test_a_body_of_several_megabytes_arrives_whole(feed_server: FeedServer, fetcher: Fetcher) -> None:
    # Past 1 MB the chunks are joined in a worker thread (a copy that long would stall the event loop).
    body = random.Random(7).randbytes(5 * 1024 * 1024 + 123)
    url = feed_server.serve("/big.xml", body)
    assert (await fetcher.fetch(url, limits=FEED_LIMITS)).body == body


async def test_a_50_mb_body_is_abandoned_at_the_cap(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/huge", endless(50 * 1024 * 1024, declare_length=False))
    with pytest.raises(FetchError, match="larger than 32 MB"):
        await fetcher.fetch(url, limits=FEED_LIMITS)


async def test_a_declared_50_mb_body_is_refused_before_reading(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    url = feed_server.route("/huge", endless(50 * 1024 * 1024, declare_length=True))
    with pytest.raises(FetchError, match="larger than 1 MB") as caught:
        await fetcher.fetch(url, limits=Limits(max_bytes=1024 * 1024))
    assert caught.value.permanent


async def test_gzip_is_asked_for_and_decompressed(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.serve("/feed.xml", FEED, gzipped=True)
    result = await fetcher.fetch(url)
    assert result.body == FEED
    assert "gzip" in feed_server.requests[0].headers["Accept-Encoding"]


async def test_a_gzip_bomb_is_stopped_by_the_cap(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.serve("/bomb.xml", b"\0" * (3 * 1024 * 1024), gzipped=True)
    with pytest.raises(FetchError, match="larger than 1 MB"):
        await fetcher.fetch(url, limits=Limits(max_bytes=1024 * 1024))


async def test_redirects_are_followed_and_the_final_url_reported(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    final = feed_server.serve("/new/feed.xml", FEED)
    feed_server.redirect("/old", "/new/feed.xml", status=301)
    result = await fetcher.fetch(feed_server.url("/old"))
    assert result.body == FEED
    assert result.url == final


async def test_a_redirect_loop_is_detected(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="redirects in a loop"):
        await fetcher.fetch(feed_server.url("/a"))
    assert feed_server.hits("/a") == 1


async def test_too_many_redirects(feed_server: FeedServer, fetcher: Fetcher) -> None:
    for hop in range(8):
        feed_server.redirect(f"/r{hop}", f"/r{hop + 1}")
    with pytest.raises(FetchError, match="more than 5 times"):
        await fetcher.fetch(feed_server.url("/r0"))
    assert feed_server.hits("/r6") == 0


async def test_nothing_listening(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="could not connect"):
        await fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")


# --- the URL guard -----------------------------------------------------------------------------------------


async def test_guard_refuses_loopback_without_sending_a_request(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED)
    async with Fetcher(AddressPolicy()) as guarded:
        with pytest.raises(FetchError, match="private or local address") as caught:
            await guarded.fetch(url)
        # `localhost` is a name, so this goes through the resolver rather than the literal check.
        with pytest.raises(FetchError, match="private or local address"):
            await guarded.fetch(url.replace("127.0.0.1", "localhost"))
    assert caught.value.permanent
    assert feed_server.hits("/feed.xml") == 0


async def test_guard_checks_every_redirect_hop(feed_server: FeedServer) -> None:
    # 127.0.0.1 stands in for the public internet here; its redirect to another local address is refused.
    policy = AddressPolicy(allowed=(ipaddress.ip_network("127.0.0.1/32"),))
    feed_server.redirect("/to-private", f"http://127.0.0.2:{feed_server.port}/feed.xml")
    feed_server.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
    feed_server.serve("/feed.xml", FEED)
    async with Fetcher(policy) as guarded:
        assert (await guarded.fetch(feed_server.url("/feed.xml"))).body == FEED
        for path in ("/to-private", "/to-metadata"):
            with pytest.raises(FetchError, match="private or local address"):
                await guarded.fetch(feed_server.url(path))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://10.0.0.5/feed",
        "http://172.16.3.4/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/feed",  # carrier-grade NAT
        "http://0.0.0.0/feed",
        "http://224.0.0.1/feed",
        "http://[::1]/feed",
        "http://[fd00:ec2::254]/feed",  # AWS metadata over IPv6
        "http://[::ffff:127.0.0.1]/feed",
        "http://[fe80::1]/feed",
        # IPv6 addresses that carry a private IPv4 address and deliver to it.
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
        "http://[64:ff9b::a00:1]/feed",  # NAT64 of 10.0.0.1
        "http://[64:ff9b:1::a00:1]/feed",  # local-use NAT64
        "http://[2002:a9fe:a9fe::1]/feed",  # 6to4 of 169.254.169.254
        "http://[2002:7f00:1::]/feed",  # 6to4 of 127.0.0.1
        "http://[::a9fe:a9fe]/feed",  # IPv4-compatible 169.254.169.254
        "http://[::ffff:a00:1]/feed",  # IPv4-mapped 10.0.0.1, written in hex
        "http://[fec0::1]/feed",  # site-local
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/feed",  # Teredo
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(BlockedURL, match="private or local address"):
        check_url(url, AddressPolicy())
    assert check_url(url, AddressPolicy(allow_private=True)).host


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/feed", "not an http"),
        ("file:///etc/passwd", "not an http"),
        ("javascript:alert(1)", "not an http"),
        ("https://user:secret@example.com/feed", "user name or password"),
        ("https:///feed", "no host"),
        ("http://printer.localhost/feed", "local host name"),
    ],
)
def test_unacceptable_urls(url: str, message: str) -> None:
    with pytest.raises(BlockedURL, match=message):
        check_url(url, AddressPolicy())


def test_public_urls_pass() -> None:
    assert (
        str(check_url("https://feeds.example.com/show.xml", AddressPolicy()))
        == "https://feeds.example.com/show.xml"
    )
    assert check_url("http://93.184.215.14/feed", AddressPolicy()).host == "93.184.215.14"
    # On an IPv6-only network with DNS64, a public IPv4 host is reached through NAT64: allowed.
    for public in ("64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "2606:4700::6810:84e5"):
        assert check_url(f"http://[{public}]/feed", AddressPolicy()).host == public


async def test_a_name_resolving_to_a_nat64_metadata_address_is_refused() -> None:
    resolver = GuardedResolver(AddressPolicy(), inner=_FixedAnswer("64:ff9b::a9fe:a9fe"))
    with pytest.raises(BlockedURL, match="private or local address"):
        await resolver.resolve("feeds.example.com", 443)


class _FixedAnswer(AbstractResolver):
    """A DNS that answers what the test says: how a rebinding or split-horizon name looks to podbot."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=a, port=port, family=family, proto=0, flags=0)
            for a in self.addresses
        ]

    async def close(self) -> None:
        pass


async def test_a_name_with_any_private_address_is_refused() -> None:
    resolver = GuardedResolver(AddressPolicy(), inner=_FixedAnswer("93.184.215.14", "10.1.2.3"))
    with pytest.raises(BlockedURL, match=r"10\.1\.2\.3"):
        await resolver.resolve("feeds.example.com", 443)
    public_only = GuardedResolver(AddressPolicy(), inner=_FixedAnswer("93.184.215.14"))
    assert [r["host"] for r in await public_only.resolve("feeds.example.com", 443)] == ["93.184.215.14"]
