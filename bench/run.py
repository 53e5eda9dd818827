"""``make bench`` = ``python -m bench.run``: end-to-end throughput, latency, CPU and
memory of the pipeline on a real Kafka broker, next to a bare ``nlp.pipe`` baseline.

  python -m bench.run            full run (~12-16 min on 2 cores, ~5.5 GB RAM), bench/results/latest.json
  python -m bench.run --smoke    tiny run (< 2 min) that exercises every phase, bench/results/smoke.json

It ends with the aggregator's own bench (bench/aggregator.py: the pure engine with 1k, 10k and
100k open stories) and the scaling projection (bench/scaling.py).

See bench/README.md for the method.  No assertion on timings anywhere: the run
reports figures and whether each target is met; it fails only if it breaks.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import aggmem
from bench import aggregator as aggbench
from bench.baseline import model_name, run_baseline, run_extract
from bench.data import EVAL_DATA, TokenTable, load_articles
from bench.feeds import run_feeds
from bench.pipeline import run_pipelines
from bench.plan import FULL, SMOKE
from bench.progress import say
from bench.report import markdown, projection, targets
from bench.scaling import markdown as scaling_markdown
from bench.scaling import scaling
from bench.window import Ctx
from devtools.stack import kafka_for
from services.common import logging as slog
from services.common.settings import load

RESULTS = Path(__file__).resolve().parent / "results"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


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
    settings = load()
    slog.configure("warning", service="bench")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # leader elections of fresh topics: retried

    workdir = Path(tempfile.mkdtemp(prefix="storystream-bench-"))
    try:
        base = load_articles(plan.distinct)
        say(f"baseline: bare nlp.pipe over {len(base)} articles (titles + bodies), one process")
        baseline, tokens = run_baseline(base)
        say(f"  -> {baseline['articles_per_s']} articles/s, {baseline['tokens_per_s']} tokens/s")
        extract = run_extract(base, baseline)
        say(f"storystream extract (one pass + both extractions, no Kafka): {extract['articles_per_s']} articles/s, "
            f"{extract['tokens_per_s']} tokens/s (x{extract['ratio_to_baseline']} of bare nlp.pipe)")
        say(f"feeds: one poll of a local feed of the {len(base)} articles as pages (fetch + extraction)")
        feeds = run_feeds(base, baseline)
        say(f"  -> {feeds['cpu_s_per_article']} CPU s/article (NLP: {feeds['nlp_cpu_s_per_article']})")
        with kafka_for(workdir, log=say) as (bootstrap, broker):
            say(f"broker {bootstrap}")
            ctx = Ctx(broker_pid=broker.process.pid if broker else None, tokens_of=TokenTable(tokens),
                      baseline_rate=baseline["articles_per_s"], baseline_tok_rate=baseline["tokens_per_s"])
            pipes = asyncio.run(run_pipelines(plan, bootstrap, workdir, base, ctx))
        latency = pipes.pop("_latency")
        say(f"aggregator memory: {plan.agg_points[0]} and {plan.agg_points[1]} synthetic articles, in-process engine")
        mem = aggmem.measure(*plan.agg_points)
        say(f"aggregator bench: {', '.join(map(str, plan.agg_sizes))} open stories, {plan.agg_arrivals} arrivals each, "
            f"in-process engine (bench/aggregator.py)")
        agg = aggbench.summary(aggbench.run_sizes(plan.agg_sizes, plan.agg_arrivals))
    finally:
        if args.keep:
            say(f"work dir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    res = {
        "meta": {
            "smoke": plan.smoke, "started_at": started.isoformat(),
            "duration_s": round(time.monotonic() - t_start, 1), "cpu_count": os.cpu_count(),
            "cpu_model": cpu_model(), "python": platform.python_version(),
            "loadavg_start": [round(x, 2) for x in load0], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            "model": model_name(), "batch_size": settings.batch_size,
            "batch_within": settings.batch_within, "partitions": settings.article_partitions,
            "distinct_texts": len(base), "broker": "KAFKA_BOOTSTRAP" if os.environ.get("KAFKA_BOOTSTRAP")
            else "local KRaft (devtools.broker.launcher.LocalBroker)",
            "eval_data": str(EVAL_DATA),
        },
        "baseline": baseline,
        "extract": extract,
        "feeds": feeds,
        "pipeline": pipes,
        "latency": latency,
        "aggregator_memory": mem,
        "aggregator": agg,
    }
    res["projection"] = projection(res)
    res["scaling"] = scaling(res)
    res["targets"] = targets(res)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(res, indent=2) + "\n")
    print(markdown(res))
    print("\n#### The aggregator's own bench (pure engine, open stories vs cost per arriving article)\n")
    print(aggbench.markdown(agg))
    print("\n#### Per stage vs bare nlp.pipe, and k annotator cores (capped by the one aggregator)\n")
    print(scaling_markdown(res["scaling"]))
    say(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
