"""Per-client rate limits of the HTTP endpoints that accept or serve data (``POST /articles``,
the aggregator's ``/stories``, the board's ``/api/``): a token bucket per client address,
``rate`` requests a second with bursts of up to ``burst``; a request over the limit gets 429 with
``Retry-After`` (whole seconds until the client has a token again).

Hand-written (about 30 lines): ``aiolimiter`` is one bucket that makes callers wait, not one
per client that refuses; ``token-bucket``'s memory storage keeps every client it ever saw, which
an unauthenticated endpoint must not (any address can make a new entry).  Here the buckets of
the least recently seen clients are dropped past ``max_clients`` (such a client starts again
with a full bucket).  The client is the peer address: behind a reverse proxy every request
shares the proxy's, so put the limit in the proxy there, or turn this one off (rate 0).
"""
from __future__ import annotations

import math
import time
from typing import Callable

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


def rate_limit_middleware(rate: float, burst: int, prefixes: tuple[str, ...]):
    """An aiohttp middleware limiting the requests whose path starts with one of ``prefixes``;
    ``None`` when ``rate`` is 0 (no limit)."""
    if rate <= 0:
        return None
    limiter = RateLimiter(rate, burst)

    @web.middleware
    async def rate_limit(request: web.Request, handler):
        if request.path.startswith(prefixes):
            delay = limiter.wait(request.remote or "")
            if delay > 0:
                return web.json_response({"error": f"too many requests: at most {rate:g} a second "
                                                   f"(bursts of {burst}) per client"},
                                         status=429, headers={"Retry-After": str(max(1, math.ceil(delay)))})
        return await handler(request)

    return rate_limit
