"""The aggregator's own bench: the pure ``StoryEngine`` (no Kafka) holding 1,000, 10,000 and
100,000 open stories whose names and words overlap like news (:mod:`bench.newsgen`), fed
arriving articles as fast as it takes them.

  python -m bench.aggregator                 1k, 10k, 100k open stories; bench/results/aggregator.json
  python -m bench.aggregator --smoke         200 and 1,000 open stories, few arrivals (checks it works)
  python -m bench.aggregator --sizes 1000 5000 --arrivals 300

Each size runs in a process of its own (its RSS is the engine's and nothing else's):

1. the open stories are put in the engine's record store and index directly (the story and
   article records an engine that had processed them would hold, indexed as ``restore`` indexes
   them after a restart), because placing 100,000 stories' articles one by one would take the
   measured cost times a few hundred thousand;
2. ``arrivals`` articles then go through ``StoryEngine.process`` one by one (after 20 untimed
   warm-up articles): 70% follow-ups of a random open story (its core names and topic words plus
   fresh incidental names and background words), 30% reports of new events; published just after
   the newest open story, so nothing closes.

Per arriving article: CPU time (``time.process_time``) and wall time of ``process``; also, on the
same index just before (outside the timed call), candidate retrieval alone: the posting-list
entries of its features' lists (its entities' and its ``candidate_terms`` most distinctive
terms'), the distinct stories they name, and the CPU time of ``StoryIndex.candidates`` as the
product runs it (numpy over the numbered posting lists) and of the same ranking summed in a
Python dictionary (as before; the baseline of the same run), with whether both give the same
candidates.

Memory per open story = (RSS after the build - RSS before) / open stories, after
``gc.collect()`` (includes allocator slack: an upper bound).  Up to 20,000 open stories, the CPU
time of restoring the engine's records into a new engine (a restart's).  The smallest size is
the baseline of the run: the ratios compare every size with it.  No figure is asserted anywhere.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import math
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.newsgen import T_END, NewsGen
from services.aggregator import entities as entities_module
from services.aggregator import signature as signature_module
from services.aggregator.engine import StoryEngine
from services.aggregator.members import add_member, article_record, blank_story, index_open, iso
from services.aggregator.signature import article_signature
from services.aggregator.state import central_article

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SIZES, ARRIVALS = (1_000, 10_000, 100_000), 400
SMOKE_SIZES, SMOKE_ARRIVALS = (200, 1_000), 40
WARM = 20
RESTORE_MAX = 20_000
FOLLOW_UP = 0.7


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def build(engine: StoryEngine, gen: NewsGen, n: int) -> int:
    """Put ``n`` open stories (with their article records) into ``engine`` directly through its
    record store and index, as ``StoryEngine.restore`` would from their records (without the
    records' JSON round trip, which would double the build's time and memory); returns the
    number of articles in them.  (tests/unit/bench: the same state as ``restore``.)"""
    with _cached_entity_keys():
        return _build(engine, gen, n)


@contextlib.contextmanager
def _cached_entity_keys():
    """``entity_key`` (a pure function of the name, the costliest part of building the records)
    memoised while the open stories are built; the arrivals run the product's own."""
    key = entities_module.entity_key
    cached = functools.lru_cache(maxsize=None)(key)
    entities_module.entity_key = signature_module.entity_key = cached
    try:
        yield
    finally:
        entities_module.entity_key = signature_module.entity_key = key


def _build(engine: StoryEngine, gen: NewsGen, n: int) -> int:
    params = engine.config.params
    store, index, lifecycle = engine.store, engine.index, engine.lifecycle
    count = 0
    for i in range(n):
        _, arts = gen.story_articles(i)
        sid = story_id(i)
        story = None
        for q, e in arts:
            m = e.article
            if story is None:
                story = blank_story(sid, "open", m.published, m.published)
            sig = article_signature(e, q, params)
            rec = article_record(m.article_id, m.content_hash, sid, iso(m.published), m.published, q, e, sig, story)
            add_member(story, rec)
            story.version += 1
            story.event_time = iso(m.published)
            story.central = central_article(story)
            index.observe(sig)
            store.place(rec)
            lifecycle.see(m.published)
            count += 1
        store.stories[sid] = story
        index_open(index, story)
    return count


def story_id(i: int) -> str:
    return f"st-{i:08d}"


def arrival(gen: NewsGen, n: int, k: int):
    """Arriving article ``k`` against ``n`` open stories: a follow-up of a random open story, or
    the first report of a new event."""
    rng = random.Random(90_001 + k)
    published = T_END + timedelta(minutes=k)
    if rng.random() < FOLLOW_UP:
        i = rng.randrange(n)
        return gen.article(gen.story_core(i), f"a{k:06d}", 5_000_011 + k, published), story_id(i)
    core = gen.core(7_000_003 + k, 0.0)
    return gen.article(core, f"a{k:06d}", 6_000_011 + k, published), None


def retrieval(engine: StoryEngine, q, e) -> dict:
    """Candidate retrieval for this article on the engine's current index (outside the timed
    ``process``): posting-list entries its features' lists hold, distinct stories they name, and
    the CPU ms of ``StoryIndex.candidates`` as the product runs it (numpy over the numbered
    lists, :class:`Postings.top`) and of the same ranking summed in a Python dictionary posting
    by posting (``Postings.top_reference``: the retrieval before; the baseline of the same run),
    with whether both return the same candidates."""
    idx, p = engine.index, engine.config.params
    sig = article_signature(e, q, p)
    feats = idx.retrieval_features(sig)
    posts = idx.postings
    idx.forget_candidates()
    c0 = time.process_time()
    product = idx.candidates(sig)
    c1 = time.process_time()
    reference = posts.top_reference(idx.retrieval_features(sig), p.max_candidates)
    c2 = time.process_time()
    idx.forget_candidates()
    return {"reads": sum(posts.size(f) for f, _ in feats),
            "named": len(set().union(*(posts.lists.get(f, ()) for f, _ in feats))) if feats else 0,
            "product_ms": (c1 - c0) * 1000, "python_ms": (c2 - c1) * 1000, "same": product == reference}


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def measure_one(n: int, arrivals: int) -> dict:
    gen = NewsGen()
    engine = StoryEngine()
    gc.collect()
    rss0 = _rss_kb()
    t0, c0 = time.monotonic(), time.process_time()
    articles = build(engine, gen, n)
    build_s, build_cpu = time.monotonic() - t0, time.process_time() - c0
    gc.collect()
    rss1 = _rss_kb()
    assert len(engine.stories) == n, (len(engine.stories), n)
    cpu, wall, reads, named, product, python = [], [], [], [], [], []
    joined = follow = same = 0
    for k in range(WARM + arrivals):
        (q, e), home = arrival(gen, n, k)
        r = retrieval(engine, q, e)
        w0, c0 = time.perf_counter(), time.process_time()
        upd = engine.process(q, e, T_END)
        c1, w1 = time.process_time(), time.perf_counter()
        if k < WARM:
            continue
        cpu.append((c1 - c0) * 1000)
        wall.append((w1 - w0) * 1000)
        reads.append(r["reads"])
        named.append(r["named"])
        product.append(r["product_ms"])
        python.append(r["python_ms"])
        same += r["same"]
        if home is not None:
            follow += 1
            joined += upd is not None and upd.story_id == home
    return {"open_stories": n, "articles_in_stories": articles, "build_s": round(build_s, 1),
            "build_cpu_s": round(build_cpu, 1), "arrivals": arrivals,
            "cpu_ms_mean": round(sum(cpu) / len(cpu), 3), "cpu_ms_p50": round(pct(cpu, 50), 3),
            "cpu_ms_p99": round(pct(cpu, 99), 3), "wall_ms_p50": round(pct(wall, 50), 3),
            "wall_ms_p99": round(pct(wall, 99), 3), "wall_ms_max": round(max(wall), 3),
            "rss_mb_before": round(rss0 / 1024, 1), "rss_mb_after_build": round(rss1 / 1024, 1),
            "kb_per_open_story": round((rss1 - rss0) / n, 2),
            "postings_read_mean": round(sum(reads) / len(reads), 1), "postings_read_p99": pct(reads, 99),
            "stories_named_mean": round(sum(named) / len(named), 1), "stories_named_p99": pct(named, 99),
            "retrieval_cpu_ms_mean": round(sum(product) / len(product), 3),
            "retrieval_python_cpu_ms_mean": round(sum(python) / len(python), 3),
            "retrieval_same_as_python": same,
            "follow_ups": follow, "follow_ups_joined_their_story": joined,
            "open_stories_after": len(engine.stories), **restore_time(engine, n)}


def tables(engine: StoryEngine) -> tuple[list[dict], list[dict]]:
    """The engine's records as it persists them: story heads, and article records carrying
    their member order."""
    stories = engine.store.stories
    return ([s.to_json() for s in stories.values()],
            [a.to_json(order=stories[a.story_id].articles[a.article_id].order)
             for a in engine.store.articles.values()])


def restore_time(engine: StoryEngine, n: int) -> dict:
    """CPU seconds of ``restore`` of this engine's records into a new engine (what a restarted
    aggregator does once its tables are recovered), up to ``RESTORE_MAX`` open stories (beyond,
    the records' JSON would take several GB; restore is linear in the records)."""
    if n > RESTORE_MAX:
        return {"restore_cpu_s": None}
    stories, articles = tables(engine)
    c0 = time.process_time()
    StoryEngine().restore(stories, articles)
    return {"restore_cpu_s": round(time.process_time() - c0, 2)}


def run_sizes(sizes, arrivals: int, timeout: float = 3600) -> list[dict]:
    """Each size in a process of its own."""
    out = []
    for n in sizes:
        print(f"[aggregator bench] {n} open stories ...", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, "-m", "bench.aggregator", "--one", str(n), "--arrivals", str(arrivals)],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"bench.aggregator --one {n} failed: {proc.stderr[-2000:]}")
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"[aggregator bench]   {json.dumps(out[-1])}", file=sys.stderr, flush=True)   # kept if a later size fails
    base = out[0]
    for r in out:
        r["cpu_ratio_to_smallest"] = round(r["cpu_ms_mean"] / base["cpu_ms_mean"], 3)
        r["kb_per_story_ratio_to_smallest"] = round(r["kb_per_open_story"] / base["kb_per_open_story"], 3)
    return out


def summary(points: list[dict]) -> dict:
    """The figures the issue's targets are stated in (None where the size was not run)."""
    by = {p["open_stories"]: p for p in points}
    ten, hundred = by.get(10_000), by.get(100_000)
    return {"method": "in-process StoryEngine (bench/aggregator.py): open stories restored from records, "
                      "synthetic news with Zipf-shared names and words (bench/newsgen.py), arrivals through "
                      "process()", "baseline": f"{points[0]['open_stories']} open stories, same run",
            "points": points,
            "cpu_ms_at_10k": ten and ten["cpu_ms_mean"],
            "cpu_100k_vs_10k": ten and hundred and round(hundred["cpu_ms_mean"] / ten["cpu_ms_mean"], 3),
            "max_wall_p99_ms": max(p["wall_ms_p99"] for p in points),
            "max_articles_per_s": round(1000 / min(p["cpu_ms_mean"] for p in points), 1)}


def markdown(res: dict) -> str:
    lines = ["| open stories | articles in them | CPU ms/article mean | p50 | p99 | wall p99 ms | vs smallest "
             "| postings in its lists | stories named | retrieval ms (Python dict) | KB per open story | follow-ups joined | build s | restore CPU s |",
             "|---" * 14 + "|"]
    for p in res["points"]:
        lines.append(f"| {p['open_stories']:,} | {p['articles_in_stories']:,} | {p['cpu_ms_mean']} | {p['cpu_ms_p50']} "
                     f"| {p['cpu_ms_p99']} | {p['wall_ms_p99']} | x{p['cpu_ratio_to_smallest']} "
                     f"| {p['postings_read_mean']} | {p['stories_named_mean']} "
                     f"| {p['retrieval_cpu_ms_mean']} ({p['retrieval_python_cpu_ms_mean']}) | {p['kb_per_open_story']} "
                     f"| {p['follow_ups_joined_their_story']}/{p['follow_ups']} | {p['build_s']} "
                     f"| {p.get('restore_cpu_s') if p.get('restore_cpu_s') is not None else '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.aggregator", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="200 and 1,000 open stories, 40 arrivals")
    ap.add_argument("--sizes", type=int, nargs="+", default=None)
    ap.add_argument("--arrivals", type=int, default=None)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help="JSON output (default bench/results/aggregator[-smoke].json)")
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.arrivals or ARRIVALS)))
        return 0
    sizes = args.sizes or (SMOKE_SIZES if args.smoke else SIZES)
    arrivals = args.arrivals or (SMOKE_ARRIVALS if args.smoke else ARRIVALS)
    res = summary(run_sizes(sizes, arrivals))
    out = Path(args.out) if args.out else RESULTS / ("aggregator-smoke.json" if args.smoke else "aggregator.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(markdown(res))
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
