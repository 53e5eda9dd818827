"""The index of stories: document frequencies learned online, each story's signature and an
inverted index from features (entities, body terms) to the stories holding them, from which
an arriving article's candidate stories come.

The document frequencies count the articles of indexed stories only (open stories and closed
ones inside the engine's reopen window), so the idfs reflect recent news.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Optional

from services.aggregator.bounds import StorySide, story_side
from services.aggregator.params import DEFAULT_PARAMS, ClusterParams
from services.aggregator.postings import Postings
from services.aggregator.signature import ArticleSignature, StorySignature, Top, top_features
from services.aggregator.vocab import Vocab


# memoised rarest tokens kept at most (then forgotten at once): a memory bound, not a knob
RAREST_MEMO_MAX = 1 << 18


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
        self.postings = Postings()                # "e:key" / "t:term" -> story numbers (postings.py)
        # story id -> the features it was posted under.  Kept apart from the signature: an open
        # story's signature is its record's, changed in place as articles come and go, so the
        # features to un-post cannot be re-derived from it (they are what was posted, not what
        # the signature holds now).
        self.posted: dict[str, frozenset[str]] = {}
        self.members: dict[str, list] = {}        # open story id -> [(entity keys, title words)] per article
        self._idf_memo: dict[int, dict[str, float]] = {}
        # idf by document frequency, for the current ``n_docs`` (cleared by ``observe``)
        self._idf_by_df: dict[int, float] = {}
        # entity key -> its rarest name token.  It depends on its tokens' document frequencies
        # only (not on ``n_docs``): an article counted raises its tokens' frequencies, which can
        # change the rarest token only of the keys whose rarest token is one of them, so
        # ``observe`` drops those (``_rarest_keys``: rarest token -> keys memoised with it; may
        # list keys dropped since); an article taken out lowers frequencies: all are dropped
        self._rarest_memo: dict[str, str] = {}
        self._rarest_keys: dict[str, list[str]] = {}
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
        self._idf_by_df.clear()
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
        self._forget_rarest(etok if sign > 0 else None)
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
        d = df.get(k, 0)
        v = self._idf_by_df.get(d)
        return self._idf_of_df(d) if v is None else v

    def _idf_of_df(self, d: int) -> float:
        # memoised by document frequency: a generation has few distinct frequencies, and one
        # formula for every feature gives each idf bit for bit as a per-feature computation would
        v = self._idf_by_df[d] = math.log((self.n_docs + 1) / (d + 1)) + 1.0
        return v

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
        old = self._forget(sid)
        self.postings_version += 1
        self.sigs[sid] = sig
        top = self.top[sid] = top_features(sig, self.params)
        self.sides[sid] = story_side(top, sig.title, sig.articles, *self.vocabs())
        if members:
            self.members[sid] = members
        if closed:
            self.closed.add(sid)
        posted = self.posted[sid] = frozenset(self._features(sig))
        # only what changed is unposted and posted (a story re-put after an article joined keeps
        # most of its features): the same lists as unposting all and posting all
        self.postings.unpost(sid, old - posted)
        self.postings.post(sid, posted - old)

    def drop(self, sid: str) -> None:
        self.postings.unpost(sid, self._forget(sid))
        self.postings.release(sid)

    def _forget(self, sid: str) -> frozenset[str]:
        """Everything indexed of the story but its postings and number (``drop`` unposts them,
        ``put`` re-posts what changed); returns the features it was posted under."""
        self.postings_version += 1
        self.sigs.pop(sid, None)
        self.top.pop(sid, None)
        self.sides.pop(sid, None)
        self.closed.discard(sid)
        self.members.pop(sid, None)
        return self.posted.pop(sid, frozenset())

    def consistency_errors(self) -> list[str]:
        """What breaks the index's invariants (empty when consistent): every posted story is
        indexed, and posted under exactly its features; views, members and closed marks only for
        indexed stories."""
        errors = self.postings.consistency_errors()
        postings = self.postings.as_sets()
        for f, sids in postings.items():
            errors += [f"{f} lists {sid}, which is not indexed" for sid in sids if sid not in self.sigs]
            errors += [f"{f} lists {sid}, not posted under it" for sid in sids
                       if sid in self.sigs and f not in self.posted.get(sid, ())]
        for sid, feats in self.posted.items():
            errors += [f"{sid} missing from {f}" for f in feats if sid not in postings.get(f, ())]
        for name, keys in (("posted", self.posted), ("top", self.top), ("sides", self.sides), ("members", self.members),
                           ("closed", self.closed)):
            errors += [f"{name} has {sid}, which is not indexed" for sid in keys if sid not in self.sigs]
        errors += [f"{sid} has no posting record" for sid in self.sigs if sid not in self.posted]
        errors += [f"{sid} numbered, not indexed" for sid in self.postings.number if sid not in self.sigs]
        return errors

    @staticmethod
    def _features(sig: StorySignature) -> Iterable[str]:
        yield from ("e:" + k for k in sig.entities)
        yield from ("t:" + k for k in sig.terms)

    def candidates(self, art_sig: ArticleSignature, limit: Optional[int] = None) -> list[str]:
        """Stories sharing an entity or one of the article's ``candidate_terms`` most distinctive
        terms, the ``limit`` (default ``max_candidates``) with the most idf-weighted shared
        features (cheap pre-ranking; ties: the smaller id; :meth:`Postings.top`).  The ranking
        is a total order (votes, then ids), so the ``limit`` first of a longer ranking on the
        same index state are this ranking: the last call's is reused."""
        limit = self.params.max_candidates if limit is None else limit
        key = (self.generation, self.postings_version, id(art_sig))
        last = self._last_candidates
        if last is not None and last[0] == key and last[1] is art_sig and limit <= last[2]:
            return last[3][:limit]
        out = self.postings.top(self.retrieval_features(art_sig), limit)
        self._last_candidates = (key, art_sig, limit, out)
        return list(out)

    def retrieval_features(self, art_sig: ArticleSignature) -> list[tuple[str, float]]:
        """The features retrieval looks up, with their weights: the article's entities and its
        ``candidate_terms`` most distinctive terms (by log count x idf; ties: the term)."""
        feats = [("e:" + k, self.idf(self.df_ents, k)) for k in art_sig.entities]
        idf = {t: self.idf(self.df_terms, t) for t in art_sig.terms}
        ranked = sorted(art_sig.terms, key=lambda t: (-(1 + math.log(art_sig.terms[t])) * idf[t], t))
        feats += [("t:" + t, idf[t]) for t in ranked[:self.params.candidate_terms]]
        return feats

    def forget_candidates(self) -> None:
        """Drop the kept ranking of the last ``candidates`` call, so the next call computes it
        afresh (the bench times retrieval this way)."""
        self._last_candidates = None

    def rarest(self, key: str) -> str:
        """The name token of an entity key that the fewest articles share (its most specific;
        ties: the largest token).  The idf is strictly decreasing in the document frequency
        whatever ``n_docs`` is, so this is the lowest frequency at every generation: memoised
        until a frequency it depends on changes (``_forget_rarest``)."""
        memo = self._rarest_memo
        r = memo.get(key)
        if r is None:
            if len(memo) >= RAREST_MEMO_MAX:
                self._forget_rarest(None)
            r = memo[key] = max(key.split(), key=lambda t: (self.idf(self.df_etok, t), t))
            self._rarest_keys.setdefault(r, []).append(key)
        return r

    def _forget_rarest(self, raised: Optional[Iterable[str]]) -> None:
        """Drop the memoised rarest tokens that may have changed: those of the keys whose rarest
        token is one of ``raised`` (name tokens whose frequency rose by one: for any other key
        that token was already no rarer than its rarest, and is less rare now); all when None
        (frequencies fell)."""
        memo, keys = self._rarest_memo, self._rarest_keys
        if raised is None:
            memo.clear()
            keys.clear()
            return
        for t in raised:
            for k in keys.pop(t, ()):
                if memo.get(k) == t:
                    del memo[k]

    def token_idf(self, key: str) -> float:
        """The idf of an entity key's rarest name token."""
        return self.token_idfs((key,))[0]

    def token_idfs(self, keys: Iterable[str]) -> list[float]:
        """:meth:`token_idf` of each key (the rarest tokens memoised, the idfs by document
        frequency: the same values as :meth:`idf` of the rarest token)."""
        memo, df, by_df = self._rarest_memo, self.df_etok, self._idf_by_df
        out = []
        for key in keys:
            r = memo.get(key)
            if r is None:
                r = self.rarest(key)
            d = df.get(r, 0)
            v = by_df.get(d)
            out.append(self._idf_of_df(d) if v is None else v)
        return out
