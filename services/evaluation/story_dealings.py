"""The story figures of record over several dealings of the topics into folds.

Which topics share a fold is a seeded shuffle (:func:`story_inputs.folds`); it changes what
each fold is fitted on and what its held-out stream holds, and on these data sets it moves the
cross-validated figure by up to 0.04 B-cubed (docs/quality-stories.md, "Fold dealings").  So the
figure of record is, per dealing, the lower of the fold-alone and the in-context (all pairs)
figure, averaged over the dealings.

    python -m services.evaluation.story_dealings DATA [DATA ...] [--dealings 0,1,2] [--orders 3] [--jobs 2]

DATA as ``storystream eval stories`` (a file, or files joined by ``+`` streamed as one).  The
fold runs are cached (``.data/eval-cache``), shared with ``eval stories`` for dealing 0.
"""
from __future__ import annotations

import argparse
import json
import statistics
from typing import Mapping, Sequence

from services.cli import int_list
from services.evaluation import story_cv
from services.evaluation.stories import summary
from services.evaluation.story_inputs import data_set, stream_seeds

KEYS = ("pairwise_f1", "bcubed_f1")


def lower(fold_alone: Mapping[str, float], in_context: Mapping[str, float]) -> dict[str, float]:
    """Per measure, the lower of the two figures of one dealing (means over the orders)."""
    return {k: min(fold_alone[f"mean_{k}"], in_context[f"mean_{k}"]) for k in KEYS}


def record(per_dealing: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The figure of record: each measure's mean over the dealings' lower figures."""
    if not per_dealing:
        raise ValueError("no dealing to average")
    return {k: round(statistics.fmean(d[k] for d in per_dealing), 4) for k in KEYS}


def run(items, dealings: Sequence[int], k: int = 5, orders: int = 3, jobs: int = 1,
        done: Mapping[int, dict] | None = None) -> dict:
    """Per dealing the cross-validation's two figures and the lower, and the figure of record;
    ``done``: cross-validations already made, by dealing (``eval stories`` has dealing 0's)."""
    rows = {}
    seeds = stream_seeds(items, range(orders))
    for deal in dealings:
        cv = (done or {}).get(deal) or story_cv.cross_validate(items, k, seeds, jobs=jobs, in_context=True, deal=deal)
        alone, ctx = summary(cv["orders"]), summary(cv["context_all_pairs_orders"])
        rows[deal] = {"fold_alone": alone, "in_context": ctx, "lower": lower(alone, ctx)}
    return {"dealings": rows, "record": record([r["lower"] for r in rows.values()])}


def _pair(d: Mapping[str, float], prefix: str = "") -> str:
    return " / ".join(f"{d[prefix + k]:.3f}" for k in KEYS)


def format_table(results: Mapping[str, dict]) -> str:
    lines = ["| data | dealing | CV fold alone | CV in context, all pairs | the lower |",
             "|---|---|---|---|---|"]
    for name, res in results.items():
        for deal, r in res["dealings"].items():
            lines.append(f"| {name} | {deal} | {_pair(r['fold_alone'], 'mean_')} | "
                         f"{_pair(r['in_context'], 'mean_')} | {_pair(r['lower'])} |")
        lines.append(f"| {name} | **figure of record** (mean) | | | **{_pair(res['record'])}** |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m services.evaluation.story_dealings")
    ap.add_argument("data", nargs="+")
    ap.add_argument("--dealings", type=int_list, default=[0, 1, 2], help="seeds of the dealings of topics into folds")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--orders", type=int, default=3, help="orders per dealing (a dated set: date order)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    results = {}
    for arg in a.data:
        name, items = data_set(arg)
        results[name] = run(items, a.dealings, a.folds, a.orders, a.jobs)
    print(json.dumps(results, indent=1) if a.json else format_table(results))


if __name__ == "__main__":
    main()
