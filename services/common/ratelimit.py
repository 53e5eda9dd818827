"""Per-client rate limits of the HTTP endpoints that accept or serve data (``POST /articles``,
the aggregator's ``/stories``, the board's ``/api/``): a token bucket per client address,
``rate`` requests a second with bursts of up to ``burst``; a request over the limit gets 429 with
``Retry-After`` (whole seconds until the client has a token again).

Hand-written (about 30 lines): ``aiolimiter`` is one bucket that makes callers wait, not one
per client that refuses; ``token-bucket``'s memory storage keeps every client it ever saw, which
an unauthenticated endpoint must not (any address can make a new entry).  Here the buckets of
the least recently seen clients are dropped past ``max_clients`` (such a client starts again
with a full bucket).

The client is the peer address, unless the peer is one of ``trusted`` proxies
(``STORYSTREAM_TRUSTED_PROXIES``): then it is the nearest address in ``X-Forwarded-For`` that is
not a trusted proxy (:func:`client_of`).  Hand-written (a few lines of ``ipaddress``):
aiohttp-remotes' ``XForwardedFiltered`` believes the header whoever sends it (any client could
name itself anyone and escape its bucket), and its ``XForwardedStrict`` refuses every request
that does not come through a proxy.
"""
from __future__ import annotations

import ipaddress
import math
import time
from typing import Callable, Sequence

from aiohttp import web

MAX_CLIENTS = 10_000    # buckets kept (~100 bytes each); not fitted: a bound on memory, not a rate


class RateLimiter:
    """Token buckets keyed by client: ``wait(client)`` takes a token and returns 0.0, or takes
    nothing and returns the seconds until a token is there."""

    def __init__(self, rate: float, burst: int, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a rate limit needs rate > 0 and burst >= 1, got {rate} and {burst}")
        self.rate, self.burst, self.max_clients, self.clock = float(rate), float(burst), max_clients, clock
        self._buckets: dict[str, tuple[float, float]] = {}     # client -> (tokens, at); oldest first

    def wait(self, client: str) -> float:
        now = self.clock()
        tokens, at = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        delay = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            delay = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)                  # re-inserted: now the most recent
        while len(self._buckets) > self.max_clients:
            del self._buckets[next(iter(self._buckets))]
        return delay

    def __len__(self) -> int:
        return len(self._buckets)


Networks = Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]


def parse_networks(text: str) -> tuple:
    """Comma-separated addresses or networks (``10.0.0.0/8, 127.0.0.1, ::1``) as networks;
    ``ValueError`` naming the first that is neither."""
    out = []
    for item in (x.strip() for x in text.split(",")):
        if item:
            try:
                out.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"not an address or network: {item!r}") from None
    return tuple(out)


def _trusted(address: str, trusted: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_of(peer: str, forwarded_for: Sequence[str], trusted: Networks) -> str:
    """Who a request comes from: ``peer``, or, when ``peer`` is a trusted proxy, the last
    address of ``X-Forwarded-For`` (each proxy appends the address it saw) that is not a
    trusted proxy; all trusted: the first.  A hop that is not an address ends the walk (what
    lies before it cannot be believed) and is the client."""
    if not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for line in forwarded_for for h in line.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def rate_limit_middleware(rate: float, burst: int, prefixes: tuple[str, ...], trusted: Networks = ()):
    """An aiohttp middleware limiting the requests whose path starts with one of ``prefixes``
    per client (:func:`client_of`, with ``trusted`` proxies); ``None`` when ``rate`` is 0."""
    if rate <= 0:
        return None
    limiter = RateLimiter(rate, burst)

    @web.middleware
    async def rate_limit(request: web.Request, handler):
        if request.path.startswith(prefixes):
            client = client_of(request.remote or "", request.headers.getall("X-Forwarded-For", []), trusted)
            delay = limiter.wait(client)
            if delay > 0:
                return web.json_response({"error": f"too many requests: at most {rate:g} a second "
                                                   f"(bursts of {burst}) per client"},
                                         status=429, headers={"Retry-After": str(max(1, math.ceil(delay)))})
        return await handler(request)

    return rate_limit
