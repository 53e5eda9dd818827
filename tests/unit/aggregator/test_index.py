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
    assert "t:zeppelin" not in idx.postings and idx.consistency_errors() == []
    idx.drop("s1")
    assert idx.postings == {} and idx.consistency_errors() == []


# ---------------------------------------------------------------- top_voted (bounded retrieval)
class _CountingSet(set):
    """A posting list that counts how often it is read in full."""

    def __init__(self, *a):
        super().__init__(*a)
        self.reads = 0

    def __iter__(self):
        self.reads += 1
        return super().__iter__()


def _reference(feats, limit):
    """Every list read in full (the retrieval before the bound)."""
    from collections import Counter
    votes = Counter()
    for posts, w in feats:
        for sid in posts:
            votes[sid] += w
    return [sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def test_top_voted_equals_reading_every_list(monkeypatch):
    import random

    from services.aggregator import index as ix
    monkeypatch.setattr(ix, "READ_ALL", 0)          # always take the bounded path
    rng = random.Random(7)
    stories = [f"s{i:04d}" for i in range(3000)]
    for case in range(300):
        feats = []
        for _ in range(rng.randint(1, 25)):
            size = min(len(stories), int(rng.paretovariate(0.7)))          # heavy-tailed list lengths
            w = rng.choice((1.0, 1.5, 2.0, 1 + rng.random() * 8, 0.1 + 0.2))   # repeated weights: ties
            feats.append((set(rng.sample(stories, size)), w))
        limit = rng.choice((1, 5, 50))
        assert ix.top_voted(feats, limit) == _reference(feats, limit), case


def test_top_voted_leaves_a_long_common_list_unread(monkeypatch):
    from services.aggregator import index as ix
    monkeypatch.setattr(ix, "READ_ALL", 0)
    common = _CountingSet(f"s{i:05d}" for i in range(10_000))    # a capital named by every story
    rare = [({"s00007", "s00042"}, 9.0), ({"s00007"}, 8.5), ({"s00042", "s00100"}, 7.0)]
    feats = [(common, 1.2), *rare]
    got = ix.top_voted(feats, 3)
    assert common.reads == 0          # decided by the rare names, the common list only looked up
    assert got == _reference(feats, 3) == ["s00007", "s00042", "s00100"]
    assert ix.top_voted(feats, 5) == _reference(feats, 5)    # 5 need the common list: read, same answer
