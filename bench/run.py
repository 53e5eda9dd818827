"""``make bench`` = ``python -m bench.run``: end-to-end throughput, latency, CPU and
memory of the pipeline on a real Kafka broker, next to a bare ``nlp.pipe`` baseline.

  python -m bench.run            full run (<= ~10 min on 2 cores), bench/results/latest.json
  python -m bench.run --smoke    tiny run (< 90 s) that exercises every phase, bench/results/smoke.json

See bench/README.md for the method.  No assertion on timings anywhere: the run
reports figures and whether each target is met; it fails only if it breaks.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench import procstat
from devtools.stack import settings_for

ROOT = Path(__file__).resolve().parents[1]
EVAL_DATA = ROOT.parent / "shared" / "eval" / "ecbplus_dev.jsonl"
RESULTS = ROOT / "bench" / "results"

# Keys a consumer of the JSON (e.g. a smoke test) can rely on.
REQUIRED_KEYS = {
    "meta": ["smoke", "started_at", "duration_s", "cpu_count", "loadavg_start", "loadavg_end", "model",
             "batch_size", "batch_within", "partitions", "distinct_texts", "broker"],
    "baseline": ["articles", "tokens", "seconds", "articles_per_s", "tokens_per_s", "cpu_s_per_article",
                 "cores_used"],
    "extract": ["articles", "seconds", "articles_per_s", "tokens_per_s", "cpu_s_per_article", "ratio_to_baseline"],
    "pipeline": ["annotators_1", "annotators_2"],
    "pipeline_run": ["annotators", "articles", "arrived", "complete", "tokens", "seconds", "articles_per_s",
                     "tokens_per_s", "ratio_to_baseline", "cpu_s_per_article", "cpu_cores", "process_cpu_s",
                     "external_cpu_cores", "peak_rss_mb", "latency_ms"],
    "latency": ["annotators", "rate_per_s", "fraction_of_max", "articles", "arrived", "complete", "p50_ms",
                "p95_ms", "p99_ms", "max_ms", "achieved_rate_per_s"],
    "aggregator_memory": ["method", "rss_mb_10k", "rss_mb_50k", "ratio", "articles_small", "articles_large",
                          "points"],
    "projection": ["cores", "baseline_articles_per_s", "annotators_1_articles_per_s", "annotators_2_articles_per_s",
                   "ratio_1_to_baseline", "ratio_2_to_baseline", "scaling_2_vs_1", "pipeline_cpu_s_per_article"],
    "targets": ["throughput_vs_baseline", "p99_latency_s", "scaling_2_vs_1", "aggregator_memory_growth"],
}
STAGES = ("annotator", "quotes", "entities", "aggregator", "broker", "bench")


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- data
def load_articles(limit: int | None = None):
    """The eval articles as the producer would publish them (validated, boilerplate-cleaned)."""
    from services.producer.sources import record_to_article
    out = []
    with open(EVAL_DATA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                out.append(record_to_article(json.loads(line), f"{EVAL_DATA.name}:{n}"))
            if limit and len(out) >= limit:
                break
    return out


def fresh(base: list, n: int, tag: str) -> list:
    """``n`` articles cycling through ``base`` in order, each with a fresh id."""
    return [base[k % len(base)].model_copy(update={"article_id": f"{tag}-{k:06d}"}) for k in range(n)]


def pct(sorted_vals: list[float], q: float) -> float | None:
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(round(q / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def busy_jiffies() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    tick = procstat._TICK
    return (sum(parts[:8]) - idle) / tick, sum(parts[:8]) / tick


# ----------------------------------------------------------------------------- baseline
def run_baseline(articles) -> tuple[dict, list[int]]:
    """Bare ``nlp.pipe`` over the titles and bodies, one process (one core)."""
    from services.common.nlp import load_nlp
    nlp = load_nlp()
    list(nlp.pipe(["Warm-up sentence for the pipeline.", articles[0].body]))
    texts = [t for a in articles for t in (a.title, a.body)]
    lens: list[int] = []
    c0, t0 = time.process_time(), time.perf_counter()
    for doc in nlp.pipe(texts):
        lens.append(len(doc))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = [lens[2 * i] + lens[2 * i + 1] for i in range(len(articles))]
    n, tok = len(articles), sum(tokens)
    return {"articles": n, "tokens": tok, "seconds": round(seconds, 3), "articles_per_s": round(n / seconds, 3),
            "tokens_per_s": round(tok / seconds, 1), "cpu_s_per_article": round(cpu / n, 4),
            "cores_used": round(cpu / seconds, 2)}, tokens


def run_extract(articles, baseline: dict) -> dict:
    """``storystream extract`` in-process: the one NLP pass plus both extractions (no Kafka)."""
    from services.common.nlp import load_nlp
    from services.pipeline import extract_articles
    nlp = load_nlp()
    extract_articles(articles[:2], nlp)  # warm-up
    c0, t0 = time.process_time(), time.perf_counter()
    extract_articles(articles, nlp)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(articles)
    return {"articles": n, "seconds": round(seconds, 3), "articles_per_s": round(n / seconds, 3),
            "tokens_per_s": round(baseline["tokens"] / seconds, 1), "cpu_s_per_article": round(cpu / n, 4),
            "ratio_to_baseline": round((n / seconds) / baseline["articles_per_s"], 3)}


# ----------------------------------------------------------------------------- pipeline
@dataclass
class Pipeline:
    bootstrap: str
    workdir: Path
    annotators: int
    env: dict = field(default_factory=dict)
    sup: object = None
    log_file: object = None

    def __post_init__(self):
        from devtools.broker.launcher import free_port
        tag = uuid.uuid4().hex[:6]
        self.env = dict(os.environ)
        self.env.update({
            "KAFKA_BOOTSTRAP": self.bootstrap,
            "STORYSTREAM_TOPIC_PREFIX": f"bench{tag}-",
            "STORYSTREAM_APP_PREFIX": f"bench{tag}",
            "STORYSTREAM_DATA_DIR": str(self.workdir),
            "STORYSTREAM_WEB_PORT": str(free_port()),
            "STORYSTREAM_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        })
        self.settings = settings_for(self.env)
        self.log_path = self.workdir / "workers.log"

    @property
    def names(self) -> list[str]:
        return ["annotator"] * self.annotators + ["quotes", "entities", "aggregator"]

    def start(self) -> "Pipeline":
        from devtools.supervisor import Supervisor
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_file = open(self.log_path, "ab")
        self.sup = Supervisor(self.names, env=self.env, log_file=self.log_file)
        for i, child in enumerate(c for c in self.sup.children if c.name == "annotator"):
            if i:  # each annotator process its own data dir (no table, but keep faust's dirs apart)
                child.env = {**self.env, "STORYSTREAM_DATA_DIR": str(self.workdir / f"annotator{i + 1}")}
        self.sup.start()
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
        if self.sup is not None:
            self.sup.stop()
            self.sup = None
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None


async def ensure(settings) -> None:
    from services.common.kafka import ensure_topics, wait_for_broker
    await wait_for_broker(settings)
    await ensure_topics(settings)


async def group_ready(settings, group: str, members: int) -> bool:
    """True when the consumer group is Stable with ``members`` members that all hold partitions."""
    from aiokafka.admin import AIOKafkaAdminClient
    from services.common.kafka import client_options
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=5000)
    await admin.start()
    try:
        resp = await admin.describe_consumer_groups([group])
        g = resp[0].groups[0]
        state, ms = g[2], g[5]
        return state == "Stable" and len(ms) == members and all(len(m[-1] or b"") > 8 for m in ms)
    except Exception:  # noqa: BLE001 - any admin hiccup means "not yet"
        return False
    finally:
        await admin.close()


class StateWatcher:
    """Reads story-state; the first state carrying each article id (``delta.articles_added``)
    gives that article's arrival time (the state record's Kafka timestamp)."""

    def __init__(self, settings):
        from services.common.kafka import make_consumer
        self.consumer = make_consumer(settings, settings.topic("story-state"), group_id=None,
                                      auto_offset_reset="earliest", enable_auto_commit=False,
                                      max_partition_fetch_bytes=16 * 1024 * 1024,
                                      fetch_max_bytes=32 * 1024 * 1024)
        self.arrivals: dict[str, float] = {}
        self.states = 0
        self.task: asyncio.Task | None = None

    @staticmethod
    def added(value: bytes) -> list[str]:
        i = value.rfind(b'"delta":')
        try:  # StoryState serialises ``delta`` last: parse only that tail
            return json.loads(value[i + 8:-1])["articles_added"] if i >= 0 else []
        except (ValueError, KeyError):
            return json.loads(value).get("delta", {}).get("articles_added", [])

    async def start(self) -> "StateWatcher":
        await self.consumer.start()
        self.task = asyncio.create_task(self._loop())
        return self

    async def _loop(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                for rec in recs:
                    self.states += 1
                    for aid in self.added(rec.value):
                        self.arrivals.setdefault(aid, rec.timestamp / 1000.0)

    async def wait(self, ids, timeout: float, check=None) -> bool:
        deadline = time.monotonic() + timeout
        ids = list(ids)
        while time.monotonic() < deadline:
            if self.task.done():
                self.task.result()
            if all(a in self.arrivals for a in ids):
                return True
            if check is not None:
                check()
            await asyncio.sleep(0.1)
        return False

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        await self.consumer.stop()


async def produce(settings, articles, rate: float | None = None) -> dict[str, float]:
    """Publish ``articles`` (burst, or paced at ``rate``/s); returns id -> produce time (epoch s)."""
    from services.common.codec import article_key, encode
    from services.common.kafka import make_producer
    producer = make_producer(settings)
    await producer.start()
    topic, sent = settings.topic("articles"), {}
    try:
        t0 = time.time()
        for i, a in enumerate(articles):
            if rate:
                delay = t0 + i / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            now = datetime.now(timezone.utc)
            art = a.model_copy(update={"produced_at": now})
            await producer.send(topic, key=article_key(a.article_id), value=encode(art))
            sent[a.article_id] = now.timestamp()
        await producer.flush()
    finally:
        await producer.stop()
    return sent


@dataclass
class Ctx:
    broker_pid: int | None
    tokens_of: dict[str, int]
    baseline_rate: float
    baseline_tok_rate: float


async def measured_run(pipe: Pipeline, watcher: StateWatcher, ctx: Ctx, articles, *, timeout: float,
                       rate: float | None = None) -> dict:
    pids = pipe.pids()
    if ctx.broker_pid:
        pids["broker"] = ctx.broker_pid
    pids["bench"] = os.getpid()
    before, busy0, w0 = procstat.snapshot(pids), busy_jiffies()[0], time.monotonic()
    sent = await produce(pipe.settings, articles, rate=rate)
    complete = await watcher.wait(sent, timeout, check=pipe.check)
    after, busy1, wall = procstat.snapshot(pids), busy_jiffies()[0], time.monotonic() - w0
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


def r(x, nd=1):
    return None if x is None else round(x, nd)


async def start_pipeline(bootstrap: str, workdir: Path, annotators: int, warm_articles, timeout: float):
    pipe = Pipeline(bootstrap, workdir, annotators)
    await ensure(pipe.settings)
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


# ----------------------------------------------------------------------------- aggregator memory
def run_aggregator_memory(small: int, large: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.aggmem", str(small), str(large)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise RuntimeError(f"bench.aggmem failed: {out.stderr[-2000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    p = {pt["articles"]: pt for pt in res["points"]}
    a, b = p[small]["rss_kb"] / 1024, p[large]["rss_kb"] / 1024
    return {"method": res["method"], "rss_mb_10k": round(a, 1), "rss_mb_50k": round(b, 1),
            "ratio": round(b / a, 3), "articles_small": small, "articles_large": large,
            "rss_mb_start": round(res["rss_kb_start"] / 1024, 1), "points": res["points"]}


# ----------------------------------------------------------------------------- report
def targets(res: dict) -> dict:
    p1, p2 = res["pipeline"]["annotators_1"], res["pipeline"]["annotators_2"]
    best = max(p1["ratio_to_baseline"] or 0, p2["ratio_to_baseline"] or 0)
    scale = round(p2["articles_per_s"] / p1["articles_per_s"], 3) if p1["articles_per_s"] else None
    p99 = res["latency"]["p99_ms"]
    mem = res["aggregator_memory"]["ratio"]

    def t(value, target, ok):
        return {"value": value, "target": target, "met": bool(ok)}
    return {
        "throughput_vs_baseline": t(round(best, 3), ">= 0.8", best >= 0.8),
        "p99_latency_s": t(None if p99 is None else round(p99 / 1000, 3), "<= 1.0",
                           p99 is not None and p99 <= 1000 and res["latency"]["complete"]),
        "scaling_2_vs_1": t(scale, ">= 1.7", scale is not None and scale >= 1.7),
        "aggregator_memory_growth": t(mem, "<= 1.2", mem <= 1.2),
    }


def projection(res: dict) -> dict:
    """What the measured CPU seconds per article allow on ``cores`` dedicated cores.

    The machine is shared: other processes take CPU during the run (``external_cpu_cores``),
    and they do not take the same share from 1 process (baseline) as from 5-7 (pipeline).
    CPU seconds per article are much less sensitive to that than wall-clock rates, so
    this turns them into capacities: baseline = 1 / its CPU per article (one process,
    one core); pipeline = min(annotators / annotator CPU per article, cores / CPU per
    article of all its processes incl. the broker and this bench's producer/consumer).
    """
    cores = os.cpu_count() or 1
    base = 1.0 / res["baseline"]["cpu_s_per_article"]
    out = {"cores": cores, "baseline_articles_per_s": round(base, 2)}
    for k in ("annotators_1", "annotators_2"):
        p = res["pipeline"][k]
        total = sum(v for v in p["cpu_s_per_article"].values() if v)
        nlp = p["cpu_s_per_article"].get("annotator") or 1e9
        cap = min(p["annotators"] / nlp, cores / total) if total else 0.0
        out[f"{k}_articles_per_s"] = round(cap, 2)
        out[f"ratio_{k[-1]}_to_baseline"] = round(cap / base, 3)
        out.setdefault("pipeline_cpu_s_per_article", {})[k] = round(total, 4)
    out["scaling_2_vs_1"] = round(out["annotators_2_articles_per_s"] / out["annotators_1_articles_per_s"], 3) \
        if out["annotators_1_articles_per_s"] else None
    return out


def markdown(res: dict) -> str:
    b, p1, p2 = res["baseline"], res["pipeline"]["annotators_1"], res["pipeline"]["annotators_2"]
    lat, mem, m = res["latency"], res["aggregator_memory"], res["meta"]
    lines = [
        f"### Storystream bench ({'SMOKE, figures meaningless' if m['smoke'] else 'full'}; "
        f"{m['cpu_count']} cores, load {m['loadavg_start']} -> {m['loadavg_end']}, {m['duration_s']} s)",
        "",
        "| run | articles | art/s | tokens/s | vs baseline | annotator CPU cores | all-ours CPU cores | external CPU cores |",
        "|---|---|---|---|---|---|---|---|",
        f"| baseline `nlp.pipe`, 1 process | {b['articles']} | {b['articles_per_s']} | {b['tokens_per_s']} | 1.00 "
        f"| {b['cores_used']} | {b['cores_used']} | - |",
    ]
    x = res.get("extract")
    if x:
        lines.append(f"| `storystream extract` (no Kafka), 1 process | {x['articles']} | {x['articles_per_s']} | "
                     f"{x['tokens_per_s']} | {x['ratio_to_baseline']} | - | - | - |")
    for p in (p1, p2):
        lines.append(f"| pipeline, {p['annotators']} annotator(s) | {p['arrived']}/{p['articles']} | "
                     f"{p['articles_per_s']} | {p['tokens_per_s']} | {p['ratio_to_baseline']} | "
                     f"{p['cpu_cores'].get('annotator')} | {round(sum(p['cpu_cores'].values()), 2)} | "
                     f"{p['external_cpu_cores']} |")
    lines += ["", "| CPU s / article | " + " | ".join(STAGES) + " |", "|---" * (len(STAGES) + 1) + "|"]
    lines.append(f"| baseline | {b['cpu_s_per_article']} |" + " - |" * (len(STAGES) - 1))
    for p in (p1, p2):
        lines.append(f"| {p['annotators']} annotator(s) | "
                     + " | ".join(str(p["cpu_s_per_article"].get(s, "-")) for s in STAGES) + " |")
    lines += ["", "| peak RSS MB (VmHWM) | process |", "|---|---|"]
    for p in (p1, p2):
        lines.append(f"| {p['annotators']} annotator(s) | "
                     + ", ".join(f"{k} {v}" for k, v in p["peak_rss_mb"].items()) + " |")
    lines += [
        "",
        "| latency (produce -> story-state) | rate | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|",
        f"| {lat['annotators']} annotator(s), {lat['arrived']}/{lat['articles']} articles paced at "
        f"{lat['fraction_of_max']} x max | {lat['rate_per_s']}/s | {lat['p50_ms']} ms | {lat['p95_ms']} ms | "
        f"{lat['p99_ms']} ms | {lat['max_ms']} ms |",
        "",
        f"Aggregator RSS: {mem['rss_mb_10k']} MB after {mem['articles_small']} articles, {mem['rss_mb_50k']} MB "
        f"after {mem['articles_large']} -> x{mem['ratio']} ({mem['method']})",
        "",
        f"CPU-normalised projection on {res['projection']['cores']} dedicated cores (from CPU s/article): "
        f"baseline {res['projection']['baseline_articles_per_s']} art/s; pipeline 1 annotator "
        f"{res['projection']['annotators_1_articles_per_s']} art/s (x{res['projection']['ratio_1_to_baseline']}), "
        f"2 annotators {res['projection']['annotators_2_articles_per_s']} art/s "
        f"(x{res['projection']['ratio_2_to_baseline']}); 2 vs 1: x{res['projection']['scaling_2_vs_1']}",
        "",
        "| target (measured, wall clock) | value | goal | met |", "|---|---|---|---|",
    ]
    for k, t in res["targets"].items():
        lines.append(f"| {k} | {t['value']} | {t['target']} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main
@dataclass
class Plan:
    smoke: bool
    distinct: int | None          # eval articles used (None: all)
    steady_s: float               # target length of each throughput window
    latency_s: float              # length of the paced latency run
    warm: int                     # warm-up articles per pipeline start (two halves)
    agg_points: tuple[int, int]
    min_articles: int


FULL = Plan(smoke=False, distinct=None, steady_s=65.0, latency_s=40.0, warm=16, agg_points=(10_000, 50_000),
            min_articles=0)
SMOKE = Plan(smoke=True, distinct=6, steady_s=0.0, latency_s=2.0, warm=4, agg_points=(1_000, 5_000),
             min_articles=6)


def cycles(distinct: int, rate: float, seconds: float, minimum: int) -> int:
    """Articles for a window: whole passes over the distinct texts (same mix as the baseline)."""
    if seconds <= 0:
        return max(minimum, 1)
    return max(minimum, distinct * max(1, round(rate * seconds / distinct)))


async def run_pipelines(plan: Plan, bootstrap: str, workdir: Path, base_articles, ctx: Ctx) -> dict:
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny run (< 90 s): checks the bench works")
    ap.add_argument("--out", default=None, help="JSON output (default bench/results/latest.json, "
                                                  "or smoke.json with --smoke)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work dir (logs)")
    args = ap.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    out_path = Path(args.out) if args.out else RESULTS / ("smoke.json" if plan.smoke else "latest.json")
    started, t_start = datetime.now(timezone.utc), time.monotonic()
    load0 = os.getloadavg()
    os.environ.setdefault("STORYSTREAM_LOG_LEVEL", "warning")
    from services.common import logging as slog
    slog.configure("warning", service="bench")
    import logging
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # leader elections of fresh topics: retried

    workdir = Path(tempfile.mkdtemp(prefix="storystream-bench-"))
    broker = None
    try:
        base = load_articles(plan.distinct)
        say(f"baseline: bare nlp.pipe over {len(base)} articles (titles + bodies), one process")
        baseline, tokens = run_baseline(base)
        say(f"  -> {baseline['articles_per_s']} articles/s, {baseline['tokens_per_s']} tokens/s")
        extract = run_extract(base, baseline)
        say(f"storystream extract (one pass + both extractions, no Kafka): {extract['articles_per_s']} articles/s, "
            f"{extract['tokens_per_s']} tokens/s (x{extract['ratio_to_baseline']} of bare nlp.pipe)")
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
        if not bootstrap:
            from devtools.broker.launcher import LocalBroker
            say("starting a local Kafka broker ...")
            broker = LocalBroker(data_dir=workdir / "broker", fresh=True, log=say).start()
            bootstrap = broker.bootstrap
        say(f"broker {bootstrap}")
        ctx = Ctx(broker_pid=broker.process.pid if broker else None, tokens_of=TokenTable(base, tokens),
                  baseline_rate=baseline["articles_per_s"], baseline_tok_rate=baseline["tokens_per_s"])
        pipes = asyncio.run(run_pipelines(plan, bootstrap, workdir, base, ctx))
        latency = pipes.pop("_latency")
        say(f"aggregator memory: {plan.agg_points[0]} and {plan.agg_points[1]} synthetic articles, in-process engine")
        mem = run_aggregator_memory(*plan.agg_points)
    finally:
        if broker is not None:
            broker.stop()
        if args.keep:
            say(f"work dir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    res = {
        "meta": {
            "smoke": plan.smoke, "started_at": started.isoformat(),
            "duration_s": round(time.monotonic() - t_start, 1), "cpu_count": os.cpu_count(),
            "cpu_model": _cpu_model(), "python": platform.python_version(),
            "loadavg_start": [round(x, 2) for x in load0], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            "model": _model_name(), "batch_size": ctx_settings().batch_size,
            "batch_within": ctx_settings().batch_within, "partitions": ctx_settings().article_partitions,
            "distinct_texts": len(base), "broker": "KAFKA_BOOTSTRAP" if os.environ.get("KAFKA_BOOTSTRAP")
            else "local KRaft (devtools.broker.launcher.LocalBroker)",
            "eval_data": str(EVAL_DATA),
        },
        "baseline": baseline,
        "extract": extract,
        "pipeline": pipes,
        "latency": latency,
        "aggregator_memory": mem,
    }
    res["projection"] = projection(res)
    res["targets"] = targets(res)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(res, indent=2) + "\n")
    print(markdown(res))
    say(f"wrote {out_path}")
    return 0


class TokenTable(dict):
    """article id -> tokens: ids made by ``fresh`` end in their index into the distinct texts."""

    def __init__(self, base, tokens):
        super().__init__()
        self.tokens = tokens

    def get(self, aid, default=0):
        try:
            return self.tokens[int(aid.rsplit("-", 1)[1]) % len(self.tokens)]
        except (ValueError, IndexError):
            return default


def ctx_settings():
    from services.common.settings import load
    return load()


def _model_name() -> str:
    from services.common.nlp import load_nlp
    nlp = load_nlp()
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
