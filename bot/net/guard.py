"""Which URLs podbot may fetch: http(s) only, and only hosts on the public internet.

Server managers give podbot feed URLs, and feeds give it chapter and transcript URLs: without a check,
anyone could make the bot request its own host's services (`http://127.0.0.1:…`), the LAN, or a cloud
metadata endpoint (`http://169.254.169.254/`). The check runs on every redirect hop, and for host names
it runs inside the connector's DNS resolver, so the address that was checked is the address connected to
(a second, different DNS answer cannot slip in between check and connect): bot/net/resolver.py, kept
apart so that this module does not import aiohttp (a command that reads only files never loads it).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yarl import URL

from bot.links import redact_credentials

if TYPE_CHECKING:
    from collections.abc import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedURL(ValueError):
    """The URL may not be fetched; the message says why in words a server manager understands."""


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """`allow_private` lifts the address check (tests, local set-ups); `allowed` lets chosen networks through."""

    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = ()

    def permits(self, address: IPAddress) -> bool:
        if self.allow_private:
            return True
        if any(address in network for network in self.allowed):
            return True
        if isinstance(address, ipaddress.IPv6Address):
            if any(address in network for network in _NEVER_PUBLIC_V6):
                return False
            inner = embedded_ipv4(address)
            if inner is not None:
                # The packet ends up at the IPv4 address inside: that is the one to judge.
                return self.permits(inner)
        # is_global excludes loopback, private, link-local (cloud metadata), shared, reserved and
        # documentation ranges; multicast is global in some ranges but never a web server.
        return address.is_global and not address.is_multicast

    def check_address(self, host: str, address: IPAddress) -> None:
        if not self.permits(address):
            raise BlockedURL(
                f"{host} points at a private or local address ({address}); podbot only fetches public URLs"
            )


# IPv6 ranges that reach somewhere other than the public internet, yet that ipaddress calls global.
_NEVER_PUBLIC_V6 = (
    ipaddress.IPv6Network("fec0::/10"),  # site-local (deprecated, still routed inside some networks)
    # Local-use NAT64 (RFC 8215): the operator picks where the IPv4 address sits, so it cannot be read
    # out reliably, and by definition the prefix is not routed on the internet.
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    # Teredo tunnels to an IPv4 address hidden (obfuscated) in the address; nothing a feed needs.
    ipaddress.IPv6Network("2001::/32"),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and delivers to, if any.

    IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
    (2002:AABB:CCDD::) addresses all reach the IPv4 host inside them: 64:ff9b::a9fe:a9fe is the cloud
    metadata service at 169.254.169.254 on a network with a NAT64 gateway.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_url(url: str | URL, policy: AddressPolicy) -> URL:
    """The parsed URL when its form is acceptable: http(s), a host, and no private IP literal.

    Host names are checked when they are resolved (GuardedResolver); IP literals never reach a resolver,
    so they are checked here.
    """
    try:
        parsed = url if isinstance(url, URL) else URL(url.strip())
    except (ValueError, TypeError):
        raise BlockedURL(f"{redact_credentials(str(url))} is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise BlockedURL(f"{redact_credentials(str(url))} is not an http(s) URL")
    if not parsed.host:
        raise BlockedURL(f"{redact_credentials(str(url))} has no host name")
    if parsed.user or parsed.password:
        # Credentials in a feed URL would be sent on every request and shown in /announce status.
        raise BlockedURL("URLs with a user name or password are not accepted")
    try:
        literal = ipaddress.ip_address(parsed.host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        policy.check_address(parsed.host, literal)
    elif not policy.allow_private and parsed.host.rstrip(".").lower().endswith((".localhost", ".internal")):
        raise BlockedURL(f"{parsed.host} is a local host name; podbot only fetches public URLs")
    return parsed


def check_resolved(policy: AddressPolicy, host: str, addresses: Sequence[str]) -> None:
    """BlockedURL unless every address `host` resolved to is permitted."""
    # All of them: a name that resolves to one public and one private address is not a public host.
    for address in addresses:
        policy.check_address(host, ipaddress.ip_address(address))
