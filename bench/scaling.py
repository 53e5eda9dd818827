"""Scaling out, from the measured CPU seconds per article: each stage's cost next to bare
``nlp.pipe``'s, and the throughput k annotator cores would give, capped by the one aggregator.

  python -m bench.scaling bench/results/latest.json     # the projection of a saved `make bench` run

The annotators, quote and entity agents scale out through partitions (one core each per k
annotators needs k/annotator-cost articles/s); the aggregator is one process, so whatever k,
the pipeline cannot place more than 1 / (aggregator CPU s per article) articles per second.
Two aggregator figures cap it: the pipeline run's (the aggregator of `make bench`, a few dozen
open stories) and the aggregator bench's at 10,000 and 100,000 open stories (a real window of
world news).  The other stages' cores at that rate are what a deployment must provide beside
the annotators (quotes + entities + broker, per article, times the rate).
"""
from __future__ import annotations

import json
import sys
from typing import Optional

PIPELINE_STAGES = ("annotator", "quotes", "entities", "aggregator", "broker")
K = (1, 2, 4, 8, 16, 32, 64)


def _r(x: Optional[float], nd: int = 2) -> Optional[float]:
    return None if x is None else round(x, nd)


def scaling(res: dict) -> dict:
    """Per-stage CPU per article next to bare ``nlp.pipe``'s, and projected articles/s for k
    annotator cores (k / annotator CPU per article), capped by each aggregator rate measured."""
    nlp = res["baseline"]["cpu_s_per_article"]
    run = res["pipeline"]["annotators_1"]["cpu_s_per_article"]
    stages = {s: run.get(s) for s in PIPELINE_STAGES if run.get(s) is not None}
    total = sum(stages.values())
    caps = {}
    if stages.get("aggregator"):
        caps["aggregator_in_pipeline"] = 1.0 / stages["aggregator"]
    agg = res.get("aggregator") or {}
    for p in agg.get("points", []):
        if p["open_stories"] in (10_000, 100_000) or p is agg["points"][-1]:
            caps[f"aggregator_{p['open_stories']}_open"] = 1000.0 / p["cpu_ms_mean"]
    per_core = 1.0 / stages["annotator"] if stages.get("annotator") else None
    rest = sum(v for s, v in stages.items() if s not in ("annotator", "aggregator"))
    rows = []
    for k in K:
        raw = k * per_core if per_core else None
        row = {"annotator_cores": k, "annotators_articles_per_s": _r(raw, 1),
               "other_stage_cores_needed": _r(raw * rest if raw else None)}
        for name, cap in caps.items():
            row[f"capped_by_{name}"] = _r(min(raw, cap) if raw else None, 1)
        rows.append(row)
    return {"nlp_cpu_s_per_article": nlp,
            "stage_cpu_s_per_article": stages,
            "stage_ratio_to_nlp": {s: _r(v / nlp, 3) for s, v in stages.items()},
            "pipeline_cpu_s_per_article": round(total, 4),
            "pipeline_ratio_to_nlp": _r(total / nlp, 3),
            "aggregator_caps_articles_per_s": {k: _r(v, 1) for k, v in caps.items()},
            "annotator_cores_to_saturate": {k: _r(v / per_core, 1) for k, v in caps.items()} if per_core else {},
            "projection": rows}


def markdown(sc: dict) -> str:
    stages = sc["stage_cpu_s_per_article"]
    lines = ["| CPU s / article (1-annotator run) | bare `nlp.pipe` | " + " | ".join(stages) + " | all stages |",
             "|---" * (len(stages) + 3) + "|",
             f"| seconds | {sc['nlp_cpu_s_per_article']} | " + " | ".join(str(v) for v in stages.values())
             + f" | {sc['pipeline_cpu_s_per_article']} |",
             "| x bare `nlp.pipe` | 1.0 | " + " | ".join(str(sc["stage_ratio_to_nlp"][s]) for s in stages)
             + f" | {sc['pipeline_ratio_to_nlp']} |", ""]
    caps = list(sc["aggregator_caps_articles_per_s"])
    lines += ["| annotator cores | annotators alone art/s | other stages' cores | "
              + " | ".join(f"capped by {c.replace('_', ' ')} ({sc['aggregator_caps_articles_per_s'][c]}/s)"
                           for c in caps) + " |",
              "|---" * (len(caps) + 3) + "|"]
    for row in sc["projection"]:
        lines.append(f"| {row['annotator_cores']} | {row['annotators_articles_per_s']} | "
                     f"{row['other_stage_cores_needed']} | "
                     + " | ".join(str(row[f"capped_by_{c}"]) for c in caps) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        res = json.load(f)
    print(markdown(res.get("scaling") or scaling(res)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
