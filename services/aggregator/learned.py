"""The learned second chance of placement: a same-story probability over the hand score's terms.

When the hand score (:mod:`scoring`) of the best story stays below ``match_threshold``, the
article would start a story; the measured errors are exactly that (a later report of one event
starts a new story).  The rescue describes the best ``RESCUE_CANDIDATES`` stories (by the hand
score's centroid part) with the terms the hand score is made of (:data:`FEATURES`), and a logistic
regression fitted by ``storystream fit stories`` (:mod:`services.evaluation.story_learned`; its
coefficients in ``fitted.json``, carried by ``ClusterParams.rescue_coef``) gives each a
probability that the article is one of the story's reports; the most probable story is joined
when that reaches ``ClusterParams.rescue_threshold``.

Two vetoes the model cannot override (few examples of either in the data; both a linguistic
reason and an invented-text test, tests/unit/aggregator/test_learned.py):

* a story whose own dates are mostly far (``date_conflict_days``) from the article's own date is
  another event of its kind (a flood in the same town two years later);
* a story whose core names another person AND another place than the article (the conflict of
  :meth:`Scorer.conflict`, in both classes) is a sister event (the same words, another mayor
  and town).

Merge, split and re-homing keep the hand score.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

from services.aggregator.params import ClusterParams
from services.aggregator.scoring import (BoundsMemo, ordinal, date_conflict, quote_overlap, size_scale, time_penalty,
                                         Scorer, StoryView)
from services.aggregator.signature import ArticleSignature
from services.aggregator.vectors import cosine

# the stories described per article (by centroid score): the right story, when there is one, is
# almost always among the best few; a cost bound, not a quality knob
RESCUE_CANDIDATES = 5
# a veto's share: a majority
VETO_SHARE = 0.5

FEATURES = ("cos_entities", "cos_terms", "cos_title", "inv_size", "log_n", "quote", "conflict",
            "conf_who", "conf_where", "conf_site", "conf_org", "dated", "log_gap_min", "log_gap_max",
            "own_both", "own_far", "member", "open", "hand", "margin", "rank")
_OWN_FAR, _WHO, _WHERE = FEATURES.index("own_far"), FEATURES.index("conf_who"), FEATURES.index("conf_where")


def _gaps(art_days: Sequence[str], story_days) -> tuple[float, float, float]:
    """(both dated, log(1 + smallest gap in days), log(1 + largest gap))."""
    a = [d for d in map(ordinal, art_days) if d is not None]
    s = [d for d in map(ordinal, story_days) if d is not None]
    if not a or not s:
        return 0.0, 0.0, 0.0
    gaps = [abs(x - y) for x in a for y in s]
    return 1.0, math.log1p(min(gaps)), math.log1p(max(gaps))


def candidate_features(scorer: Scorer, sig: ArticleSignature,
                       views: Optional[dict[str, StoryView]] = None,
                       bounds: Optional[BoundsMemo] = None) -> tuple[list[str], list[list[float]]]:
    """The best :data:`RESCUE_CANDIDATES` stories by the hand centroid score, and their
    :data:`FEATURES` (the hand score's terms, unweighted, with the full hand score, its margin
    over the best other candidate and its rank).  ``views``: story views made since the last
    ``observe`` (``Scorer.best``'s), reused and completed; ``bounds``: the upper bounds computed
    since then (``Scorer.upper``)."""
    idx, p = scorer.index, scorer.params
    a = scorer.article_view(sig)
    cent = []
    # the retrieved candidates, explicitly bounded: the rescue sees the same stories however
    # placement's own retrieval is widened (tests/unit/aggregator/test_retrieval.py)
    cands = list(idx.candidates(sig, p.max_candidates))
    # scored in decreasing order of their upper bound (:mod:`bounds`, the centroid score without
    # the conflict), until no story left can enter the best RESCUE_CANDIDATES (ties by id: a
    # bound equal to the last one kept still counts): the same stories as scoring them all
    ub = scorer.upper(sig, cands, bounds)
    for i in sorted(range(len(cands)), key=lambda i: -ub[i]):
        if len(cent) >= RESCUE_CANDIDATES:
            cent.sort(key=lambda t: (-t[0], t[1]))
            del cent[RESCUE_CANDIDATES:]
            if ub[i] < cent[-1][0]:
                break
        sid = cands[i]
        s_sig, top = idx.sigs[sid], idx.top.get(sid)
        v = views.get(sid) if views is not None else None
        if v is None:
            v = scorer.conflict_view(s_sig, top)
            if views is not None:
                views[sid] = v
        cc = scorer.class_conflicts(sig, v)
        conf = scorer.conflict(sig, v, cc)
        if len(cent) >= RESCUE_CANDIDATES and ub[i] - conf < cent[-1][0]:
            continue    # the bound leaves the conflict out: less it, the story cannot enter either
        v = scorer.story_view(s_sig, top, v)
        ce = cosine(a.entity_tokens, v.entity_tokens, a.entity_norm, v.entity_norm)
        ct = cosine(a.terms, v.terms, a.terms_norm, v.terms_norm)
        ch = cosine(a.title, v.title, a.title_norm, v.title_norm)
        qo = quote_overlap(sig, s_sig)
        dc = date_conflict(sig.own_dates, s_sig.own_dates, p)
        hand = ((p.w_entities * ce + p.w_terms * ct + p.w_title * ch) / size_scale(v.articles, p.rho)
                + p.w_quote * qo - conf - time_penalty(sig.published, s_sig.published, p) - dc)
        cent.append((hand, sid, v, ce, ct, ch, qo, conf, dc, cc))
    cent.sort(key=lambda t: (-t[0], t[1]))
    sids, rows = [], []
    for hand, sid, v, ce, ct, ch, qo, conf, dc, cc in cent[:RESCUE_CANDIDATES]:
        s_sig = idx.sigs[sid]
        is_open = sid in idx.members
        member = scorer.member_sim(sig, idx.members[sid], v) if is_open else 0.0
        if is_open and p.w_member:
            hand += p.w_member * (member - p.member_base)
        dated, gmin, gmax = _gaps(sig.published, s_sig.published)
        rows.append([ce, ct, ch, 1.0 / size_scale(v.articles, p.rho), math.log(v.articles), qo, conf,
                     cc["who"], cc["where"], cc["site"], cc["org"], dated, gmin, gmax,
                     1.0 if sig.own_dates and s_sig.own_dates else 0.0,
                     dc / p.date_conflict_penalty if p.date_conflict_penalty else 0.0,
                     member, float(is_open), hand, 0.0, 0.0])
        sids.append(sid)
    hands = [r[-3] for r in rows]
    ranked = sorted(range(len(rows)), key=lambda i: (-hands[i], i))
    for rank, i in enumerate(ranked):
        rows[i][-1] = float(rank)
        other = [h for j, h in enumerate(hands) if j != i]
        rows[i][-2] = hands[i] - (max(other) if other else hands[i] - 1.0)
    return sids, rows


def vetoed(row: Sequence[float]) -> bool:
    """Another event of the story's kind (module docstring): never joined by the rescue."""
    return row[_OWN_FAR] >= VETO_SHARE or min(row[_WHO], row[_WHERE]) >= VETO_SHARE


def probability(row: Sequence[float], params: ClusterParams) -> float:
    z = params.rescue_intercept + sum(c * x for c, x in zip(params.rescue_coef, row))
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def rescue(scorer: Scorer, sig: ArticleSignature, views: Optional[dict[str, StoryView]] = None,
           bounds: Optional[BoundsMemo] = None) -> Optional[str]:
    """The story the article joins although its hand score is below ``match_threshold``, or None
    (no model fitted: ``rescue_coef`` empty).  ``views``, ``bounds``: as :func:`candidate_features`."""
    p = scorer.params
    if not p.rescue_coef:
        return None
    best_sid, best_p = None, -1.0
    for sid, row in zip(*candidate_features(scorer, sig, views, bounds)):
        if vetoed(row):
            continue
        pr = probability(row, p)
        if pr > best_p:
            best_sid, best_p = sid, pr
    return best_sid if best_p >= p.rescue_threshold else None
