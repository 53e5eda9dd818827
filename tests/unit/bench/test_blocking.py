"""The cost of partitioning the story space by a blocking key (bench/blocking.py), on invented rows."""
from __future__ import annotations

from bench.blocking import costs


def _rows():
    # story A: three reports from one town, one naming a second town first; story B: one report
    keys = [("a1", "A", ["varnholt", "ilse brenn"]), ("a2", "A", ["varnholt", "port sall"]),
            ("a3", "A", ["port sall", "varnholt"]), ("b1", "B", ["orlen bay"])]
    return [(aid, story, {"article id": [aid], "place": ks[:1], "entity": ks[:1], "entities top 2": ks[:2],
                          "entities top 3": ks[:3]}) for aid, story, ks in keys]


def _get(res, key, k):
    return next(c for c in res if c["key"] == key and c["shards"] == k)


def test_figures_are_shares_and_fan_outs():
    res = costs(_rows())
    for key in ("article id", "place", "entities top 2"):
        c = _get(res, key, 2)
        assert 0 <= c["pairs_split"] <= 1 and c["copies_per_article"] >= 1


def test_more_keys_per_article_never_split_more_pairs():
    res = costs(_rows())
    for k in (2, 4, 8, 16):
        one, two = _get(res, "entity", k), _get(res, "entities top 2", k)
        assert two["pairs_split"] <= one["pairs_split"]
        assert two["copies_per_article"] >= one["copies_per_article"]
    # with the top 2 keys every pair of story A shares "varnholt"'s shard
    assert all(_get(res, "entities top 2", k)["pairs_split"] == 0.0 for k in (2, 4, 8, 16))
    assert _get(res, "article id", 16)["copies_per_article"] == 1.0
