"""The cross-validation in context (services/evaluation/story_cv.py): each held-out fold is scored
inside a stream of the WHOLE data set run with values fitted on the other folds only, and only the
held-out fold's articles are scored.  Invented topics; the whole-data-set runs come from a fake
engine whose partition depends on which fold's fit it was given."""
from __future__ import annotations

from services.evaluation import story_cv, story_inputs, story_learned, stories
from services.evaluation.story_inputs import Item, folds, ordered
from tests.unit.aggregator.test_helpers import invented_topics


def _items() -> list[Item]:
    """Ten invented topics of two reports each (five folds of two topics)."""
    return invented_topics(10)


def test_in_context_scores_only_the_held_out_fold_inside_the_whole_stream(monkeypatch, tmp_path):
    for mod in (story_inputs, story_learned, stories):
        monkeypatch.setattr(mod, "CACHE_DIR", tmp_path, raising=False)
    items = _items()
    parts = folds(items, 5)
    fold_of = {it.article_id: f for f, p in enumerate(parts) for it in p}
    fits: list[int] = []

    def fake_fit(point, groups):
        # called once per held-out fold, in fold order; the marker says which fold was held out
        fits.append(len(groups))
        return {**point, "rescue_coef": (1.0,), "rescue_intercept": 0.0, "rescue_threshold": 0.5 + len(fits) / 100}
    monkeypatch.setattr(story_cv, "admissible_rescue", fake_fit)

    whole_streams: list[tuple[list[str], object]] = []

    def fake_run(stream, config):
        ids = [it.article_id for it in stream]
        if len(ids) < len(items):                          # a fold alone: every report its own story
            return {a: a for a in ids}
        whole_streams.append((ids, config.params))
        if not config.params.rescue_coef:                  # the hand placement: everything lumped
            return {a: "lump" for a in ids}
        held = round((config.params.rescue_threshold - 0.5) * 100) - 1
        # the held-out fold's reports in their gold stories, every training report in one lump:
        # the lump must not count against the held-out fold
        return {a: (f"s{a.split('r')[0]}" if fold_of[a] == held else "lump") for a in ids}
    monkeypatch.setattr(story_cv, "run_cached", fake_run)

    result = story_cv.cross_validate(items, 5, [0])
    assert fits == [16] * 5                                # each fit: the other four folds' 16 placements
    order = [it.article_id for it in ordered(items, 0)]
    assert all(ids == order for ids, _ in whole_streams)   # the whole data set, in the whole-stream order
    assert len(whole_streams) == 10                        # five fits, and the hand placement per fold
    ctx = result["context_orders"][0]
    assert ctx["articles"] == 20                           # every article scored once: held out once
    assert ctx["pairwise_f1"] == 1.0 and ctx["bcubed_f1"] == 1.0   # the training folds' lump is not scored
    hand = result["context_hand_orders"][0]
    # the lump holds each fold's two events: 2 right pairs of 6 per fold, pooled over the folds
    assert abs(hand["pairwise_p"] - 1 / 3) < 1e-9 and hand["pairwise_r"] == 1.0
    assert abs(hand["bcubed_p"] - 0.5) < 1e-9
    # scored against the whole run's stories: each fold's 2 right pairs of the 70 pairs touching
    # its 4 reports in the lump of 20; each held-out report's story holds 2 of its event's of 20
    whole = result["context_hand_all_pairs_orders"][0]
    assert abs(whole["pairwise_p"] - 10 / 350) < 1e-9 and abs(whole["bcubed_p"] - 0.1) < 1e-9
    assert whole["pairwise_r"] == 1.0 and whole["articles"] == 20
    assert result["context_all_pairs_orders"][0]["pairwise_f1"] == 1.0   # the lump holds no held-out report
    assert result["orders"][0]["pairwise_r"] == 0.0        # the folds alone (singletons) are unchanged
