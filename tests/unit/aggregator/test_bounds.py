"""The score bounds (services/aggregator/bounds.py) and the pruned ``Scorer.best``: the bound is
never below the score, and ``best`` returns exactly what scoring every candidate in full returns."""
from __future__ import annotations

import math
import random

from services.aggregator.index import StoryIndex
from services.aggregator.params import DEFAULT_PARAMS as P
from services.aggregator.scoring import Scorer
from services.aggregator.signature import ArticleSignature, EntityWeight, story_of

TYPES = ("PERSON", "GPE", "ORG", "LOC", "FAC")
NAMES = [f"{a} {b}" for a in ("ada", "ilse", "tom", "rui", "mo", "kea", "lin", "ola") for b in
         ("brennor", "varga", "calder", "norwick", "vell", "marsh", "dane", "okoro", "ruiz")]
WORDS = [f"w{i}" for i in range(400)]


def _zipf(rng: random.Random, pool: list[str], k: int) -> list[str]:
    """``k`` draws from ``pool`` with heavy-tailed frequencies (shared names and words)."""
    return [pool[min(len(pool) - 1, int(rng.paretovariate(1.1)) - 1)] if rng.random() < 0.5
            else rng.choice(pool) for _ in range(k)]


def _article(rng: random.Random, core: list[str], words: list[str], day: int) -> ArticleSignature:
    ents = {k: EntityWeight(round(rng.uniform(0.5, 3.0), 6), rng.choice(TYPES))
            for k in core[:rng.randint(1, len(core))] + _zipf(rng, NAMES, rng.randint(0, 3))}
    terms = {t: rng.randint(1, 5) for t in words[:rng.randint(2, len(words))] + _zipf(rng, WORDS, rng.randint(0, 30))}
    quotes = [[f"q{rng.randrange(30)} x", f"q{rng.randrange(30)} y"]] if rng.random() < 0.3 else []
    own = [f"2031-03-{rng.randint(1, 28):02d}"] if rng.random() < 0.3 else []
    return ArticleSignature(entities=ents, terms=terms, title=sorted(set(_zipf(rng, WORDS, rng.randint(0, 6)))),
                            own_dates=own, published=[f"2031-03-{day:02d}"], quotes=quotes)


def _world(seed: int, stories: int = 40):
    """An index of random stories (members posted, as open stories are) and a scorer on it."""
    rng = random.Random(seed)
    idx = StoryIndex(P)
    scorer = Scorer(idx, P)
    cores = []
    for s in range(stories):
        core, words = _zipf(rng, NAMES, rng.randint(1, 4)), _zipf(rng, WORDS, rng.randint(3, 25))
        cores.append((core, words))
        arts = [_article(rng, core, words, rng.randint(1, 9)) for _ in range(rng.randint(1, 6))]
        for a in arts:
            idx.observe(a)
        closed = rng.random() < 0.2          # closed stories: no best-member term
        idx.put(f"st-{s:03d}", story_of(arts), closed=closed,
                members=None if closed else [(sorted(a.entities), a.title) for a in arts])
    return rng, idx, scorer, cores


def _arrival(rng: random.Random, idx: StoryIndex, cores) -> ArticleSignature:
    """An arriving article, observed by the index: 70 % of the time a report of one of the
    world's stories, otherwise one on random names and words."""
    core, words = cores[rng.randrange(len(cores))] if rng.random() < 0.7 else ([], [])
    sig = _article(rng, core or _zipf(rng, NAMES, 2), words or _zipf(rng, WORDS, 10), rng.randint(1, 9))
    idx.observe(sig)
    return sig


def _full_best(scorer: Scorer, idx: StoryIndex, sig: ArticleSignature, allowed=None):
    """``best`` as scoring every candidate in full (member term included) gives it."""
    best_sid, best_s = None, -1.0
    for sid in sorted(idx.candidates(sig)):
        if allowed is not None and not allowed(sid):
            continue
        s = scorer.score(sig, idx.sigs[sid], idx.top.get(sid))
        if P.w_member and sid in idx.members:
            s += P.w_member * (scorer.member_sim(sig, idx.members[sid]) - P.member_base)
        if s > best_s:
            best_sid, best_s = sid, s
    return best_sid, best_s


def _not_3(sid: str) -> bool:
    return not sid.endswith("3")


def test_the_bound_is_never_below_the_score():
    checked = 0
    for seed in range(12):
        rng, idx, scorer, cores = _world(seed)
        for k in range(15):
            sig = _arrival(rng, idx, cores)
            sids = sorted(idx.sigs)
            ub = scorer.bounds.upper(sig, scorer.article_view(sig), sids)
            for sid, u in zip(sids, ub):
                s = scorer.score(sig, idx.sigs[sid], idx.top.get(sid))
                assert u >= s, (seed, k, sid, u, s)
                assert u - s < 0.31 + 1e-6 or math.isinf(u)   # loose by at most the conflict penalty
                checked += 1
    assert checked > 5000


def test_pruned_best_is_scoring_every_candidate_in_full():
    pruned = 0
    for seed in range(12):
        rng, idx, scorer, cores = _world(seed + 100)
        for k in range(15):
            sig = _arrival(rng, idx, cores)
            want = _full_best(scorer, idx, sig)
            assert scorer.best(sig) == want
            assert scorer.best(sig, views={}) == want
            assert scorer.best(sig, _not_3) == _full_best(scorer, idx, sig, _not_3)
            for floor in (P.match_threshold, 0.0, 0.6):
                got = scorer.best(sig, at_least=floor)
                if want[1] >= floor:
                    assert got == want
                else:
                    assert got[1] < floor
            calls = []
            score = scorer.score
            scorer.score = lambda *a, **kw: calls.append(1) or score(*a, **kw)
            scorer.best(sig)
            scorer.score = score
            pruned += len(idx.candidates(sig)) - len(calls)
    assert pruned > 100            # the bound does prune


def test_a_story_changed_in_place_before_it_is_reposted_keeps_a_true_bound():
    """Between ``add_member`` (the signature changed in place) and ``index_open`` (re-posted)
    the bound is rebuilt from what the score reads (the changed article count is seen)."""
    rng, idx, scorer, cores = _world(7)
    sig = _article(rng, *cores[0], day=3)
    idx.observe(sig)
    sids = sorted(idx.sigs)
    scorer.bounds.upper(sig, scorer.article_view(sig), sids)          # every side cached
    for sid in sids[:10]:
        for _ in range(3):
            idx.sigs[sid].add(_article(rng, *cores[rng.randrange(len(cores))], day=4))
    for sid, u in zip(sids, scorer.bounds.upper(sig, scorer.article_view(sig), sids)):
        assert u >= scorer.score(sig, idx.sigs[sid], idx.top.get(sid))


def test_reaches_is_the_score_against_the_threshold():
    checked = 0
    for seed in range(6):
        rng, idx, scorer, cores = _world(seed + 200)
        for k in range(10):
            sig = _article(rng, *cores[rng.randrange(len(cores))], day=rng.randint(1, 9))
            idx.observe(sig)
            for sid in sorted(idx.sigs):
                s = scorer.score(sig, idx.sigs[sid], idx.top.get(sid))
                for threshold in (P.match_threshold, s, 0.05):
                    assert scorer.reaches(sig, sid, threshold) == (s >= threshold)
                    checked += 1
    assert checked > 2000


def test_a_shorter_ranking_on_the_same_index_is_the_prefix_of_the_last():
    """The merge check's ``candidates(limit=5)`` after the placement's 50 reuses that ranking:
    it is what a fresh call returns, and a change of the index is seen."""
    for seed in range(6):
        rng, idx, scorer, cores = _world(seed + 300, stories=80)
        for k in range(10):
            sig = _article(rng, *cores[rng.randrange(len(cores))], day=3)
            idx.observe(sig)
            long = idx.candidates(sig)
            short = idx.candidates(sig, limit=5)
            idx.forget_candidates()
            assert short == idx.candidates(sig, limit=5) == long[:5]
            idx.candidates(sig)
            sid = long[0]
            idx.drop(sid)                                    # the index changed: computed afresh
            assert sid not in idx.candidates(sig, limit=5)


def test_the_rescue_sees_the_same_candidates_and_features_with_the_bound():
    """The learned rescue describes the best few stories by centroid score: ranked through the
    bound it describes exactly the stories (and features) that scoring every candidate gives."""
    from services.aggregator.learned import candidate_features
    skipped = 0
    for seed in range(8):
        rng, idx, scorer, cores = _world(seed + 300)
        for k in range(12):
            sig = _arrival(rng, idx, cores)
            calls = []
            view = scorer.story_view
            scorer.story_view = lambda *a, **kw: calls.append(1) or view(*a, **kw)
            got = candidate_features(scorer, sig)
            scorer.story_view = view
            upper = scorer.bounds.upper
            scorer.bounds.upper = lambda s, a, sids: [math.inf] * len(sids)     # no bound: every candidate
            want = candidate_features(scorer, sig)
            scorer.bounds.upper = upper
            assert got == want
            skipped += len(idx.candidates(sig, P.max_candidates)) - len(calls)
    assert skipped > 100           # the bound does spare stories


def test_one_placement_bounds_its_candidates_once_for_the_search_and_the_rescue():
    """``Scorer.best`` and the learned rescue of one placement share their upper bounds through a
    memo: the same bounds (and so the same answers) as computing them twice, computed once; a
    memo entry is never reused for another signature, nor for another candidate list."""
    from services.aggregator.learned import candidate_features
    shared = 0
    for seed in range(6):
        rng, idx, scorer, cores = _world(seed + 500)
        for k in range(10):
            sig = _arrival(rng, idx, cores)
            want_best, want_rows = scorer.best(sig, views={}), candidate_features(scorer, sig, {})
            calls = []
            upper = scorer.bounds.upper
            scorer.bounds.upper = lambda s, a, sids: calls.append(tuple(sids)) or upper(s, a, sids)
            memo, views = {}, {}
            got_best = scorer.best(sig, views=views, bounds=memo)
            got_rows = candidate_features(scorer, sig, views, memo)
            scorer.bounds.upper = upper
            assert (got_best, got_rows) == (want_best, want_rows)
            assert len(calls) == len(set(calls)) == 1          # one list of candidates, bounded once
            shared += 1
            other = ArticleSignature(entities=dict(sig.entities), terms=dict(sig.terms), title=list(sig.title),
                                     own_dates=[], published=["2031-03-28"], quotes=[])
            key = next(iter(memo))
            memo[(id(other), key[1])] = memo.pop(key)           # an entry under another signature's id
            assert scorer.upper(other, list(key[1]), memo) == upper(other, scorer.article_view(other), list(key[1]))
            fewer = list(key[1])[:-1]
            assert scorer.upper(sig, fewer, memo) == upper(sig, scorer.article_view(sig), fewer)
    assert shared == 60
