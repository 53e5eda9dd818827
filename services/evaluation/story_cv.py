"""Fitting the clustering's key parameters, and cross-validating them by topic.

The fitted parameters (:data:`GRID`) are chosen by a grid search over pooled topic folds:
the data set's topics are dealt into ``k`` folds (:func:`story_inputs.folds`), each fold is
streamed through the engine alone with each grid point, and a point's score over a set of folds
is the score of their pooled partitions (stories never span two folds).  The objective is the
mean of pairwise F1 and B-cubed F1, averaged over the data sets (and orders).

* ``storystream fit stories`` picks the best point over all folds of all data sets given, fits
  the rescue on every fold's placements at that point, and writes both
  (:func:`story_report.write_fitted`): the product's values (``services/aggregator/fitted.json``,
  loaded by :mod:`services.aggregator.params`).
* ``storystream eval stories --folds k`` re-fits per held-out fold: for fold ``f`` it picks the
  best point over the other folds (of that data set and order), fits the learned rescue
  (:mod:`story_learned`) on those folds' placements at that point, and scores fold ``f`` with both;
  the held-out folds' partitions pooled give the cross-validated figure.  Every fold is run once
  per grid point and order (plus one run per held-out fold with its rescue), and the choices
  and the held-out scores come from those runs.

The held-out fold is streamed alone (about 1/k of the data set's stories), so it meets fewer
look-alike stories than the whole data set does.  The cross-validation **in context** keeps the
same fits but streams the WHOLE data set (every fold, in the whole-stream order of that seed)
with the values fitted without fold ``f``, and scores only fold ``f``'s articles, each by the
story the whole run put it in (a held-out article joined to a training article's story keeps that
story's id, so lumping held-out articles of two events shows as lost precision).  The folds'
held-out articles are pooled per order as in the plain cross-validation (one score over the
pooled pair counts and B-cubed sums, stories of two folds never equal), then mean / worst over
the orders; also the hand placement alone at each fold's chosen point, in context.  Scored over
the held-out articles only, a held-out article lumped with TRAINING articles of another event
costs nothing, so the cross-validation in context is also scored "all pairs": the pairs with at
least one held-out article and each held-out article's B-cubed against its whole predicted story
(:func:`stories.held_out_counts`; a pair across two folds counts once in each fold's run).
"""
from __future__ import annotations

import itertools
import multiprocessing
from dataclasses import replace
from typing import Iterable, Sequence

from services.aggregator.engine import EngineConfig
from services.aggregator.params import ClusterParams
from services.evaluation.stories import gold_of, held_out_counts, run_cached, score_clusters, score_counts
from services.evaluation.story_inputs import Item, folds, ordered, stream_seeds
from services.evaluation.story_learned import fit_rescue, record

NO_RESCUE = {"rescue_coef": ()}   # the hand placement alone (the grid's runs, the rescue's rows)

# The fitted parameter and the values tried: the placement threshold decides whether a report
# joins a story or starts one, and the measured gap is fragmentation.  A grid point costs one
# engine pass over every data set given, per order, so the grid stays small.  Only points that
# keep apart what the rules say are two events (:func:`admissible`) are tried; the lower values
# are in the grid so that the fit's table shows what the constraint costs on these data
# (docs/quality-stories.md).
GRID: dict[str, tuple[float, ...]] = {
    "match_threshold": (0.15, 0.18, 0.22, 0.26),
}


def grid_points(grid: dict[str, Sequence] | None = None, admissible_only: bool = True) -> list[dict]:
    """The grid's admissible points (:func:`admissible`), or all of them."""
    grid = GRID if grid is None else grid
    keys = sorted(grid)
    points = [dict(zip(keys, vals)) for vals in itertools.product(*(grid[k] for k in keys))]
    return [p for p in points if not admissible_only or admissible(replace(ClusterParams(), **p, **NO_RESCUE))]


_FLOOD = {"flood": 4, "river": 3, "rain": 2, "evacuate": 2, "village": 2, "water": 2, "rescue": 1}
_FIRST = ("River Vell floods Norwick as Mayor Ada Brennor orders evacuation",
          [("Ada Brennor", "PERSON", 3), ("Norwick", "GPE", 4), ("River Vell", "LOC", 2)])


def admissible(params: ClusterParams) -> bool:
    """Constraints on the fit, not learnt from the data (which hold few such cases per topic,
    while the held-out dated streams hold many: one kind of event, recurring actors), each on
    invented text and each a unit test of the engine at the product's values:

    * two floods told in the same words but with another mayor, town and river are two events:
      a report of the second does not join a story of two reports of the first
      (tests/unit/aggregator/test_engine.py);
    * a flood in the same town with the same mayor whose own date is two years after the
      story's is another flood (tests/unit/aggregator/test_scoring.py)."""
    first = [_invented(f"a{i}", *_FIRST, _FLOOD, i, "2031-02-28") for i in range(2)]
    sister = _invented("b0", "River Tarn floods Eastholm as Mayor Piet Osland orders evacuation",
                       [("Piet Osland", "PERSON", 3), ("Eastholm", "GPE", 4), ("River Tarn", "LOC", 2)], _FLOOD, 2)
    again = _invented("c0", "Norwick floods again, Mayor Ada Brennor says",
                      [("Ada Brennor", "PERSON", 2), ("Norwick", "GPE", 3)],
                      {"flood": 3, "storm": 2, "damage": 2, "insurance": 2, "river": 1, "rain": 1}, 2, "2029-03-01")
    return all(_apart(params, first, late) for late in (sister, again))


def _apart(params: ClusterParams, first: list, late) -> bool:
    from services.aggregator.engine import StoryEngine
    engine = StoryEngine(EngineConfig(params=params))
    for q, e in [*first, late]:
        engine.process(q, e, e.article.published)
    got = engine.assignments()
    return got[late[1].article.article_id] != got["a0"]


def _invented(aid: str, title: str, names: list[tuple[str, str, int]], terms: dict[str, int], hours: int,
              own_date: str | None = None):
    from datetime import datetime, timedelta, timezone

    from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, Span
    at = datetime(2031, 3, 1, tzinfo=timezone.utc) + timedelta(hours=hours)
    meta = ArticleMeta(article_id=aid, title=title, published=at, produced_at=at, content_hash=aid * 8)
    ents = [EntityMention(name=n, type=t, in_title=True,
                          mentions=[Span(text=n, start=i * 10, end=i * 10 + len(n)) for i in range(k)])
            for n, t, k in names]
    return (ArticleQuotes(article=meta, quotes=[]),
            ArticleEntities(article=meta, entities=ents, lead=title + ".", terms=terms, tokens=100,
                            own_date=own_date, dates=[own_date] if own_date else []))


def objective(score: dict) -> float:
    return (score["pairwise_f1"] + score["bcubed_f1"]) / 2


_TASK_ITEMS: list[list[Item]] = []   # the folds, shared with forked workers
_TASK_ALL: list[Item] = []           # the whole data set, in its given order (ordered() re-orders)


def _run(task: tuple[int, int, int, dict]) -> tuple[int, int, int, dict, list]:
    """One fold alone with one grid point and the hand placement only (no rescue), its
    placements recorded (the rescue's training rows)."""
    fold, seed, point_i, point = task
    config = EngineConfig(params=replace(ClusterParams(), **point, **NO_RESCUE))
    pred, groups = record(ordered(_TASK_ITEMS[fold], seed), config)
    return fold, seed, point_i, {a: f"{fold}:{s}" for a, s in pred.items()}, groups


def _run_rescued(task: tuple[int, int, dict]) -> tuple[int, dict]:
    """A held-out fold with a grid point and a rescue fitted on the other folds."""
    fold, seed, params = task
    pred = run_cached(ordered(_TASK_ITEMS[fold], seed), EngineConfig(params=replace(ClusterParams(), **params)))
    return fold, {a: f"{fold}:{s}" for a, s in pred.items()}


def _run_in_context(task: tuple[int, int, dict]) -> tuple[int, dict, dict]:
    """The whole data set streamed in the order of ``seed`` with values fitted without fold
    ``fold``; the stories of fold ``fold``'s articles only, and the sums scoring them against the
    whole partition (:func:`stories.held_out_counts`)."""
    fold, seed, params = task
    pred = run_cached(ordered(_TASK_ALL, seed), EngineConfig(params=replace(ClusterParams(), **params)))
    held = [it.article_id for it in _TASK_ITEMS[fold]]
    return (fold, {a: f"{fold}:{pred[a]}" for a in held},
            held_out_counts(gold_of(_TASK_ALL), pred, held))


def _map(fn, tasks: list, jobs: int) -> list:
    if jobs > 1 and len(tasks) > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(fn, tasks, chunksize=1)
    return [fn(t) for t in tasks]


def _pooled(tasks: list, done: list, seeds: Sequence[int], gold: dict) -> dict:
    """Per order: one score of the held-out partitions of every fold, pooled."""
    out = {}
    for s in seeds:
        pred = {}
        for (_, seed, _), (_, p, *_) in zip(tasks, done):
            if seed == s:
                pred.update(p)
        out[s] = score_clusters(gold, pred)
    return out


class FoldRuns:
    """The partition of each fold alone, per order and grid point."""

    def __init__(self, items: Sequence[Item], k: int, seeds: Iterable[int], points: list[dict], jobs: int = 1,
                 deal: int = 0):
        global _TASK_ITEMS
        self.folds = folds(items, k, deal)
        self.seeds, self.points = list(seeds), points
        self.gold = [gold_of(f) for f in self.folds]
        _TASK_ITEMS = self.folds
        tasks = [(f, s, i, p) for i, p in enumerate(points) for s in self.seeds for f in range(k)]
        if jobs > 1:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                done = pool.map(_run, tasks, chunksize=1)
        else:
            done = [_run(t) for t in tasks]
        self.pred = {(f, s, i): p for f, s, i, p, _ in done}
        self.groups = {(f, s, i): g for f, s, i, _, g in done}

    def rows(self, seed: int, point_i: int, fold_ids: Iterable[int]) -> list:
        """The recorded placements of the given folds (one order and grid point)."""
        return [g for f in fold_ids for g in self.groups[(f, seed, point_i)]]

    def score(self, seed: int, point_i: int, fold_ids: Iterable[int]) -> dict:
        gold, pred = {}, {}
        for f in fold_ids:
            gold.update(self.gold[f])
            pred.update(self.pred[(f, seed, point_i)])
        return score_clusters(gold, pred)


def best_point(runs: Sequence[FoldRuns], fold_ids: dict[int, Sequence[int]] | None = None) -> tuple[int, list[float]]:
    """Index of the best grid point over the given folds of each data set (all folds when None):
    the objective averaged over each data set's orders, then over the data sets; ties go to the
    earlier point.  Also every point's value."""
    values = []
    for i in range(len(runs[0].points)):
        per_set = [sum(objective(r.score(s, i, fold_ids[n] if fold_ids else range(len(r.folds))))
                       for s in r.seeds) / len(r.seeds) for n, r in enumerate(runs)]
        values.append(sum(per_set) / len(per_set))
    return max(range(len(values)), key=lambda i: (values[i], -i)), values


def cross_validate(items: Sequence[Item], k: int, seeds: Iterable[int], grid: dict | None = None,
                   jobs: int = 1, in_context: bool = True, deal: int = 0) -> dict:
    """Per order: the pooled held-out score, each fold's held-out partition coming from the grid
    point and the rescue (:mod:`story_learned`) fitted on the other folds (same order).  Also the
    choices, the held-out score of the hand placement alone (``hand_orders``) and, with
    ``in_context``, both scored in the whole data set's stream (``context_orders``,
    ``context_hand_orders``, and ``..._all_pairs_orders``; module docstring).  ``deal``: the seed
    of the topics' dealing into folds (:func:`story_inputs.folds`; :mod:`story_dealings`)."""
    global _TASK_ALL
    points = grid_points(grid)
    runs = FoldRuns(items, k, seeds, points, jobs, deal)
    hand, chosen, tasks, hand_tasks = {}, [], [], []
    for s in runs.seeds:
        gold, pred = {}, {}
        for f in range(k):
            one = _OneOrder(runs, s)
            train = [g for g in range(k) if g != f]
            i, _ = best_point([one], {0: train})
            fitted = admissible_rescue(points[i], runs.rows(s, i, train))
            chosen.append({**points[i], "rescue_threshold": fitted["rescue_threshold"]})
            tasks.append((f, s, fitted))
            hand_tasks.append((f, s, {**points[i], **NO_RESCUE}))
            gold.update(runs.gold[f])
            pred.update(runs.pred[(f, s, i)])
        hand[s] = score_clusters(gold, pred)
    all_gold = {a: g for f in range(k) for a, g in runs.gold[f].items()}
    out = {"orders": _pooled(tasks, _map(_run_rescued, tasks, jobs), runs.seeds, all_gold),
           "hand_orders": hand, "chosen": chosen, "points": points}
    if in_context:
        _TASK_ALL = list(items)
        for key, ts in (("context", tasks), ("context_hand", hand_tasks)):
            done = _map(_run_in_context, ts, jobs)
            out[f"{key}_orders"] = _pooled(ts, done, runs.seeds, all_gold)
            out[f"{key}_all_pairs_orders"] = {
                s: score_counts(c for (_, seed, _), (_, _, c) in zip(ts, done) if seed == s) for s in runs.seeds}
    return out


def admissible_rescue(point: dict, groups: list) -> dict:
    """``point`` with the rescue fitted on ``groups``, or with no rescue when that rescue would
    join an invented sister event (:func:`admissible`)."""
    fitted = {**point, **fit_rescue(groups)}
    if admissible(replace(ClusterParams(), **fitted)):
        return fitted
    return {**point, **NO_RESCUE, "rescue_intercept": 0.0, "rescue_threshold": 1.0}


class _OneOrder:
    """A view of :class:`FoldRuns` restricted to one order."""

    def __init__(self, runs: FoldRuns, seed: int):
        self.runs, self.seeds, self.points, self.folds = runs, [seed], runs.points, runs.folds

    def score(self, seed: int, point_i: int, fold_ids: Iterable[int]) -> dict:
        return self.runs.score(seed, point_i, fold_ids)


def fit(datasets: Sequence[Sequence[Item]], k: int, seeds: Iterable[int], grid: dict | None = None,
        jobs: int = 1) -> dict:
    """The best grid point over all folds of all data sets, then the rescue fitted on every fold's
    placements at that point (:mod:`story_learned`); every point's objective."""
    points = grid_points(grid)
    runs = [FoldRuns(items, k, stream_seeds(items, seeds), points, jobs) for items in datasets]
    i, values = best_point(runs)
    per_set = [[round(objective(r.score(s, j, range(k))), 4) for r in runs for s in r.seeds]
               for j in range(len(points))]
    params = admissible_rescue(points[i], [g for r in runs for s in r.seeds for g in r.rows(s, i, range(k))])
    return {"params": params,
            "objective": round(values[i], 4),
            "table": [{"point": p, "objective": round(v, 4), "per_data_set_and_order": ps}
                      for p, v, ps in zip(points, values, per_set)]}
