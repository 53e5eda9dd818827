"""Story clustering evaluation: pairwise and B-cubed scores, and the offline runner that streams
an evaluation file through the engine (no Kafka) in seeded orders, or in date order when dated.

The articles are extracted by the real pipeline once per file and cached
(:mod:`services.evaluation.story_inputs`); cross-validation by topic, the fit and the baseline:
:mod:`services.evaluation.story_cv`, :mod:`services.evaluation.tfidf_baseline`.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from services.aggregator.engine import EngineConfig, StoryEngine
from services.common.settings import ROOT
from services.evaluation.story_inputs import CACHE_DIR, UNDATED_AT, Item, code_digest, load_items, ordered, stream_seeds
from services.evaluation.story_inputs import shuffled  # noqa: F401  (the Kafka evaluation streams these orders)


# ---------------------------------------------------------------- scoring
def score_clusters(gold: Mapping[str, str], pred: Mapping[str, str]) -> dict:
    """Pairwise and B-cubed precision/recall/F1 over the articles in ``gold``."""
    ids = [a for a in gold if a in pred]
    g_of = {a: gold[a] for a in ids}
    p_of = {a: pred[a] for a in ids}
    g_members: dict[str, set] = defaultdict(set)
    p_members: dict[str, set] = defaultdict(set)
    for a in ids:
        g_members[g_of[a]].add(a)
        p_members[p_of[a]].add(a)

    # pairwise, counted from the contingency table
    joint = Counter((g_of[a], p_of[a]) for a in ids)
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    tp = sum(pairs(n) for n in joint.values())
    pred_pairs = sum(pairs(len(m)) for m in p_members.values())
    gold_pairs = sum(pairs(len(m)) for m in g_members.values())
    pp = tp / pred_pairs if pred_pairs else 1.0
    pr = tp / gold_pairs if gold_pairs else 1.0

    # B-cubed
    bp = br = 0.0
    for a in ids:
        inter = joint[(g_of[a], p_of[a])]
        bp += inter / len(p_members[p_of[a]])
        br += inter / len(g_members[g_of[a]])
    n = len(ids) or 1
    bp, br = bp / n, br / n
    f = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    return {
        "articles": len(ids), "gold_stories": len(g_members), "pred_stories": len(p_members),
        "pairwise_p": pp, "pairwise_r": pr, "pairwise_f1": f(pp, pr),
        "bcubed_p": bp, "bcubed_r": br, "bcubed_f1": f(bp, br),
    }


def held_out_counts(gold: Mapping[str, str], pred: Mapping[str, str], held: Iterable[str]) -> dict:
    """Sums for scoring the articles ``held`` inside the partition ``pred`` of a whole stream:
    the pairs with at least one held-out article (right, predicted, gold) and the held-out
    articles' B-cubed precision and recall, each against its whole predicted story and whole gold
    story (so a held-out article lumped with other articles of another event loses precision
    whether those are held out or not).  Pooled over folds by :func:`score_counts`."""
    held = {a for a in held if a in gold and a in pred}
    ids = [a for a in gold if a in pred]
    joint, joint_h = Counter((gold[a], pred[a]) for a in ids), Counter((gold[a], pred[a]) for a in held)
    p_n, p_h = Counter(pred[a] for a in ids), Counter(pred[a] for a in held)
    g_n, g_h = Counter(gold[a] for a in ids), Counter(gold[a] for a in held)
    touching = lambda n, h: n * (n - 1) // 2 - (n - h) * (n - h - 1) // 2  # noqa: E731
    return {"tp": sum(touching(n, joint_h[c]) for c, n in joint.items()),
            "pred_pairs": sum(touching(n, p_h[c]) for c, n in p_n.items()),
            "gold_pairs": sum(touching(n, g_h[c]) for c, n in g_n.items()),
            "bp": sum(joint[(gold[a], pred[a])] / p_n[pred[a]] for a in held),
            "br": sum(joint[(gold[a], pred[a])] / g_n[gold[a]] for a in held), "n": len(held),
            "stories": len(p_h)}


def score_counts(counts: Iterable[Mapping[str, float]]) -> dict:
    """Pairwise and B-cubed precision/recall/F1 from :func:`held_out_counts` summed."""
    t = Counter()
    for c in counts:
        t.update(c)
    f = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    pp = t["tp"] / t["pred_pairs"] if t["pred_pairs"] else 1.0
    pr = t["tp"] / t["gold_pairs"] if t["gold_pairs"] else 1.0
    n = t["n"] or 1
    bp, br = t["bp"] / n, t["br"] / n
    return {"articles": int(t["n"]), "pred_stories": int(t["stories"]), "gold_stories": 0,
            "pairwise_p": pp, "pairwise_r": pr, "pairwise_f1": f(pp, pr),
            "bcubed_p": bp, "bcubed_r": br, "bcubed_f1": f(bp, br)}


_COLS = ("pred_stories", "pairwise_p", "pairwise_r", "pairwise_f1", "bcubed_p", "bcubed_r", "bcubed_f1")


def format_table(results_per_order: Mapping[str, dict]) -> str:
    """One row per order plus the mean and the worst (minimum; max story count) rows."""
    head = f"{'order':<8}" + "".join(f"{c:>13}" for c in _COLS)
    lines = [head]
    rows = list(results_per_order.items())
    for name, r in rows:
        lines.append(f"{str(name):<8}" + "".join(_fmt(r[c]) for c in _COLS))
    if rows:
        vals = [r for _, r in rows]
        mean = {c: statistics.fmean(v[c] for v in vals) for c in _COLS}
        worst = {c: (max if c == "pred_stories" else min)(v[c] for v in vals) for c in _COLS}
        lines.append(f"{'mean':<8}" + "".join(_fmt(mean[c]) for c in _COLS))
        lines.append(f"{'worst':<8}" + "".join(_fmt(worst[c]) for c in _COLS))
    return "\n".join(lines)


def _fmt(v) -> str:
    return f"{v:>13.1f}" if isinstance(v, float) and v > 1.0 else (f"{v:>13.4f}" if isinstance(v, float) else f"{v:>13}")


# ---------------------------------------------------------------- offline runs
def run_stream(items: Sequence[Item], config: EngineConfig | None = None) -> dict[str, str]:
    """Feed ``items`` to a fresh engine in the order given; article id -> final story id.

    Event time is the publication time of a dated article (else a constant), and after each
    article the stories idle beyond ``close_after_seconds`` (event time) close, as the worker's
    timer closes them, so closing and the reopen window take part on a dated stream."""
    engine = StoryEngine(config)
    for it in items:
        at = it.published or UNDATED_AT
        engine.process(it.quotes, it.entities, at)
        if it.published is not None:
            engine.expire_updates(at)
    return engine.assignments()   # final membership (revisions, splits and merges move articles)


def run_cached(items: Sequence[Item], config: EngineConfig) -> dict[str, str]:
    """:func:`run_stream`, its result cached on disk (``.data/eval-cache/runs/``) keyed by the
    stream (ids, content hashes, dates, in order), the configuration and the digests of the
    aggregator's and the extraction's code: the fit and ``eval stories`` share their fold runs.
    The quality tests call :func:`run_stream` (never cached)."""
    key = hashlib.sha256(json.dumps([
        aggregator_digest(), code_digest(), repr(config),
        [(it.article_id, it.entities.article.content_hash, it.published and it.published.isoformat()) for it in items],
    ]).encode()).hexdigest()[:32]
    path = CACHE_DIR / "runs" / f"{key}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    pred = run_stream(items, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(pred), encoding="utf-8")
    tmp.replace(path)
    return pred


@functools.lru_cache(maxsize=1)
def aggregator_digest() -> str:
    h = hashlib.sha256()
    for f in sorted((ROOT / "services" / "aggregator").glob("*.py")):
        if f.name == "params.py":      # its values are in the configuration's repr
            continue
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_inputs(path: str | Path) -> list[tuple]:
    """(quotes, entities, gold story) per record of ``path``, extracted (``bench/decisions.py``)."""
    return [(it.quotes, it.entities, it.story) for it in load_items(path)]


def gold_of(items: Iterable[Item]) -> dict[str, str]:
    return {it.article_id: it.story for it in items}


def run_order(items: Sequence[Item], seed: int, config: EngineConfig | None = None) -> tuple[dict, dict]:
    """(gold, pred) of one order of ``items`` (:func:`story_inputs.ordered`)."""
    return gold_of(items), run_stream(ordered(items, seed), config)


def offline_orders(data: str | Path | Sequence[Item], seeds: Iterable[int] = (0, 1, 2, 3, 4),
                   config: EngineConfig | None = None) -> dict:
    """Scores per order: ``{seed: score_clusters(...)}``; a dated data set has one order (by date)."""
    items = load_items(data) if isinstance(data, (str, Path)) else list(data)
    seeds = stream_seeds(items, seeds)
    return {s: score_clusters(*run_order(items, s, config)) for s in seeds}


def summary(results_per_order: Mapping[object, dict], keys=("pairwise_f1", "bcubed_f1", "pairwise_p",
                                                            "pairwise_r", "bcubed_p", "bcubed_r")) -> dict:
    """Mean and worst (minimum) of each score over the orders."""
    vals = list(results_per_order.values())
    out = {}
    for k in keys:
        out[f"mean_{k}"] = round(statistics.fmean(v[k] for v in vals), 4)
        out[f"worst_{k}"] = round(min(v[k] for v in vals), 4)
    out["orders"] = len(vals)
    out["pred_stories"] = [v["pred_stories"] for v in vals]
    out["gold_stories"] = vals[0]["gold_stories"] if vals else 0
    return out


if __name__ == "__main__":  # pragma: no cover
    print(format_table(offline_orders(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/ecbplus_dev.jsonl")))
