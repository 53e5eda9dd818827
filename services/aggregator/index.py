"""The index of stories: document frequencies learned online, each story's signature and an
inverted index from features (entities, body terms) to the stories holding them, from which
an arriving article's candidate stories come.

The document frequencies count the articles of indexed stories only (open stories and closed
ones inside the engine's reopen window), so the idfs reflect recent news.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter
from typing import Collection, Iterable, Optional

from services.aggregator.bounds import StorySide, story_side
from services.aggregator.params import DEFAULT_PARAMS, ClusterParams
from services.aggregator.signature import ArticleSignature, StorySignature, Top, top_features
from services.aggregator.vocab import Vocab


READ_ALL = 2000     # posting-list entries below which every list is simply read in full
_MARGIN = 1e-9      # relative slack on the bounds (floating-point sums in another order)


def top_voted(feats: list[tuple[Collection[str], float]], limit: int) -> list[str]:
    """The ``limit`` story ids with the highest vote, a story's vote being the summed weight of
    the posting lists (``feats``: (story ids, weight) per feature; idfs are >= 1) it is in (ties:
    the smaller id): exactly what reading every list in full gives, the same floating-point
    sums included, without reading the longest lists in full when the ranking does not need them.

    A threshold algorithm: lists are read shortest first.  A story in none of the lists read so
    far has a vote of at most ``rest``, the summed weight of the lists not read; once ``limit``
    stories have partial votes above ``rest``, no such story can be among the first ``limit``.
    Nor can a story read so far whose partial vote plus ``rest`` is below the ``limit``-th
    partial vote.  The votes of the others are summed over every list by membership, in the
    order of ``feats`` (as a full read sums them), and ranked.  The common features of news
    (a capital, a government, "police") have the longest lists and the smallest weights: they
    are the ones left unread once a few rare names have found the article's stories."""
    if sum(len(p) for p, _ in feats) <= READ_ALL or any(w < 0 for _, w in feats):
        return _ranked(_votes_in_full(feats), limit)
    order = sorted(range(len(feats)), key=lambda i: (len(feats[i][0]), i))
    partial: dict[str, float] = {}
    kth = read = 0.0
    for n, i in enumerate(order):
        _add(partial, *feats[i])
        read += feats[i][1]             # no partial vote exceeds the sum of the weights read
        rest = sum(feats[j][1] for j in order[n + 1:])
        if len(partial) >= limit and read * (1 + _MARGIN) > rest * (1 + _MARGIN) + _MARGIN:
            kth = heapq.nlargest(limit, partial.values())[-1]
            if kth > rest * (1 + _MARGIN) + _MARGIN:
                break
    else:                               # every list read: the plain sums (in the order of ``feats``)
        return _ranked(_votes_in_full(feats), limit)
    floor = kth * (1 - _MARGIN) - _MARGIN - rest * (1 + _MARGIN)
    votes = dict.fromkeys((sid for sid, v in partial.items() if v >= floor), 0)
    for posts, w in feats:             # each vote summed in the order of ``feats``, as a full read
        if len(posts) < len(votes):    # whichever side is smaller is walked
            for sid in posts:
                if sid in votes:
                    votes[sid] += w
        else:
            for sid in votes:
                if sid in posts:
                    votes[sid] += w
    return _ranked(votes, limit)


def _votes_in_full(feats: list[tuple[Collection[str], float]]) -> dict[str, float]:
    votes: dict[str, float] = {}
    for posts, w in feats:
        _add(votes, posts, w)
    return votes


def _add(votes: dict[str, float], posts: Collection[str], w: float) -> None:
    """``votes[sid] += w`` (from 0) for each story of ``posts``; a set's new stories are added
    in one C-level update (0 + w is w: the same sums)."""
    if isinstance(posts, (set, frozenset)) and len(posts) > 8:
        new = posts.difference(votes)
        for sid in votes.keys() & posts:
            votes[sid] += w
        votes.update(dict.fromkeys(new, w))
    else:
        for sid in posts:
            votes[sid] = votes.get(sid, 0) + w


def _ranked(votes: dict[str, float], limit: int) -> list[str]:
    """The ``limit`` first of ``votes`` by (-vote, id): the ``limit``-th largest vote found
    first (a plain heap of floats), then only the stories at or above it sorted."""
    if len(votes) > limit:
        kth = heapq.nlargest(limit, votes.values())[-1]
        votes = {sid: v for sid, v in votes.items() if v >= kth}
    return [sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


class StoryIndex:
    """Document frequencies (the idfs), story signatures and an inverted index for candidates."""

    def __init__(self, params: ClusterParams = DEFAULT_PARAMS) -> None:
        self.params = params
        self.n_docs = 0
        self.df_terms: Counter = Counter()
        self.df_ents: Counter = Counter()
        self.df_title: Counter = Counter()
        self.df_etok: Counter = Counter()
        # the same document frequencies of terms, entity name tokens and headline words, by
        # feature id (:mod:`vocab`: what the score bounds read)
        self.vocab_terms, self.vocab_etok, self.vocab_title = Vocab(), Vocab(), Vocab()
        self.sigs: dict[str, StorySignature] = {}           # story id -> signature (open and closed)
        self.closed: set[str] = set()
        self.postings: dict[str, set[str]] = {}   # "e:key" / "t:term" -> story ids
        # story id -> the features it was posted under.  Kept apart from the signature: an open
        # story's signature is its record's, changed in place as articles come and go, so the
        # features to un-post cannot be re-derived from it (they are what was posted, not what
        # the signature holds now).
        self.posted: dict[str, frozenset[str]] = {}
        self.members: dict[str, list] = {}        # open story id -> [(entity keys, title words)] per article
        self._idf_memo: dict[int, dict[str, float]] = {}
        self._rarest_memo: dict[str, str] = {}
        self._token_idf_memo: dict[str, float] = {}
        # how many ``observe`` calls so far: what was computed from the idfs is valid while it stays
        self.generation = 0
        self.top: dict[str, Top] = {}             # story id -> its heaviest (terms, entities)
        self.sides: dict[str, StorySide] = {}     # story id -> what its score bound needs (bounds.py)
        self.postings_version = 0                 # how many ``put``/``drop`` calls so far
        # the last ``candidates`` call: ((generation, postings version, id of the signature),
        # the signature, its limit, its ranking); a call with no larger limit on the same index
        # state (the merge check after the placement) takes its prefix
        self._last_candidates: Optional[tuple] = None

    # -- document frequencies
    def observe(self, art_sig: ArticleSignature, sign: int = 1) -> None:
        self._idf_memo.clear()              # every cached value below depends on the idfs
        self._rarest_memo.clear()
        self._token_idf_memo.clear()
        self.generation += 1
        self.n_docs += sign
        for k in art_sig.entities:
            self.df_ents[k] += sign
        for t in art_sig.terms:
            self.df_terms[t] += sign
        for t in art_sig.title:
            self.df_title[t] += sign
        etok = {t for k in art_sig.entities for t in k.split()}
        for t in etok:
            self.df_etok[t] += sign
        self.vocab_terms.add(art_sig.terms, sign)
        self.vocab_title.add(art_sig.title, sign)
        self.vocab_etok.add(etok, sign)
        if sign < 0:                       # forget features no indexed article has any more
            for df, keys in ((self.df_ents, art_sig.entities), (self.df_terms, art_sig.terms),
                             (self.df_title, art_sig.title), (self.df_etok, etok)):
                for k in keys:
                    if df.get(k, 1) <= 0:
                        del df[k]
            self._renumber()

    def _renumber(self) -> None:
        """New feature ids (:mod:`vocab`) once a vocabulary has grown to more than twice the
        features still counted, and the stories' bound sides re-made with them (from the same
        ``top`` and article count: the same sides)."""
        if not any(v.renumbered(df) for v, df in ((self.vocab_terms, self.df_terms),
                                                   (self.vocab_etok, self.df_etok),
                                                   (self.vocab_title, self.df_title))):
            return
        self.vocab_terms, self.vocab_etok = Vocab(self.df_terms), Vocab(self.df_etok)
        self.vocab_title = Vocab(self.df_title)
        for sid, side in self.sides.items():
            self.sides[sid] = story_side(self.top[sid], self.sigs[sid].title, side[0], *self.vocabs())

    def vocabs(self) -> tuple[Vocab, Vocab, Vocab]:
        """The feature ids of terms, entity name tokens and headline words (:mod:`vocab`)."""
        return self.vocab_terms, self.vocab_etok, self.vocab_title

    def idf(self, df: Counter, k: str) -> float:
        # memoised until the next ``observe`` (scoring one article against ~tens of stories and
        # their members asks for the same few hundred values millions of times)
        memo = self._idf_table(df)
        v = memo.get(k)
        if v is None:
            v = memo[k] = self._idf_fresh(df, k)
        return v

    def _idf_table(self, df: Counter) -> dict[str, float]:
        memo = self._idf_memo.get(id(df))
        if memo is None:
            memo = self._idf_memo[id(df)] = {}
        return memo

    def _idf_fresh(self, df: Counter, k: str) -> float:
        return math.log((self.n_docs + 1) / (df.get(k, 0) + 1)) + 1.0

    def weighted(self, df: Counter, items: Iterable[tuple[str, float]]) -> dict[str, float]:
        """``{k: v * idf(k)}``: :meth:`idf` for many keys at once (one memo lookup per key
        instead of a call: the story side of a score weights hundreds of terms)."""
        memo = self._idf_table(df)
        out = {}
        for k, v in items:
            w = memo.get(k)
            if w is None:
                w = memo[k] = self._idf_fresh(df, k)
            out[k] = v * w
        return out

    # -- stories
    def put(self, sid: str, sig: StorySignature, closed: bool = False, members: Optional[list] = None) -> None:
        self.drop(sid)
        self.postings_version += 1
        self.sigs[sid] = sig
        top = self.top[sid] = top_features(sig, self.params)
        self.sides[sid] = story_side(top, sig.title, sig.articles, *self.vocabs())
        if members:
            self.members[sid] = members
        if closed:
            self.closed.add(sid)
        posted = self.posted[sid] = frozenset(self._features(sig))
        for f in posted:
            self.postings.setdefault(f, set()).add(sid)

    def drop(self, sid: str) -> None:
        self.postings_version += 1
        self.sigs.pop(sid, None)
        self.top.pop(sid, None)
        self.sides.pop(sid, None)
        self.closed.discard(sid)
        self.members.pop(sid, None)
        for f in self.posted.pop(sid, ()):
            s = self.postings.get(f)
            if s is not None:
                s.discard(sid)
                if not s:
                    del self.postings[f]

    def consistency_errors(self) -> list[str]:
        """What breaks the index's invariants (empty when consistent): every posted story is
        indexed, and posted under exactly its features; views, members and closed marks only for
        indexed stories."""
        errors = []
        for f, sids in self.postings.items():
            errors += [f"{f} lists {sid}, which is not indexed" for sid in sids if sid not in self.sigs]
            errors += [f"{f} lists {sid}, not posted under it" for sid in sids
                       if sid in self.sigs and f not in self.posted.get(sid, ())]
        for sid, feats in self.posted.items():
            errors += [f"{sid} missing from {f}" for f in feats if sid not in self.postings.get(f, ())]
        for name, keys in (("posted", self.posted), ("top", self.top), ("sides", self.sides), ("members", self.members),
                           ("closed", self.closed)):
            errors += [f"{name} has {sid}, which is not indexed" for sid in keys if sid not in self.sigs]
        errors += [f"{sid} has no posting record" for sid in self.sigs if sid not in self.posted]
        return errors

    @staticmethod
    def _features(sig: StorySignature) -> Iterable[str]:
        yield from ("e:" + k for k in sig.entities)
        yield from ("t:" + k for k in sig.terms)

    def candidates(self, art_sig: ArticleSignature, limit: Optional[int] = None) -> list[str]:
        """Stories sharing an entity or one of the article's ``candidate_terms`` most distinctive
        terms, the ``limit`` (default ``max_candidates``) with the most idf-weighted shared
        features (cheap pre-ranking; ties: the smaller id).  The posting lists are read
        shortest first and the longest only as far as that ranking needs (:func:`top_voted`).
        The ranking is a total order (votes, then ids), so the ``limit`` first of a longer
        ranking on the same index state are this ranking: the last call's is reused."""
        top_terms = self.params.candidate_terms
        limit = self.params.max_candidates if limit is None else limit
        key = (self.generation, self.postings_version, id(art_sig))
        last = self._last_candidates
        if last is not None and last[0] == key and last[1] is art_sig and limit <= last[2]:
            return last[3][:limit]
        feats = [(self.postings.get("e:" + k, ()), self.idf(self.df_ents, k)) for k in art_sig.entities]
        idf = {t: self.idf(self.df_terms, t) for t in art_sig.terms}
        ranked = sorted(art_sig.terms, key=lambda t: (-(1 + math.log(art_sig.terms[t])) * idf[t], t))
        feats += [(self.postings.get("t:" + t, ()), idf[t]) for t in ranked[:top_terms]]
        out = top_voted(feats, limit)
        self._last_candidates = (key, art_sig, limit, out)
        return list(out)

    def forget_candidates(self) -> None:
        """Drop the kept ranking of the last ``candidates`` call, so the next call computes it
        afresh (the bench times retrieval this way)."""
        self._last_candidates = None

    def rarest(self, key: str) -> str:
        """The name token of an entity key that the fewest articles share (its most specific)."""
        memo = self._rarest_memo
        r = memo.get(key)
        if r is None:
            r = memo[key] = max(key.split(), key=lambda t: (self.idf(self.df_etok, t), t))
        return r

    def token_idf(self, key: str) -> float:
        """The idf of an entity key's rarest name token (memoised until the next ``observe``)."""
        memo = self._token_idf_memo
        v = memo.get(key)
        if v is None:
            v = memo[key] = self.idf(self.df_etok, self.rarest(key))
        return v
