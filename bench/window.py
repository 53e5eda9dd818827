"""One measured window on a running pipeline: produce articles (in a burst or paced), wait
for their story states, and compute throughput, latency, and CPU and memory per process."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Protocol

from bench import procstat
from bench.kafka_io import StateWatcher, produce
from schemas.models import Article
from services.common.settings import Settings


class Running(Protocol):
    """What a window needs of the running pipeline (``bench.pipeline.Pipeline``)."""
    annotators: int
    settings: Settings

    def pids(self) -> dict[str, int]: ...

    def check(self) -> None: ...


@dataclass
class Ctx:
    broker_pid: int | None
    tokens_of: dict[str, int]
    baseline_rate: float
    baseline_tok_rate: float


def pct(sorted_vals: list[float], q: float) -> float | None:
    """The ``q``-th percentile, nearest rank."""
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(round(q / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def r(x, nd=1):
    return None if x is None else round(x, nd)


async def measured_run(pipe: Running, watcher: StateWatcher, ctx: Ctx, articles: list[Article], *,
                       timeout: float, rate: float | None = None) -> dict:
    pids = pipe.pids()
    if ctx.broker_pid:
        pids["broker"] = ctx.broker_pid
    pids["bench"] = os.getpid()
    before, busy0, w0 = procstat.snapshot(pids), procstat.machine_busy_seconds(), time.monotonic()
    sent = await produce(pipe.settings, articles, rate=rate)
    complete = await watcher.wait(sent, timeout, check=pipe.check)
    after, busy1, wall = procstat.snapshot(pids), procstat.machine_busy_seconds(), time.monotonic() - w0
    arrived = [a for a in sent if a in watcher.arrivals]
    first = min(sent.values())
    last = max((watcher.arrivals[a] for a in arrived), default=first)
    seconds = max(1e-6, last - first)
    n = len(arrived)
    tokens = sum(ctx.tokens_of.get(a, 0) for a in arrived)
    cpu = procstat.delta(before, after)
    per_stage: dict[str, float] = {}
    for name, v in cpu.items():
        per_stage[name.split("#")[0]] = per_stage.get(name.split("#")[0], 0.0) + (v or 0.0)
    ours = sum(per_stage.values())
    lat = sorted(max(0.0, watcher.arrivals[a] - sent[a]) * 1000 for a in arrived)
    return {
        "annotators": pipe.annotators,
        "articles": len(sent), "arrived": n, "complete": complete, "tokens": tokens,
        "seconds": round(seconds, 3),
        "articles_per_s": round(n / seconds, 3), "tokens_per_s": round(tokens / seconds, 1),
        "ratio_to_baseline": round(n / seconds / ctx.baseline_rate, 3) if ctx.baseline_rate else None,
        "cpu_s_per_article": {k: round(v / max(1, n), 4) for k, v in per_stage.items()},
        "cpu_cores": {k: round(v / wall, 2) for k, v in per_stage.items()},
        "process_cpu_s": cpu,
        "external_cpu_cores": round(max(0.0, (busy1 - busy0) - ours) / wall, 2),
        "peak_rss_mb": {k: procstat.peak_rss_mb(p) for k, p in pids.items()},
        "latency_ms": {"p50": r(pct(lat, 50)), "p95": r(pct(lat, 95)), "p99": r(pct(lat, 99)),
                       "max": r(lat[-1] if lat else None)},
        "_sent": sent,
    }
