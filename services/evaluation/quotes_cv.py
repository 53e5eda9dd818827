"""``eval quotes --folds K``: quote and speaker scores by topic fold.

Folds are whole topics (:mod:`services.evaluation.topic_folds`).  Quote
extraction has no fitted values (its rules are linguistic, see
``docs/quality-quotes.md``) and is scored article by article, so the pooled
held-out folds -- the cross-validated figure -- equal the all-data figure; the
table adds each fold's own score, whose spread shows how much the figure
moves from one set of topics to another.  Gold without stories (the seeds)
or with fewer topics than folds gets the plain table and a note.
"""
from __future__ import annotations

from pathlib import Path

from services.evaluation.quotes import format_table, load_gold, parse_gold, score_quotes
from services.evaluation.topic_folds import DEFAULT_FOLDS, assign_folds, topic_of
from services.quotes.extract import extract_quotes

__all__ = ["format_cv_table", "run_quotes_cv"]


def run_quotes_cv(path: str | Path, k: int = DEFAULT_FOLDS, *, nlp=None, docs=None) -> dict:
    """All-data scores plus, when the gold has at least ``k`` topics, each fold's scores."""
    records = load_gold(path)
    docs = parse_gold(records, nlp) if docs is None else docs
    if len(docs) != len(records):
        raise ValueError(f"{len(docs)} parsed docs for {len(records)} gold records")
    preds = {r["id"]: extract_quotes(body, title) for r, (title, body) in zip(records, docs)}
    result = score_quotes(records, preds)
    result["data"] = str(path)
    topics = {topic_of(r.get("story", "")) for r in records if r.get("story")}
    if len(topics) < k or any(not r.get("story") for r in records):
        result["cv_note"] = f"no topic CV: {len(topics)} topic(s) for {k} folds"
        return result
    folds = assign_folds(records, k)
    result["folds"] = k
    result["per_fold"] = []
    for f in range(k):
        part = [r for r in records if folds[topic_of(r["story"])] == f]
        result["per_fold"].append(score_quotes(part, preds))
    return result


def _named(res: dict, cat: str) -> float | None:
    return res["speaker_by_category"][cat]["accuracy"]


def format_cv_table(result: dict) -> str:
    """The plain table, then all-data / topic-CV / per-fold spread of the headline figures."""
    lines = [format_table(result), ""]
    if "per_fold" not in result:
        lines.append(result.get("cv_note", "no topic CV"))
        return "\n".join(lines)
    lines.append(f"Cross-validated by topic ({result['folds']} folds; nothing fitted, scored per article: "
                 "pooled held-out folds = all data)")
    lines.append(f"{'':<22}{'all data':>10}{'topic CV':>10}{'folds min-max':>16}")
    rows = (("strict F1", lambda r: r["strict"]["f1"]),
            ("speakers, named", lambda r: _named(r, "named")),
            ("speakers, described", lambda r: _named(r, "described")),
            ("speakers, pronoun", lambda r: _named(r, "pronoun")))
    for label, get in rows:
        per = [v for v in (get(p) for p in result["per_fold"]) if v is not None]
        spread = f"{min(per):.3f}-{max(per):.3f}" if per else "n/a"
        lines.append(f"{label:<22}{get(result):>10.3f}{get(result):>10.3f}{spread:>16}")
    return "\n".join(lines)
