"""Fitting the learned rescue (services/evaluation/story_learned.py) on invented placements."""
from __future__ import annotations

import dataclasses
import random

import pytest

from services.aggregator.learned import FEATURES, probability
from services.aggregator.params import ClusterParams
from services.evaluation.story_learned import THRESHOLDS, choose_threshold, fit_rescue, hand_precision

ENT = FEATURES.index("cos_entities")


def _groups(n: int = 300, seed: int = 0):
    """Placements whose right candidate (if any) shares more names than the wrong ones."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        right = i % 3 != 0                        # a third of the articles start a story
        rows, labels = [], []
        for j in range(3):
            row = [rnd.random() * 0.3 for _ in FEATURES]
            if right and j == 0:
                row[ENT] = 0.5 + rnd.random() * 0.5
            rows.append(row)
            labels.append(int(right and j == 0))
        out.append((rows, labels, True))
    return out


def test_the_folded_coefficients_separate_right_from_wrong_candidates():
    groups = _groups()
    fitted = fit_rescue(groups)
    assert len(fitted["rescue_coef"]) == len(FEATURES)
    params = dataclasses.replace(ClusterParams(), **fitted)
    right = [probability(r, params) for rows, labels, _ in groups for r, lab in zip(rows, labels) if lab]
    wrong = [probability(r, params) for rows, labels, _ in groups for r, lab in zip(rows, labels) if not lab]
    assert min(right) > max(wrong)
    assert fitted["rescue_coef"][ENT] > 0
    assert fitted["rescue_threshold"] in THRESHOLDS


def test_the_threshold_counts_right_joins_and_right_new_stories():
    coef = [10.0 if f == "cos_entities" else 0.0 for f in FEATURES]
    zero = [0.0] * len(FEATURES)
    at = lambda ent: [ent if k == ENT else 0.0 for k in range(len(FEATURES))]  # noqa: E731
    groups = [([at(0.5)], [1], True), ([at(0.5)], [1], True),      # p = 0.5 (intercept -5): right joins
              ([at(0.6)], [0], True),                               # p = 0.73: a wrong join
              ([at(0.45)], [0], True),                              # p = 0.38: a wrong join
              ([zero], [0], True)]                                  # p = 0.007: a right new story
    # right decisions: up to 0.35: 3; 0.4-0.5: 4; 0.55-0.7: 2; from 0.75: 3
    assert choose_threshold(coef, -5.0, groups) == 0.4
    # placements the hand score joined are not the rescue's to decide
    assert choose_threshold(coef, -5.0, [(g[0], g[1], False) for g in groups]) == THRESHOLDS[0]


def test_rescued_joins_must_be_as_precise_as_the_hand_scores_joins():
    coef = [10.0 if f == "cos_entities" else 0.0 for f in FEATURES]
    at = lambda ent: [ent if k == ENT else 0.0 for k in range(len(FEATURES))]  # noqa: E731
    rejected = [([at(0.5)], [1], True), ([at(0.5)], [1], True),   # p = 0.5: right joins
                ([at(0.6)], [0], True),                            # p = 0.73: a wrong join
                ([at(0.45)], [0], True),                           # p = 0.38: a wrong join
                ([[0.0] * len(FEATURES)], [0], True)]              # p = 0.007: a right new story
    # the hand score joined four placements, three of them right: its joins are right 3 times in 4
    hand = [([at(0.9)], [1], False)] * 3 + [([at(0.9)], [0], False)]
    assert hand_precision(hand) == 0.75
    # 0.4-0.5 (most right decisions) joins 2 right of 3 (0.67 < 0.75); 0.55-0.7 joins 0 right
    # of 1; from 0.75 no join: the most right decisions among the admissible thresholds
    assert choose_threshold(coef, -5.0, rejected + hand) == 0.75
    # as precise as the hand joins: admissible
    assert choose_threshold(coef, -5.0, rejected + [([at(0.9)], [1], False), ([at(0.9)], [0], False),
                                                    ([at(0.9)], [0], False)]) == 0.4


def test_one_class_only_is_too_little_data():
    with pytest.raises(ValueError):
        fit_rescue([([[0.0] * len(FEATURES)], [0], True)])


def test_the_cross_validation_refits_the_rescue_on_the_training_folds_only(monkeypatch, tmp_path):
    """Five invented topics of two reports each; every held-out fold gets a rescue fitted on the
    placements of the other four folds (eight articles), never on its own."""
    from services.evaluation import story_cv, story_inputs, story_learned, stories
    from tests.unit.aggregator.test_helpers import invented_topics

    for mod in (story_inputs, story_learned):
        monkeypatch.setattr(mod, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(stories, "CACHE_DIR", tmp_path, raising=False)
    items = invented_topics(5)
    fitted_on: list[int] = []

    def fake_fit(point, groups):
        fitted_on.append(len(groups))
        return {**point, "rescue_coef": (), "rescue_intercept": 0.0, "rescue_threshold": 1.0}
    monkeypatch.setattr(story_cv, "admissible_rescue", fake_fit)
    result = story_cv.cross_validate(items, 5, [0])
    assert fitted_on == [8] * 5                           # each held-out fold: the others' 8 placements
    assert result["orders"][0]["articles"] == 10 and result["hand_orders"][0]["articles"] == 10
