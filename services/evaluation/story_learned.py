"""Fitting the learned rescue of placement (:mod:`services.aggregator.learned`).

Training rows come from streaming folds through the engine with the hand placement only (no
rescue): at every placement, the best candidate stories' :data:`learned.FEATURES`, each labelled 1
when the article's gold story is the candidate's majority gold story at that moment, and whether
the hand score started a story (the only placements the rescue decides).  A logistic regression
(scikit-learn, standardised features, deterministic) is fitted on every row; its threshold is the
one with the most right decisions over the hand-rejected placements (join the right story, or
start one when no candidate is right), vetoes applied, ties to the lower value, among those whose
rescued joins are at least as precise as the hand score's joins (:func:`choose_threshold`).  The
coefficients are folded back onto the raw features, so the product needs no scikit-learn.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.learned import FEATURES, candidate_features, vetoed
from services.evaluation.stories import aggregator_digest
from services.evaluation.story_inputs import CACHE_DIR, UNDATED_AT, Item, code_digest

# the probabilities tried as the rescue's threshold
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 20))   # 0.20 .. 0.95
# one placement: (feature rows, labels, the hand score started a story)
Group = tuple[list[list[float]], list[int], bool]


class _Recorder(StoryEngine):
    """The engine, recording each placement's candidates (:func:`learned.candidate_features`)."""

    def __init__(self, config: EngineConfig, gold: dict[str, str]):
        super().__init__(config)
        self.gold = gold
        self.groups: list[Group] = []

    def _place(self, sig, meta, revision, now, event):
        sids, rows = candidate_features(self.scorer, sig)
        sid, score = self.scorer.best(sig)
        rejected = sid is None or score < self.config.params.match_threshold
        own = self.gold.get(meta.article_id)
        majority: dict[str, Counter] = {}
        for aid, s in self.assignments().items():
            if aid in self.gold:
                majority.setdefault(s, Counter())[self.gold[aid]] += 1
        labels = [int(s in majority and majority[s].most_common(1)[0][0] == own) for s in sids]
        self.groups.append((rows, labels, rejected))
        return super()._place(sig, meta, revision, now, event)


def record(items: Sequence[Item], config: EngineConfig) -> tuple[dict[str, str], list[Group]]:
    """Stream ``items`` (in the order given, as :func:`stories.run_stream`) with ``config``
    (its rescue off) and record every placement; (article -> story, the placements).  Cached on
    disk (``.data/eval-cache/rows/``) like :func:`stories.run_cached`."""
    if config.params.rescue_coef:
        raise ValueError("rows are recorded with the hand placement only (rescue_coef empty)")
    key = hashlib.sha256(json.dumps([
        aggregator_digest(), code_digest(), repr(config), FEATURES,
        [(it.article_id, it.entities.article.content_hash, it.published and it.published.isoformat()) for it in items],
    ]).encode()).hexdigest()[:32]
    path = CACHE_DIR / "rows" / f"{key}.json"
    if path.exists():
        pred, groups = json.loads(path.read_text(encoding="utf-8"))
        return pred, [(r, lab, rej) for r, lab, rej in groups]
    engine = _Recorder(config, {it.article_id: it.story for it in items})
    for it in items:
        at = it.published or UNDATED_AT
        engine.process(it.quotes, it.entities, at)
        if it.published is not None:
            engine.expire_updates(at)
    pred = engine.assignments()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps([pred, engine.groups]), encoding="utf-8")
    tmp.replace(path)
    return pred, engine.groups


def fit_rescue(groups: Sequence[Group]) -> dict:
    """``rescue_coef``, ``rescue_intercept`` and ``rescue_threshold`` fitted on ``groups``."""
    x = np.array([r for rows, _, _ in groups for r in rows], dtype=float).reshape(-1, len(FEATURES))
    y = np.array([v for _, labels, _ in groups for v in labels], dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("the rows hold one class only: too little data to fit the rescue")
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    model.fit(x, y)
    scaler, lr = model[0], model[-1]
    coef = lr.coef_[0] / scaler.scale_
    intercept = float(lr.intercept_[0] - float(np.dot(coef, scaler.mean_)))
    coef_t = tuple(round(float(c), 6) for c in coef)
    intercept = round(intercept, 6)
    return {"rescue_coef": coef_t, "rescue_intercept": intercept,
            "rescue_threshold": choose_threshold(coef_t, intercept, groups)}


def hand_precision(groups: Sequence[Group]) -> float:
    """How often the hand score's joins are right: over the placements it joined, the label of
    its best candidate (``rank`` 0 among the described stories); 0 when it joined none (no
    evidence: then no constraint)."""
    rank = FEATURES.index("rank")
    joined = [labels[min(range(len(rows)), key=lambda i: rows[i][rank])]
              for rows, labels, rejected in groups if not rejected and rows]
    return sum(joined) / len(joined) if joined else 0.0


def choose_threshold(coef: Sequence[float], intercept: float, groups: Sequence[Group]) -> float:
    """The threshold with the most right decisions over the hand-rejected placements, among those
    whose rescued joins are right at least as often as the hand score's joins are
    (:func:`hand_precision`): a rescued join must be as reliable as a hand join, because a wrong
    join mixes two events' quotes and names in one story, and a later report can follow it there,
    while a missed join leaves a story that the merge repair can still join.  1.0 (never) when
    no threshold qualifies."""
    decided = []
    for rows, labels, rejected in groups:
        if not rejected:
            continue
        best_p, best_label = -1.0, 0
        for r, lab in zip(rows, labels):
            if vetoed(r):
                continue
            z = intercept + sum(c * v for c, v in zip(coef, r))
            pr = 1.0 / (1.0 + np.exp(-z)) if z > -700 else 0.0
            if pr > best_p:
                best_p, best_label = pr, lab
        decided.append((best_p, best_label, any(labels)))
    floor = hand_precision(groups)
    best_t, best_ok = 1.0, -1
    for t in THRESHOLDS:
        joins = [lab for p, lab, _ in decided if p >= t]
        if joins and sum(joins) < floor * len(joins):
            continue
        ok = sum((lab == 1) if p >= t else (not any_right) for p, lab, any_right in decided)
        if ok > best_ok:
            best_t, best_ok = t, ok
    return best_t
