"""The benchmark's report: the keys its JSON always has, whether each target is met, the
CPU-normalised projection, and the markdown table it prints."""
from __future__ import annotations

import os

# Keys a consumer of the JSON (e.g. a smoke test) can rely on.
REQUIRED_KEYS = {
    "meta": ["smoke", "started_at", "duration_s", "cpu_count", "loadavg_start", "loadavg_end", "model",
             "batch_size", "batch_within", "partitions", "distinct_texts", "broker"],
    "baseline": ["articles", "tokens", "seconds", "articles_per_s", "tokens_per_s", "cpu_s_per_article",
                 "cores_used"],
    "extract": ["articles", "seconds", "articles_per_s", "tokens_per_s", "cpu_s_per_article", "ratio_to_baseline"],
    "feeds": ["articles", "refused", "seconds", "cpu_s_per_article", "nlp_cpu_s_per_article", "ratio_to_nlp"],
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
    "aggregator": ["method", "baseline", "points", "max_wall_p99_ms", "max_articles_per_s"],
    "aggregator_point": ["open_stories", "articles_in_stories", "arrivals", "cpu_ms_mean", "cpu_ms_p50", "cpu_ms_p99",
                         "wall_ms_p99", "kb_per_open_story", "postings_read_mean", "stories_named_mean",
                         "cpu_ratio_to_smallest"],
    "scaling": ["nlp_cpu_s_per_article", "stage_cpu_s_per_article", "stage_ratio_to_nlp",
                "pipeline_cpu_s_per_article", "pipeline_ratio_to_nlp", "aggregator_caps_articles_per_s",
                "projection"],
}
STAGES = ("annotator", "quotes", "entities", "aggregator", "broker", "bench")


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
        **aggregator_targets(res),
    }


def aggregator_targets(res: dict) -> dict:
    """The issue-22 targets (the aggregator's own bench, the pipeline against bare ``nlp.pipe``);
    a size the run did not measure (the smoke run) gives None, not met."""
    agg, sc = res.get("aggregator"), res.get("scaling")
    out = {}
    if agg:
        pts = agg["points"]
        ten, ratio = agg.get("cpu_ms_at_10k"), agg.get("cpu_100k_vs_10k")
        lin = round(pts[-1]["kb_per_open_story"] / pts[0]["kb_per_open_story"], 3)
        out["aggregator_cpu_ms_at_10k_open"] = {"value": ten, "target": "<= 2", "met": ten is not None and ten <= 2}
        out["aggregator_cpu_100k_vs_10k"] = {"value": ratio, "target": "<= 1.5",
                                             "met": ratio is not None and ratio <= 1.5}
        out["aggregator_p99_ms"] = {"value": agg["max_wall_p99_ms"], "target": "<= 20",
                                    "met": agg["max_wall_p99_ms"] <= 20}
        out["aggregator_memory_per_story_largest_vs_smallest"] = {"value": lin, "target": "<= 1.2 (linear)",
                                                                  "met": lin <= 1.2}
    if sc:
        r = sc["pipeline_ratio_to_nlp"]
        out["pipeline_cpu_vs_nlp"] = {"value": r, "target": "<= 1.15", "met": r is not None and r <= 1.15}
    return out


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
    f = res.get("feeds")
    if f:
        lines += ["", "| CPU s / article, one process | feeds: fetch + extraction | NLP: bare `nlp.pipe` | ratio |",
                  "|---|---|---|---|",
                  f"| {f['articles']} pages from a local server | {f['cpu_s_per_article']} | "
                  f"{f['nlp_cpu_s_per_article']} | x{f['ratio_to_nlp']} |"]
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
