"""Cheap upper bounds of article-story scores, so that ``Scorer.best`` scores in full only the
candidate stories that can still win.

A story's full score (:meth:`scoring.Scorer.score`) rebuilds its idf-weighted view (its 300
heaviest terms, the name tokens of its 100 heaviest entities, its headline words): the idfs
change with every article, so the view cannot be kept across articles, and building it for
the 50 candidates is most of an article's cost.  The bound needs only, per feature, its
document frequency and the article's weight, read for all candidates at once (the features
numbered, :mod:`vocab`: an array gather of document frequencies and of the article's weights,
and numpy arithmetic instead of a Python loop per feature):

    bound = (w_entities cos_e + w_terms cos_t + w_title cos_h) / size_scale
            + w_quote * quote overlap - time penalty - own-date conflict      (exact, as scored)

with each cosine computed in another floating-point order (within a relative 1e-13 of the
scored one: every product is of non-negative numbers, so no cancellation), raised by a
relative and an absolute slack far above that, and the conflict penalty (>= 0) left out.  So
the bound is never below the score, and a story whose bound cannot reach the best score found
so far (nor, when asked, a floor the caller needs) is never the answer: skipping it changes
nothing (tests/unit/aggregator/test_bounds.py: the bound against the score, and ``best``
against scoring every candidate in full, over random cases).

The story side independent of the idfs (its heaviest terms' ids and weights, its
entity name tokens' ids and weights before idf, its headline words' ids and weights) is made once per change of a story, when
``StoryIndex.put`` indexes it (with its ``top``).  Between ``add_member`` (a signature changed
in place) and the ``put`` that follows, the story's article count differs from the side's: the
side is then rebuilt from the same ``top`` the score reads (whose entities are the signature's
own, changed in place) and the signature's headline words.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Optional

import numpy as np

from services.aggregator.params import ClusterParams
from services.aggregator.signature import ArticleSignature, Top
from services.aggregator.vocab import Vocab

if TYPE_CHECKING:
    from services.aggregator.index import StoryIndex

REL_SLACK = 1e-9     # relative slack on each bound cosine (the floating-point error is ~1e-13)
ABS_SLACK = 1e-9     # absolute slack on the bound score

StorySide = tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def story_side(top: Top, title: dict[str, float], articles: int, terms: Vocab, etok: Vocab,
               words: Vocab) -> StorySide:
    """What a story's bound needs independent of the idfs (made once per change of the
    story, by ``StoryIndex.put``): its article count, its heaviest terms (ids in ``terms``,
    weights), the name tokens of its heaviest entities (ids in ``etok``, weights before idf
    and before the 1 / articles scale, which a cosine ignores) and its headline words
    (``title``: ids in ``words``, weights)."""
    top_terms, ents = top
    tok: dict[str, float] = {}
    for k, e in ents.items():
        toks = k.split()
        for t in toks:
            tok[t] = tok.get(t, 0.0) + e.weight / math.sqrt(len(toks))
    return (articles, terms.ids_of(top_terms), np.fromiter(top_terms.values(), float, len(top_terms)),
            etok.ids_of(tok), np.fromiter(tok.values(), float, len(tok)),
            words.ids_of(title), np.fromiter(title.values(), float, len(title)))


class Bounds:
    """Upper bounds of the centroid score (the score without the best-member term)."""

    def __init__(self, index: "StoryIndex", params: ClusterParams) -> None:
        self.index = index
        self.params = params
        # the bound leaves the conflict out and scales the cosines up: valid for non-negative
        # weights and penalties only (else every story is scored in full)
        self.enabled = min(params.w_entities, params.w_terms, params.w_title, params.conflict_penalty) >= 0

    def _side(self, sid: str) -> Optional[StorySide]:
        """The story's idf-free side (:func:`story_side`): the index's, made when the story was
        put, unless the story's signature changed in place since (its article count differs:
        then rebuilt from the same ``top`` the score reads, not kept)."""
        idx = self.index
        sig, side = idx.sigs.get(sid), idx.sides.get(sid)
        if sig is None or side is None:
            return None
        if side[0] != sig.articles:
            top = idx.top.get(sid)
            return None if top is None else story_side(top, sig.title, sig.articles, *idx.vocabs())
        return side

    def upper(self, art_sig: ArticleSignature, art_view, sids: list[str]) -> list[float]:
        """An upper bound of ``Scorer.score`` (without the best-member term) of the article
        against each story of ``sids`` (``inf`` where none is known); ``art_view``: the
        article's ``Scorer.article_view``."""
        from services.aggregator.scoring import date_conflict, quote_overlap, size_scale, time_penalty

        idx, p = self.index, self.params
        sides = [self._side(sid) for sid in sids]
        known = [i for i, s in enumerate(sides) if s is not None]
        out = [math.inf] * len(sids)
        if not known or not self.enabled:
            return out
        m = len(known)
        sigs = [idx.sigs[sids[i]] for i in known]
        cos_t = _cosines(idx, idx.vocab_terms, art_view.terms, art_view.terms_norm,
                         [sides[i][1] for i in known], np.concatenate([sides[i][2] for i in known]))
        cos_e = _cosines(idx, idx.vocab_etok, art_view.entity_tokens, art_view.entity_norm,
                         [sides[i][3] for i in known], np.concatenate([sides[i][4] for i in known]))
        cos_h = _cosines(idx, idx.vocab_title, art_view.title, art_view.title_norm,
                         [sides[i][5] for i in known], np.concatenate([sides[i][6] for i in known]))
        for j in range(m):
            sig = sigs[j]
            s = ((p.w_entities * cos_e[j] + p.w_terms * cos_t[j] + p.w_title * cos_h[j])
                 / size_scale(max(1, sig.articles), p.rho)
                 + p.w_quote * quote_overlap(art_sig, sig)
                 - time_penalty(art_sig.published, sig.published, p) - date_conflict(art_sig.own_dates,
                                                                                   sig.own_dates, p))
            out[known[j]] = s + ABS_SLACK
        return out


def _cosines(idx: "StoryIndex", vocab: Vocab, art: dict[str, float], art_norm: float, ids: list[np.ndarray],
             weights: np.ndarray) -> list[float]:
    """Upper bounds of the cosines of the article's vector ``art`` (idf-weighted, norm
    ``art_norm``) with each story vector (``ids``: its features' ids in ``vocab``, and
    ``weights`` before idf: all stories' one after the other), idf-weighted with the index's idfs
    of the moment: ``log((n + 1) / (df + 1)) + 1`` as ``StoryIndex.idf``, the document
    frequencies read from ``vocab`` (equal to the index's ``Counter``)."""
    m = len(ids)
    if not art or art_norm <= 0:
        return [0.0] * m                  # the scored cosine of an empty vector is 0
    lens = np.fromiter(map(len, ids), np.int64, m)
    total = int(lens.sum())
    if total == 0:
        return [0.0] * m
    flat = np.concatenate(ids)
    w = weights * (np.log((idx.n_docs + 1) / (vocab.df[flat] + 1.0)) + 1.0)
    a = vocab.gather(art, flat)
    seg = np.repeat(np.arange(m), lens)
    dots = np.bincount(seg, weights=a * w, minlength=m)
    norms = np.sqrt(np.bincount(seg, weights=w * w, minlength=m))
    out = []
    for d, n in zip(dots.tolist(), norms.tolist()):
        out.append(d / (art_norm * n) * (1 + REL_SLACK) + REL_SLACK if d > 0 and n > 0 else 0.0)
    return out
