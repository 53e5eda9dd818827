"""The sizes of a benchmark run: the full one, and the smoke one that only checks the bench works."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Plan:
    smoke: bool
    distinct: int | None          # eval articles used (None: all)
    steady_s: float               # target length of each throughput window
    latency_s: float              # length of the paced latency run
    warm: int                     # warm-up articles per pipeline start (two halves)
    agg_points: tuple[int, int]
    min_articles: int
    agg_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)   # open stories of the aggregator's own bench
    agg_arrivals: int = 400                                  # articles timed at each size


FULL = Plan(smoke=False, distinct=None, steady_s=65.0, latency_s=40.0, warm=16, agg_points=(10_000, 50_000),
            min_articles=0)
SMOKE = Plan(smoke=True, distinct=6, steady_s=0.0, latency_s=2.0, warm=4, agg_points=(1_000, 5_000),
             min_articles=6, agg_sizes=(100, 500), agg_arrivals=30)


def cycles(distinct: int, rate: float, seconds: float, minimum: int) -> int:
    """Articles for a window: whole passes over the distinct texts (same mix as the baseline)."""
    if seconds <= 0:
        return max(minimum, 1)
    return max(minimum, distinct * max(1, round(rate * seconds / distinct)))
