"""The index: postings follow what was posted."""
from __future__ import annotations

from services.aggregator.index import StoryIndex
from services.aggregator.signature import StoryEntity, StorySignature


def test_index_unposts_what_it_posted_although_the_signature_changed_in_place():
    idx = StoryIndex()
    sig = StorySignature(articles=1, entities={"ada brennor": StoryEntity(1.0, 1, {"PERSON": 1}, "PERSON")},
                         terms={"flood": 1.0, "zeppelin": 1.0})
    idx.put("s1", sig)
    del sig.terms["zeppelin"]                 # as a subtracted member's term leaves the record
    idx.put("s1", sig)
    assert "t:zeppelin" not in idx.postings.as_sets() and idx.consistency_errors() == []
    idx.drop("s1")
    assert idx.postings.as_sets() == {} and idx.consistency_errors() == []


# ---------------------------------------------------------------- memoised idfs and rarest tokens
def test_memoised_rarest_tokens_and_idfs_equal_fresh_ones_through_counts_and_removals():
    """``rarest`` is memoised across articles and dropped only for keys whose frequencies may
    have changed; ``idf`` is memoised by frequency: both must equal a computation from scratch
    after every article counted or taken out."""
    import math
    import random

    from services.aggregator.signature import ArticleSignature, EntityWeight

    rng = random.Random(7)
    words = [f"w{i}" for i in range(12)]                      # few tokens: many ties and shared tokens
    keys = sorted({" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(60)})
    idx, counted = StoryIndex(), []
    for step in range(400):
        if counted and rng.random() < 0.25:
            idx.observe(counted.pop(rng.randrange(len(counted))), -1)
        else:
            ents = {k: EntityWeight(1.0, "PERSON") for k in rng.sample(keys, rng.randint(1, 6))}
            sig = ArticleSignature(entities=ents, terms={"t": 1}, title=[], own_dates=[], published=[], quotes=[])
            idx.observe(sig)
            counted.append(sig)
        for k in rng.sample(keys, 20):
            fresh = max(k.split(), key=lambda t: (math.log((idx.n_docs + 1) / (idx.df_etok.get(t, 0) + 1)), t))
            assert idx.rarest(k) == fresh, (step, k)
            assert idx.token_idf(k) == math.log((idx.n_docs + 1) / (idx.df_etok.get(fresh, 0) + 1)) + 1.0
