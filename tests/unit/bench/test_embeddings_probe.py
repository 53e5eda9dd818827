"""The embeddings experiment's single pass (bench/embeddings_probe.py) and sentence split
(bench/embeddings_models.py), on invented articles: no model, no evaluation data."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from bench.embeddings_models import sentences
from bench.embeddings_probe import Doc, Grams, single_pass, stream
from services.evaluation.stories import score_clusters
from services.evaluation.tfidf_baseline import single_pass as baseline_pass

_T0 = datetime(2031, 3, 1, tzinfo=timezone.utc)
_TEXTS = [
    ("f1", "flood", "River Vell floods Norwick; Mayor Ada Brennor orders the evacuation of the lower town"),
    ("f2", "flood", "Norwick evacuated as the River Vell floods, Mayor Ada Brennor says"),
    ("f3", "flood", "Mayor Ada Brennor: Norwick flood waters from the River Vell are falling"),
    ("v1", "vote", "Eastholm council votes to close the harbour bridge for repairs"),
    ("v2", "vote", "Harbour bridge in Eastholm to close after council vote on repairs"),
    ("q1", "quake", "Small earthquake shakes Port Sall, no injuries reported"),
]


def _docs(days=(0, 0, 0, 0, 0, 0)):
    return [Doc(a, s, _T0 + timedelta(days=d), t, i) for i, ((a, s, t), d) in enumerate(zip(_TEXTS, days))]


def test_tfidf_pass_equals_the_baseline_module():
    docs = _docs()
    for threshold in (0.1, 0.3, 0.5):
        order = stream(docs, 0)
        mine = single_pass(order, [(Grams(docs, {}).ordered("tfidf", order), 1.0)], threshold)
        ref = baseline_pass(order, threshold=threshold)
        agree = score_clusters(ref, mine)
        assert agree["pairwise_f1"] == 1.0 and agree["bcubed_f1"] == 1.0


def test_embedding_pass_follows_the_vectors_and_the_window():
    docs = _docs()
    # invented "embeddings": one direction per story, so the embedding pass alone is exact
    axis = {"flood": 0, "vote": 1, "quake": 2}
    emb = np.eye(3)[[axis[d.story] for d in docs]]
    grams = Grams(docs, {"e": emb})
    order = stream(docs, 0)
    pred = single_pass(order, [(grams.ordered("e", order), 1.0)], 0.9)
    score = score_clusters({d.article_id: d.story for d in docs}, pred)
    assert score["pairwise_f1"] == 1.0 and score["pred_stories"] == 3
    # the same with the third flood report 5 days after the others: outside the 3-day window
    late = _docs(days=(0, 0, 5, 0, 0, 0))
    order = stream(late, 0)
    pred = single_pass(order, [(Grams(late, {"e": emb}).ordered("e", order), 1.0)], 0.9)
    assert pred["f3"] != pred["f1"] and pred["f1"] == pred["f2"]


def test_weighted_sum_of_two_similarities():
    docs = _docs()
    emb = np.eye(len(docs))           # every article its own direction: the embedding never joins
    grams = Grams(docs, {"e": emb})
    order = stream(docs, 0)
    both = [(grams.ordered("tfidf", order), 0.5), (grams.ordered("e", order), 0.5)]
    # half the TF-IDF cosine at most: 0.5 cannot be reached, every article starts a story
    assert len(set(single_pass(order, both, 0.5).values())) == len(docs)
    tfidf_only = single_pass(order, both[:1], 0.05)
    assert len(set(tfidf_only.values())) < len(docs)


def test_sentences_keep_the_headline_and_drop_url_and_short_lines():
    body = ("http://example.invalid/news/1\nMarch 1, 2031\nThe River Vell rose two metres overnight. "
            "Mayor Ada Brennor ordered the lower town out. \"We are ready,\" she said to reporters there.")
    got = sentences("Norwick floods", body, k=10)
    assert got[0] == "Norwick floods"
    assert not any(s.startswith("http") for s in got)
    assert "March 1, 2031" not in got
    assert got[1].startswith("The River Vell rose") and len(got) == 4
    assert len(sentences("Norwick floods", body, k=2)) == 2
