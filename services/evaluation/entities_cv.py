"""``eval entities --folds K``: entity scores cross-validated by topic.

Folds are whole topics (:mod:`services.evaluation.topic_folds`).  The entity
stage and the story merge have no fitted values (every rule is a string rule
or a linguistic one, see ``docs/quality-entities.md``), so nothing is fitted on
the training folds: the cross-validated figure is the *per-fold pooled* score.
Each held-out fold is scored on its own -- canonical keys and story merges see
only that fold's articles, as a stream of unseen topics would -- and the
B-cubed items of all folds are pooled (a cluster never spans two folds).  It
sits next to the fit-on-everything figure (:func:`score_entities` over the
whole file), with the spread of the per-fold scores.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from schemas.models import EntityMention
from services.evaluation.entities import (
    BCUBED_KEYS, collect_entities, format_table, load_records, predict, summarise_entities,
)
from services.evaluation.topic_folds import DEFAULT_FOLDS, fold_indices

__all__ = ["format_cv_table", "run_entities_cv", "score_entities_cv"]

#: The scores shown per fold and in the CV table: (label, result key, sub-key or None).
_HEADLINE = (("mentions F1", "mentions", "ALL"), ("story B-cubed", "bcubed_story", None),
             ("chained B-cubed", "bcubed_chained", None), ("cross-article B-cubed", "bcubed_cross", None))


def score_entities_cv(records: Sequence[dict], predictions: Sequence[Sequence[EntityMention]],
                      k: int = DEFAULT_FOLDS) -> dict:
    """Fit-on-everything scores, the pooled held-out-fold scores and each fold's own."""
    whole = summarise_entities(collect_entities(records, predictions))
    pooled: dict | None = None
    per_fold = []
    for f, idx in enumerate(fold_indices(records, k)):
        part = collect_entities([records[i] for i in idx], [predictions[i] for i in idx])
        per_fold.append(summarise_entities(part))
        for key in BCUBED_KEYS:  # a predicted or gold cluster never spans two folds
            part[key] = [((f, g), (f, p)) for g, p in part[key]]
        if pooled is None:
            pooled = part
            continue
        for key, value in part.items():
            pooled[key] = pooled[key] + value
    assert pooled is not None
    cv = summarise_entities(pooled)
    return {**whole, "folds": k, "cv": cv, "per_fold": per_fold}


def run_entities_cv(path: str | Path, k: int = DEFAULT_FOLDS, *, nlp=None) -> dict:
    """Parse, extract and score an ECB+-style JSONL file, cross-validated by topic."""
    records = load_records(path)
    t0 = time.perf_counter()
    predictions = predict([(r["title"], r["body"]) for r in records], nlp)
    result = score_entities_cv(records, predictions, k)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    return result


def _value(result: dict, key: str, sub: str | None) -> dict:
    return result[key][sub] if sub else result[key]


def format_cv_table(result: dict) -> str:
    """The fit-on-everything table, then the topic-CV figures next to it."""
    lines = [format_table(result), "",
             f"Cross-validated by topic ({result['folds']} folds; nothing fitted: pooled held-out folds)",
             f"{'F1 (P / R)':<24}{'all data':>22}{'topic CV':>22}{'folds min-max':>16}"]
    for label, key, sub in _HEADLINE:
        w, c = _value(result, key, sub), _value(result["cv"], key, sub)
        f1s = [_value(p, key, sub)["f1"] for p in result["per_fold"]]
        lines.append(f"{label:<24}{_fmt(w):>22}{_fmt(c):>22}{f'{min(f1s):.3f}-{max(f1s):.3f}':>16}")
    return "\n".join(lines)


def _fmt(m: dict) -> str:
    return f"{m['f1']:.3f} ({m['precision']:.2f}/{m['recall']:.2f})"
