"""The per-client token bucket behind the HTTP rate limits (a fake clock; the endpoints' 429s
are tested with their services: tests/unit/ingest, tests/unit/aggregator/test_web.py, board)."""
from __future__ import annotations

import pytest

from services.common.ratelimit import RateLimiter, rate_limit_middleware


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_burst_then_one_request_per_token():
    clock = Clock()
    lim = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [lim.wait("a") for _ in range(3)] == [0.0, 0.0, 0.0]     # the burst
    assert lim.wait("a") == pytest.approx(0.5)                      # empty: a token in 1/rate s
    clock.t += 0.25
    assert lim.wait("a") == pytest.approx(0.25)                     # half a token so far
    clock.t += 0.25
    assert lim.wait("a") == 0.0                                     # refused requests took nothing
    clock.t += 100
    assert [lim.wait("a") for _ in range(4)][-1] > 0                # refills up to the burst only


def test_clients_have_their_own_buckets_and_old_ones_are_dropped():
    clock = Clock()
    lim = RateLimiter(rate=1.0, burst=1, max_clients=3, clock=clock)
    assert lim.wait("a") == 0.0 and lim.wait("a") > 0
    assert lim.wait("b") == 0.0                                     # b is not held back by a
    for c in ("c", "d", "e"):
        lim.wait(c)
    assert len(lim) == 3                                            # a and b dropped, oldest first
    assert lim.wait("a") == 0.0                                     # a starts again with a full bucket


def test_zero_means_no_limit_and_nonsense_is_refused():
    assert rate_limit_middleware(0, 40, ("/x",)) is None
    with pytest.raises(ValueError):
        RateLimiter(rate=-1, burst=1)
    with pytest.raises(ValueError):
        RateLimiter(rate=1, burst=0)


def test_the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy():
    from services.common.ratelimit import client_of, parse_networks
    proxies = parse_networks("10.0.0.0/8, 192.0.2.7")
    # a direct client: its X-Forwarded-For is not believed (it cannot name itself someone else)
    assert client_of("198.51.100.4", ["203.0.113.9"], proxies) == "198.51.100.4"
    # through a trusted proxy: the nearest hop that is not a trusted proxy
    assert client_of("10.1.2.3", ["203.0.113.9"], proxies) == "203.0.113.9"
    assert client_of("10.1.2.3", ["1.2.3.4, 203.0.113.9, 192.0.2.7"], proxies) == "203.0.113.9"
    assert client_of("10.1.2.3", ["1.2.3.4", "203.0.113.9"], proxies) == "203.0.113.9"   # two header lines
    # only proxies, or no header: the first hop, else the proxy itself
    assert client_of("10.1.2.3", ["10.9.9.9, 192.0.2.7"], proxies) == "10.9.9.9"
    assert client_of("10.1.2.3", [], proxies) == "10.1.2.3"
    # a hop that is not an address ends the walk: nothing before it is believed
    assert client_of("10.1.2.3", ["1.2.3.4, unknown"], proxies) == "unknown"
    # no trusted proxies (the default): always the peer
    assert client_of("10.1.2.3", ["203.0.113.9"], ()) == "10.1.2.3"


def test_trusted_proxies_must_be_addresses_or_networks():
    from services.common.ratelimit import parse_networks
    assert [str(n) for n in parse_networks(" 127.0.0.1 , ::1,10.0.0.0/8,")] == ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]
    assert parse_networks("") == ()
    with pytest.raises(ValueError, match="'proxy.local'"):
        parse_networks("10.0.0.1, proxy.local")


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket():
    import asyncio

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from services.common.ratelimit import parse_networks

    async def ok(request):
        return web.json_response({"ok": True})

    def app(trusted):
        a = web.Application(middlewares=[rate_limit_middleware(0.01, 1, ("/x",), trusted)])
        a.router.add_get("/x", ok)
        return a

    async def statuses(trusted, senders):
        async with TestClient(TestServer(app(trusted))) as client:
            return [(await client.get("/x", headers={"X-Forwarded-For": s})).status for s in senders]

    senders = ["203.0.113.1", "203.0.113.2", "203.0.113.1"]
    # the test client connects from 127.0.0.1: trusted, the forwarded clients are told apart
    assert asyncio.run(statuses(parse_networks("127.0.0.1, ::1"), senders)) == [200, 200, 429]
    # not trusted: the header is ignored, all three are one client
    assert asyncio.run(statuses((), senders)) == [200, 429, 429]
