"""``storystream eval stories DATA... --folds K`` (offline) and ``storystream fit stories DATA...``.

A DATA argument is one data set: a JSONL evaluation file, or several joined by ``+``
(``ecbplus_dev.jsonl+ecbplus_more.jsonl``: one stream of both files' stories).

For each data set the evaluation prints these figures, each as pairwise and B-cubed F1, mean and
worst over the orders (seeded shuffles of an undated set; the date order of a dated one):

* fit on everything: the whole data set streamed with the product's parameters
  (``ClusterParams()``, whose fitted values were fitted on these data sets);
* cross-validated: topic folds, the fitted parameters (the grid's and the learned rescue's)
  re-fitted on the other folds for each held-out fold (:func:`story_cv.cross_validate`), the
  held-out partitions pooled; also the same without the rescue (the hand placement alone);
* cross-validated in context: the same fits, but each held-out fold scored inside a stream of the
  WHOLE data set (whole-stream order) run with the values fitted without it, so it meets every
  look-alike story (:mod:`story_cv`); with and without the rescue; scored over the held-out
  articles only, and "all pairs": the held-out articles against the whole run's stories (the
  pairs touching a held-out article; B-cubed against whole stories);
* the TF-IDF single-pass baseline over the same orders (:mod:`tfidf_baseline`);
* the figure of record: per dealing of the topics into folds (``--dealings``, default 0, 1, 2),
  the lower of the cross-validated and the in-context (all pairs) figure, averaged over the
  dealings (:mod:`story_dealings`).
"""
from __future__ import annotations

import json
import multiprocessing
import subprocess
import time
from pathlib import Path
from typing import Sequence

from services.aggregator.engine import EngineConfig
from services.aggregator.learned import FEATURES
from services.aggregator.params import FITTED_PATH
from services.evaluation import story_cv, story_dealings
from services.evaluation.stories import gold_of, run_cached, score_clusters, summary
from services.evaluation.story_inputs import Item, data_set, is_dated, ordered, stream_seeds
from services.evaluation.tfidf_baseline import single_pass


_ITEMS: list[Item] = []   # the data set, shared with forked workers


def _full(seed: int) -> tuple[int, dict]:
    return seed, score_clusters(gold_of(_ITEMS), run_cached(ordered(_ITEMS, seed), EngineConfig()))


def whole_stream(items: Sequence[Item], seeds: Sequence[int], jobs: int = 1) -> dict:
    """Scores per order of the whole data set with the product's parameters (runs cached)."""
    global _ITEMS
    _ITEMS = list(items)
    seeds = stream_seeds(items, seeds)
    if jobs > 1 and len(seeds) > 1:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(seeds))) as pool:
            return dict(pool.map(_full, seeds, chunksize=1))
    return dict(map(_full, seeds))


def baseline_orders(items: Sequence[Item], seeds: Sequence[int]) -> dict:
    seeds = stream_seeds(items, seeds)
    return {s: score_clusters(gold_of(items), single_pass(ordered(items, s))) for s in seeds}


def evaluate(args: Sequence[str], folds: int = 5, orders: int = 3, cv_orders: int = 3, jobs: int = 1,
             dealings: Sequence[int] = (0,)) -> dict:
    """The report's figures per data set (module docstring); ``dealings``: the dealings of the
    topics into folds whose cross-validations make the figure of record (:mod:`story_dealings`;
    the rows above it are dealing 0's, which is always computed)."""
    dealings = sorted({0, *dealings})
    out = {"folds": folds, "orders": orders, "cv_orders": cv_orders, "grid": story_cv.GRID,
           "dealings": dealings, "data_sets": {}}
    for arg in args:
        name, items = data_set(arg)
        t0 = time.monotonic()
        seeds = range(orders)
        full = whole_stream(items, seeds, jobs)
        cv = story_cv.cross_validate(items, folds, range(1 if is_dated(items) else cv_orders), jobs=jobs)
        rec = story_dealings.run(items, dealings, folds, cv_orders, jobs, done={0: cv})
        base = baseline_orders(items, seeds)
        out["data_sets"][name] = {
            "articles": len(items), "stories": len({it.story for it in items}),
            "topics": len({it.topic for it in items}), "dated": is_dated(items),
            "fit_on_everything": summary(full), "cross_validated": summary(cv["orders"]),
            "cross_validated_hand": summary(cv["hand_orders"]),
            "cv_in_context": summary(cv["context_orders"]),
            "cv_in_context_hand": summary(cv["context_hand_orders"]),
            "cv_in_context_all_pairs": summary(cv["context_all_pairs_orders"]),
            "cv_in_context_all_pairs_hand": summary(cv["context_hand_all_pairs_orders"]),
            "baseline": summary(base), "chosen_per_fold": cv["chosen"],
            "record_per_dealing": {d: r["lower"] for d, r in rec["dealings"].items()}, "record": rec["record"],
            "seconds": round(time.monotonic() - t0, 1),
        }
    return out


_ROWS = (("fit on everything", "fit_on_everything"), ("cross-validated", "cross_validated"),
         ("CV, no rescue", "cross_validated_hand"), ("CV in context", "cv_in_context"),
         ("CV in ctx, no rescue", "cv_in_context_hand"), ("CV in ctx, all pairs", "cv_in_context_all_pairs"),
         ("all pairs, no rescue", "cv_in_context_all_pairs_hand"), ("TF-IDF baseline", "baseline"))


def format_report(result: dict) -> str:
    lines = []
    for name, r in result["data_sets"].items():
        order = "date order" if r["dated"] else f"{result['orders']} orders (CV: {result['cv_orders']})"
        lines.append(f"{name}: {r['articles']} articles, {r['stories']} stories, {r['topics']} topics, "
                     f"{order}, {result['folds']} topic folds")
        lines.append(f"  {'':<20}{'pairwise F1':>16}{'B-cubed F1':>16}{'pw P / R':>16}{'B3 P / R':>16}  stories")
        for label, key in _ROWS:
            s = r[key]
            lines.append(f"  {label:<20}{s['mean_pairwise_f1']:>8.3f} /{s['worst_pairwise_f1']:>6.3f}"
                         f"{s['mean_bcubed_f1']:>8.3f} /{s['worst_bcubed_f1']:>6.3f}"
                         f"{s['mean_pairwise_p']:>8.3f} /{s['mean_pairwise_r']:>6.3f}"
                         f"{s['mean_bcubed_p']:>8.3f} /{s['mean_bcubed_r']:>6.3f}  "
                         f"{','.join(map(str, s['pred_stories']))}")
        rec, per = r["record"], r["record_per_dealing"]
        lines.append(f"  {'figure of record':<20}{rec['pairwise_f1']:>8.3f}{'':>7}{rec['bcubed_f1']:>8.3f}   "
                     f"(per dealing of the topics into folds, the lower of CV and CV in ctx, all pairs; "
                     f"the mean over dealings {', '.join(map(str, per))}: "
                     + "; ".join(f"{d['pairwise_f1']:.3f} / {d['bcubed_f1']:.3f}" for d in per.values()) + ")")
        chosen = sorted({json.dumps(c, sort_keys=True) for c in r["chosen_per_fold"]})
        lines.append(f"  (F1: mean / worst over orders; P / R: means; values chosen per fold: {', '.join(chosen)})")
        lines.append("")
    return "\n".join(lines)


def write_fitted(args: Sequence[str], out: Path = FITTED_PATH, folds: int = 5, orders: int = 3, jobs: int = 1) -> dict:
    """Fit the :data:`story_cv.GRID` parameters on the data sets and write them to ``out``."""
    sets = [data_set(a) for a in args]
    t0 = time.monotonic()
    result = story_cv.fit([items for _, items in sets], folds, range(orders), jobs=jobs)
    doc = {
        "params": result["params"],
        "how": (f"grid search (services/evaluation/story_cv.py GRID) on {folds} pooled topic folds per data set, "
                f"{orders} order(s); objective: mean of pairwise and B-cubed F1, averaged over the data sets"),
        "command": "storystream fit stories " + " ".join(args) + f" --folds {folds} --orders {orders}",
        "data_sets": [name for name, _ in sets],
        "code": _commit(),
        "objective": result["objective"],
        "grid": {k: list(v) for k, v in story_cv.GRID.items()},
        "rescue_features": list(FEATURES),
        "rescue_how": ("logistic regression over the placements recorded on every fold at the chosen grid point "
                       "(services/evaluation/story_learned.py); kept only when the invented sister events stay "
                       "apart (story_cv.admissible)"),
        "not_admissible": [p for p in story_cv.grid_points(admissible_only=False)
                           if p not in story_cv.grid_points()],
        "table": result["table"],
    }
    out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return {**doc, "seconds": round(time.monotonic() - t0, 1)}


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):   # pragma: no cover
        return ""
