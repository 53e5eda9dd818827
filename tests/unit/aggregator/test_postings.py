"""The numbered posting lists: numpy's ranking equals the dictionary of votes it replaced, float
for float and tie for tie, through stories posted, re-posted, dropped and their numbers reused."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from services.aggregator.postings import LongList, Postings


def _reference(lists: dict[str, set[str]], feats, limit):
    """Every list read, votes summed posting by posting in the order of ``feats``."""
    votes: Counter = Counter()
    for f, w in feats:
        for sid in lists.get(f, ()):
            votes[sid] += w
    return [sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


@pytest.mark.parametrize("long", [64, 3])
def test_top_equals_summing_every_posting_in_python_through_churn(monkeypatch, long):
    """With the default and with a tiny ``LONG`` (lists turning into arrays and back all the
    time)."""
    from services.aggregator import postings as module
    monkeypatch.setattr(module, "LONG", long)
    rng = random.Random(11)
    features = [f"t:w{i}" for i in range(60)]
    post, truth, posted = Postings(), {}, {}
    for step in range(1500):
        sid = f"s{rng.randrange(400):04d}"
        if sid in posted and rng.random() < 0.3:          # the story leaves the index
            post.unpost(sid, posted.pop(sid))
            post.release(sid)
        else:                                             # posted or re-posted with other features
            post.unpost(sid, posted.pop(sid, ()))
            k = min(len(features), int(rng.paretovariate(0.8)) + 1)   # heavy-tailed: a few common features
            posted[sid] = set(rng.sample(features[:max(k, 3) * 2], k))
            post.post(sid, posted[sid])
        truth = {}
        for s, fs in posted.items():
            for f in fs:
                truth.setdefault(f, set()).add(s)
        if step % 5 == 0:
            feats = [(f, rng.choice((1.0, 1.5, 2.0, 1 + rng.random() * 8))) for f in rng.sample(features, 12)]
            for limit in (1, 5, 50):
                assert post.top(feats, limit) == _reference(truth, feats, limit) == post.top_reference(feats, limit)
        assert post.as_sets() == truth and post.consistency_errors() == []
    assert len(post.ids) < 400          # numbers were reused: the vote array is bounded by the stories
    assert any(type(s) is LongList for s in post.lists.values())        # the array path was taken


def test_a_long_list_adds_removes_and_grows_in_place():
    lst = LongList([5, 9])
    for n in range(100, 140):
        lst.add(n)
    lst.add(9)                           # already there
    for n in (5, 139, 120):
        lst.discard(n)
    lst.discard(7)                       # not there
    want = {9} | set(range(100, 139)) - {120}
    assert set(lst.numbers().tolist()) == set(lst) == want and len(lst) == len(want)
    assert 9 in lst and 120 not in lst and lst.errors() == []


def test_top_breaks_ties_by_id_and_sums_in_feature_order():
    post = Postings()
    post.post("s2", ["e:a", "t:b"])
    post.post("s1", ["e:a", "t:c"])
    post.post("s3", ["t:b", "t:c"])
    feats = [("e:a", 0.1), ("t:b", 0.2), ("t:c", 0.2)]
    # s1 and s2: 0.1 + 0.2 = 0.30000000000000004 each, s3: 0.2 + 0.2 = 0.4
    assert post.top(feats, 3) == ["s3", "s1", "s2"]
    assert post.top(feats, 2) == ["s3", "s1"]
    assert post.top([("e:zz", 1.0)], 5) == []


def test_a_released_number_is_free_in_every_list():
    post = Postings()
    post.post("s1", ["e:a"])
    post.post("s2", ["e:a"])
    post.unpost("s1", ["e:a"])
    post.release("s1")
    post.post("s9", ["t:z"])               # takes s1's number
    assert post.number["s9"] == 0 and post.as_sets() == {"e:a": {"s2"}, "t:z": {"s9"}}
    assert post.top([("e:a", 1.0)], 5) == ["s2"]


def test_votes_are_summed_in_feature_order():
    """0.1 + 0.2 + 0.3 in that order is 0.6000000000000001, in the reverse order 0.6: the
    story posted under the three outranks the one under 0.6 only when summed as listed."""
    post = Postings()
    for f in ("t:a", "t:b", "t:c"):
        post.post("s2", [f])
    post.post("s1", ["t:d"])
    for sid in (f"x{i}" for i in range(6)):          # a longer list, read last
        post.post(sid, ["t:e"])
    feats = [("t:a", 0.1), ("t:b", 0.2), ("t:c", 0.3), ("t:d", 0.6), ("t:e", 0.01)]
    want = _reference(post.as_sets(), feats, 2)
    assert want == ["s2", "s1"]
    assert post.top(feats, 2) == want
