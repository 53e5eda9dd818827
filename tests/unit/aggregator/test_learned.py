"""The learned rescue of placement (services/aggregator/learned.py), on invented text."""
from __future__ import annotations

import dataclasses

from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.learned import FEATURES, candidate_features, probability, vetoed
from services.aggregator.params import FITTED, ClusterParams
from tests.unit.aggregator.test_helpers import FLOOD_TERMS, article, ent, flood, run

HAND_ONLY = dataclasses.replace(ClusterParams(), rescue_coef=())


def _only_names(weight: float = 12.0) -> ClusterParams:
    """A rescue that trusts shared names alone (probability 0.5 at an entity cosine of 0.5)."""
    coef = tuple(weight if f == "cos_entities" else 0.0 for f in FEATURES)
    return dataclasses.replace(ClusterParams(), rescue_coef=coef, rescue_intercept=-weight / 2,
                               rescue_threshold=0.5)


def _later_report(aid: str, hours: float = 30.0, **kw):
    """The flood's follow-up: its names, other words (clean-up, costs), another headline."""
    return article(aid, "Norwick counts the cost as Ada Brennor asks for aid",
                   [ent("Ada Brennor", n=3, in_title=True), ent("Norwick", "GPE", n=3, in_title=True),
                    ent("River Vell", "LOC", n=1)],
                   {"cost": 3, "aid": 3, "insurance": 2, "clean": 2, "damage": 2, "business": 1}, hours=hours, **kw)


def _sister(aid: str):
    """Another flood in the same words: another mayor, town and river."""
    return article(aid, "River Tarn floods Eastholm as Mayor Piet Osland orders evacuation",
                   [ent("Piet Osland", n=3, in_title=True), ent("Eastholm", "GPE", n=4, in_title=True),
                    ent("River Tarn", "LOC", n=2, in_title=True)], FLOOD_TERMS, hours=2)


def _stories(params: ClusterParams, reports) -> dict[str, str]:
    engine = StoryEngine(EngineConfig(params=params))
    run(reports, engine)
    return engine.assignments()


def test_the_rescue_joins_a_later_report_the_hand_score_leaves_out():
    # a strict hand threshold: the follow-up (its names, other words) starts a story by the hand score
    reports = [flood("f1"), flood("f2", 1), _later_report("f3")]
    hand = _stories(dataclasses.replace(HAND_ONLY, match_threshold=0.7), reports)
    assert hand["f1"] == hand["f2"] != hand["f3"], "precondition: the hand score leaves the follow-up out"
    rescued = _stories(dataclasses.replace(_only_names(), match_threshold=0.7), reports)
    assert rescued["f3"] == rescued["f1"] == rescued["f2"]


def test_the_rescue_never_joins_a_sister_event_or_the_same_kind_of_event_years_apart():
    names_and_words = dataclasses.replace(
        _only_names(), rescue_coef=tuple(6.0 if f in ("cos_entities", "cos_terms") else 0.0 for f in FEATURES),
        rescue_intercept=-1.0)
    got = _stories(names_and_words, [flood("f1"), flood("f2", 1), _sister("s1")])
    assert got["s1"] != got["f1"]
    # the same town and mayor, but the report's own date is two years after the story's
    old = [flood("f1", own_date="2031-02-28"), flood("f2", 1, own_date="2031-02-28")]
    got = _stories(_only_names(), [*old, _later_report("f3", own_date="2033-03-01")])
    assert got["f3"] != got["f1"]
    assert _stories(_only_names(), [*old, _later_report("f4", own_date="2031-03-01")])["f4"] == got["f1"]


def test_vetoes_are_another_own_date_or_another_person_and_place():
    row = dict.fromkeys(FEATURES, 0.0)
    assert not vetoed([row[f] for f in FEATURES])
    assert vetoed([{**row, "own_far": 1.0}[f] for f in FEATURES])
    assert vetoed([{**row, "conf_who": 0.9, "conf_where": 0.8}[f] for f in FEATURES])
    assert not vetoed([{**row, "conf_who": 0.9}[f] for f in FEATURES]), "another person alone is no veto"


def test_features_describe_the_best_candidates_with_the_hand_score_first():
    engine = StoryEngine(EngineConfig(params=HAND_ONLY))
    run([flood("f1"), flood("f2", 1), _sister("s1")], engine)
    from services.aggregator.signature import article_signature
    q, e = flood("f3", 3)
    sids, rows = candidate_features(engine.scorer, article_signature(e, q, HAND_ONLY))
    assert len(sids) == 2 and all(len(r) == len(FEATURES) for r in rows)
    rank = FEATURES.index("rank")
    best = rows[[r[rank] for r in rows].index(0.0)]
    assert best[FEATURES.index("cos_entities")] > 0.5 and best[FEATURES.index("margin")] > 0
    assert engine.assignments()["f1"] == sids[rows.index(best)]


def test_probability_is_the_logistic_of_the_linear_score():
    p = _only_names()
    row = [0.5 if f == "cos_entities" else 0.3 for f in FEATURES]
    assert abs(probability(row, p) - 0.5) < 1e-9


def test_the_fitted_rescue_names_the_features_it_was_fitted_on():
    import json
    from services.aggregator.params import FITTED_PATH
    doc = json.loads(FITTED_PATH.read_text(encoding="utf-8"))
    assert len(FITTED["rescue_coef"]) == len(FEATURES)
    assert tuple(doc["rescue_features"]) == FEATURES
    assert 0.0 < FITTED["rescue_threshold"] < 1.0
