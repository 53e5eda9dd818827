"""The pipeline under measurement: the workers as real processes on fresh topics (through
the stack launcher, ``devtools.stack``), warmed up, then measured with 1 and 2 annotators
and for latency."""
from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from pathlib import Path

from bench.data import fresh
from bench.kafka_io import StateWatcher, group_ready, produce
from bench.plan import Plan, cycles
from bench.progress import say
from bench.window import Ctx, measured_run
from devtools.stack import settings_for, stack_env, workers
from devtools.supervisor import Supervisor
from schemas.models import Article
from services.common.kafka import ensure_topics, wait_for_broker

ROOT = Path(__file__).resolve().parents[1]


class Pipeline:
    """``annotators`` annotator processes (one consumer group), quotes, entities and the
    aggregator, on their own topic and group prefix, logging warnings to ``workdir``."""

    def __init__(self, bootstrap: str, workdir: Path, annotators: int) -> None:
        self.workdir = workdir
        self.annotators = annotators
        self.env = stack_env(bootstrap, workdir, prefix=f"bench{uuid.uuid4().hex[:6]}-",
                             STORYSTREAM_LOG_LEVEL="warning",
                             PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.settings = settings_for(self.env)
        self.log_path = workdir / "workers.log"
        self.sup: Supervisor | None = None
        self._running = contextlib.ExitStack()

    @property
    def names(self) -> list[str]:
        return ["annotator"] * self.annotators + ["quotes", "entities", "aggregator"]

    def start(self) -> "Pipeline":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sup = self._running.enter_context(workers(self.names, self.env, self.log_path))
        return self

    def pids(self) -> dict[str, int]:
        out, seen = {}, {}
        for c in self.sup.children:
            seen[c.name] = seen.get(c.name, 0) + 1
            out[c.name if seen[c.name] == 1 else f"{c.name}#{seen[c.name]}"] = c.proc.pid
        return out

    def check(self) -> None:
        for c in self.sup.children:
            if not c.alive():
                raise RuntimeError(f"worker {c.name} exited with {c.proc.returncode}; log tail:\n{self.logs()}")

    def logs(self, n: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-n:] if self.log_path.exists() else ""

    def stop(self) -> None:
        self._running.close()
        self.sup = None


async def start_pipeline(bootstrap: str, workdir: Path, annotators: int, warm_articles: list[Article],
                         timeout: float) -> tuple[Pipeline, StateWatcher]:
    """A started pipeline and a watcher of its story states, once warm: the first half of
    the warm-up articles arrived, the annotator group is stable with every member holding
    partitions, then the second half arrived (every annotator process has parsed)."""
    pipe = Pipeline(bootstrap, workdir, annotators)
    await wait_for_broker(pipe.settings)
    await ensure_topics(pipe.settings)
    watcher = await StateWatcher(pipe.settings).start()
    t0 = time.monotonic()
    pipe.start()
    say(f"{annotators} annotator(s) + quotes + entities + aggregator starting (prefix "
        f"{pipe.settings.topic_prefix})")
    try:
        sent = await produce(pipe.settings, warm_articles[: len(warm_articles) // 2])
        if not await watcher.wait(sent, timeout, check=pipe.check):
            raise RuntimeError(f"warm-up states did not arrive within {timeout}s; log tail:\n{pipe.logs()}")
        group = pipe.settings.app_id("annotator")
        deadline = time.monotonic() + 60
        while not await group_ready(pipe.settings, group, annotators):
            if time.monotonic() > deadline:
                say(f"warning: annotator group not stable with {annotators} member(s) after 60 s")
                break
            pipe.check()
            await asyncio.sleep(0.5)
        # second warm-up: every annotator process has its partitions now and parses once
        sent = await produce(pipe.settings, warm_articles[len(warm_articles) // 2:])
        if not await watcher.wait(sent, timeout, check=pipe.check):
            raise RuntimeError(f"warm-up states did not arrive within {timeout}s; log tail:\n{pipe.logs()}")
    except BaseException:
        await watcher.stop()
        pipe.stop()
        raise
    say(f"pipeline ready in {time.monotonic() - t0:.1f}s")
    return pipe, watcher


async def run_pipelines(plan: Plan, bootstrap: str, workdir: Path, base_articles: list[Article],
                        ctx: Ctx) -> dict:
    """Throughput with 1 annotator, then with 2 (each on a fresh pipeline), then latency on
    the second; the latency figures under ``_latency``."""
    D = len(base_articles)
    warm = fresh(base_articles, plan.warm, "warm")
    out: dict = {}

    # 1 annotator
    n1 = cycles(D, ctx.baseline_rate, plan.steady_s, plan.min_articles)
    pipe, watcher = await start_pipeline(bootstrap, workdir / "p1", 1, fresh(warm, plan.warm, "warm1"), 240)
    try:
        say(f"throughput, 1 annotator: {n1} articles (burst)")
        out["annotators_1"] = await measured_run(pipe, watcher, ctx, fresh(base_articles, n1, "a1"),
                                                 timeout=max(60.0, 4 * plan.steady_s))
    finally:
        await watcher.stop()
        pipe.stop()
    r1 = out["annotators_1"]["articles_per_s"]
    say(f"  -> {r1} articles/s")

    # 2 annotators (fresh topics and aggregator: same starting state as the 1-annotator run)
    n2 = cycles(D, r1 * 1.4, plan.steady_s, plan.min_articles)
    pipe, watcher = await start_pipeline(bootstrap, workdir / "p2", 2, fresh(warm, plan.warm, "warm2"), 240)
    try:
        say(f"throughput, 2 annotators: {n2} articles (burst)")
        out["annotators_2"] = await measured_run(pipe, watcher, ctx, fresh(base_articles, n2, "a2"),
                                                 timeout=max(60.0, 4 * plan.steady_s))
        r2 = out["annotators_2"]["articles_per_s"]
        say(f"  -> {r2} articles/s")
        # latency at half of the best measured throughput, on the running 2-annotator pipeline
        rate = max(0.2, 0.5 * max(r1, r2))
        nl = max(plan.min_articles, int(rate * plan.latency_s))
        say(f"latency: {nl} articles paced at {rate:.2f}/s")
        lat = await measured_run(pipe, watcher, ctx, fresh(base_articles, nl, "lat"), rate=rate,
                                 timeout=max(60.0, 3 * plan.latency_s))
    finally:
        await watcher.stop()
        pipe.stop()
    for v in out.values():
        v.pop("_sent", None)
    lat.pop("_sent", None)
    out["_latency"] = {
        "annotators": lat["annotators"], "rate_per_s": round(rate, 3), "fraction_of_max": 0.5,
        "articles": lat["articles"], "arrived": lat["arrived"], "complete": lat["complete"],
        "p50_ms": lat["latency_ms"]["p50"], "p95_ms": lat["latency_ms"]["p95"],
        "p99_ms": lat["latency_ms"]["p99"], "max_ms": lat["latency_ms"]["max"],
        "achieved_rate_per_s": lat["articles_per_s"], "cpu_cores": lat["cpu_cores"],
        "external_cpu_cores": lat["external_cpu_cores"],
    }
    return out
