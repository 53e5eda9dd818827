"""The figure of record over fold dealings (services/evaluation/story_dealings.py), on invented
figures: the lower of fold alone and in context per dealing, then the mean."""
from __future__ import annotations

import pytest

from services.evaluation import story_cv
from services.evaluation.story_dealings import format_table, lower, record, run


def _s(p: float, b: float) -> dict:
    return {"mean_pairwise_f1": p, "mean_bcubed_f1": b}


def test_lower_takes_each_measure_separately():
    assert lower(_s(0.90, 0.80), _s(0.85, 0.95)) == {"pairwise_f1": 0.85, "bcubed_f1": 0.80}


def test_record_is_the_mean_of_the_lower_figures():
    assert record([{"pairwise_f1": 0.9, "bcubed_f1": 0.8}, {"pairwise_f1": 0.7, "bcubed_f1": 0.9}]) == {
        "pairwise_f1": 0.8, "bcubed_f1": 0.85}
    with pytest.raises(ValueError):
        record([])


def test_run_passes_each_dealing_to_the_cross_validation(monkeypatch):
    seen = []

    def fake(items, k, seeds, jobs=1, in_context=True, deal=0):
        seen.append((deal, list(seeds), in_context))
        o = {0: {"pairwise_f1": 0.9 - deal / 10, "bcubed_f1": 0.9, "pairwise_p": 1, "pairwise_r": 1,
                 "bcubed_p": 1, "bcubed_r": 1, "pred_stories": 1, "gold_stories": 1}}
        c = {0: dict(o[0], bcubed_f1=0.8)}
        return {"orders": o, "context_all_pairs_orders": c}

    monkeypatch.setattr(story_cv, "cross_validate", fake)
    res = run([], [0, 1], k=5, orders=2)
    assert [d for d, _, _ in seen] == [0, 1] and all(ctx for _, _, ctx in seen)
    assert seen[0][1] == [0, 1]                       # undated (no items): the orders asked for
    assert res["dealings"][1]["lower"] == {"pairwise_f1": 0.8, "bcubed_f1": 0.8}
    assert res["record"] == {"pairwise_f1": 0.85, "bcubed_f1": 0.8}
    assert "figure of record" in format_table({"x": res})


def test_a_dated_data_set_streams_in_one_order():
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from services.evaluation.story_inputs import stream_seeds
    dated = [SimpleNamespace(published=datetime(2020, 1, d, tzinfo=timezone.utc)) for d in (1, 2)]
    undated = [SimpleNamespace(published=None), dated[0]]
    assert stream_seeds(dated, range(3)) == [0]
    assert stream_seeds(undated, range(3)) == [0, 1, 2]
    assert stream_seeds([], (4, 5)) == [4, 5]


def test_eval_stories_reports_the_figure_of_record_over_its_dealings(monkeypatch):
    from services.evaluation import story_report
    seen = []
    figs = {0: (0.90, 0.92), 1: (0.80, 0.90), 2: (0.85, 0.88)}

    def summ(p: float, b: float) -> dict:
        return {"pairwise_f1": p, "bcubed_f1": b, "pairwise_p": 1, "pairwise_r": 1, "bcubed_p": 1,
                "bcubed_r": 1, "pred_stories": 1, "gold_stories": 1}

    def fake_cv(items, k, seeds, jobs=1, in_context=True, deal=0):
        seen.append(deal)
        p, b = figs[deal]
        alone, ctx = {0: summ(p, b)}, {0: summ(p + 0.01, b - 0.02)}   # in context: lower B-cubed
        return {"orders": alone, "hand_orders": alone, "context_orders": ctx, "context_hand_orders": ctx,
                "context_all_pairs_orders": ctx, "context_hand_all_pairs_orders": ctx, "chosen": []}

    monkeypatch.setattr(story_cv, "cross_validate", fake_cv)
    monkeypatch.setattr(story_report, "data_set", lambda arg: ("x", []))
    monkeypatch.setattr(story_report, "whole_stream", lambda items, seeds, jobs=1: {0: summ(0.95, 0.95)})
    monkeypatch.setattr(story_report, "baseline_orders", lambda items, seeds: {0: summ(0.7, 0.8)})
    res = story_report.evaluate(["x.jsonl"], dealings=[2, 1])
    assert seen == [0, 1, 2]                          # dealing 0 always: the report's rows are its
    r = res["data_sets"]["x"]
    assert r["record_per_dealing"][1] == {"pairwise_f1": 0.80, "bcubed_f1": 0.88}
    assert r["record"] == {"pairwise_f1": 0.85, "bcubed_f1": 0.88}
    assert "figure of record       0.850" in story_report.format_report(res)
    seen.clear()
    assert story_report.evaluate(["x.jsonl"], dealings=[0])["data_sets"]["x"]["record"] == {
        "pairwise_f1": 0.90, "bcubed_f1": 0.90} and seen == [0]
