"""Candidate retrieval (``StoryIndex.candidates``: stories sharing an entity or one of the
article's most distinctive terms, the ``max_candidates`` best by summed idf) against exhaustive
scoring: on the eval streams, placing every article by scoring every indexed story gives the
same stories, article for article, and the same splits, merges, re-homings and published states.

The exhaustive engine differs only in its placements (``Scorer.best`` asks for candidates with no
limit and gets every indexed story); the merge check keeps its pre-ranked ``merge_candidates``.
"""
from __future__ import annotations

from pathlib import Path

from bench.decisions import clustering_dated, clustering_orders
from services.aggregator.index import StoryIndex
from services.evaluation import stories as ev

EVAL = Path(__file__).resolve().parents[4] / "shared" / "eval"
DEV, NEWS = EVAL / "ecbplus_dev.jsonl", EVAL / "news_cluster.jsonl"


def _exhaustive(monkeypatch) -> dict:
    """Patch placements to score every indexed story; counts the placements where that added
    stories retrieval did not return (the comparison is not vacuous)."""
    retrieve = StoryIndex.candidates
    seen = {"placements": 0, "widened": 0}

    def candidates(self, art_sig, limit=None):
        if limit is not None:                       # the merge check's pre-ranked few
            return retrieve(self, art_sig, limit)
        got = retrieve(self, art_sig)
        seen["placements"] += 1
        seen["widened"] += len(self.sigs) > len(got)
        return got + sorted(set(self.sigs) - set(got))
    monkeypatch.setattr(StoryIndex, "candidates", candidates)
    return seen


def test_placements_equal_exhaustive_scoring_ecbplus_dev_five_orders(monkeypatch):
    assert DEV.exists(), f"the ECB+ dev set is missing: {DEV} (../shared beside the repository)"
    inputs = ev.build_inputs(DEV)
    retrieved = clustering_orders(DEV, inputs=inputs)
    seen = _exhaustive(monkeypatch)
    exhaustive = clustering_orders(DEV, inputs=inputs)
    assert seen["widened"] > seen["placements"] / 2        # most placements scored more stories
    for seed in retrieved:
        assert retrieved[seed]["assign"] == exhaustive[seed]["assign"], seed
        assert retrieved[seed] == exhaustive[seed], seed   # events and published states too


def test_placements_equal_exhaustive_scoring_news_cluster_dated(monkeypatch):
    assert NEWS.exists(), f"the dated news set is missing: {NEWS} (../shared beside the repository)"
    retrieved = clustering_dated(NEWS)
    seen = _exhaustive(monkeypatch)
    exhaustive = clustering_dated(NEWS)
    assert seen["widened"] > seen["placements"] / 2
    assert retrieved["assign"] == exhaustive["assign"]
    assert retrieved == exhaustive
