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
