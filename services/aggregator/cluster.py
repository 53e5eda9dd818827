"""Online story clustering.

Every story keeps a JSON-able *signature*: sums over its articles of entity
salience weights, log term frequencies, title words, own dates, publication
days and quote shingles (all exactly reversible, so a revision subtracts what
it added).  An arriving article is scored against candidate stories (sharing
an entity or one of its most distinctive terms, via an inverted index):

    score = [w_entities cos(entity name tokens) + w_terms cos(body terms) + w_title cos(title words)]
              / size_scale(n)
            + w_quote * share of one of its quotes already in the story
            - conflict penalty - time penalty - own-date conflict
            + w_member * (best-member similarity - member_base)      (open stories)

* Vectors are weighted by inverse document frequencies learned online, so
  names many articles share count little and the names that identify an event
  count much.  Entities are compared as weighted *name tokens* (robust to
  "Brian G Nichols" vs "Brian Nichols" or a role word glued to a name).
* ``size_scale`` divides by the expected cosine of an own-story article with a
  centroid of ``n`` articles (a singleton centroid is noisier than a large one).
* Conflict: two events of one kind differ in who / where / at which site / which
  organisation.  For each class, the article's salient entity absent from the story is set
  against the story's core entity (in >= half its articles) absent from the
  article; the penalty is conflict_penalty x the smaller relative salience (x half for
  organisations, named in passing more often than people and places: ``class_weight``).
  A name is present on the other side when its rarest token or its acronym is ("IMF" /
  "International Monetary Fund").
* Time: the penalty grows with the smallest gap (days) between the article's and the
  story's publication days, saturating at time_penalty_max.  The dates a text merely
  mentions are not compared: most are background ("the 2008 election", "hired in May
  2005"), and reports of one story weeks apart (a rule, then its reversal) would lose much
  of their score to them; an event's own date is the evidence (next point).
* Own date: an article's own date (``ArticleEntities.own_date``: a dateline, or the
  event's date in the lead; never a future-tense or post-publication date); when the
  story's articles carry own dates, the share of them more than date_conflict_days from
  the article's costs up to date_conflict_penalty (two events of one kind months or
  years apart).
* Best member (open stories): w_member x (similarity of entity name tokens and
  title words to the most similar member - member_base), a single-link term
  that keeps a story's sub-threads joinable and lets a weak centroid match fail
  when no member really resembles the article.  Closed stories (light
  signatures) are scored on the centroid only.

The article joins the best story when the score reaches the engine's
``match_threshold``; otherwise it starts a new story.

Split (``ClusterIndex.bisect``): a placement is final only as far as the evidence goes.
A report of a sister event that arrives while a story has one or two articles can join it
(nothing is core yet, so nothing conflicts), and the mixed story then looks coherent to every
later article.  So a small story is re-checked as it grows: its members are divided in two by
a leave-one-out 2-means on these same scores (from two starts: seeds, and average-link
halves that keep loose reports from deciding the division), and the story is split when each
side has at least split_min_side distinct texts (wire copies count once: ``copies``) and the
sides' mean score against each other plus how much their headlines share
(``headline_cross``) is below split_threshold: two clubs' offers to one player share every
name in the body, not the headline; one event's reports share their headlines even when
their bodies differ.
"""
from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from datetime import date
from typing import Callable, Iterable, Mapping, Optional

from schemas.models import ArticleEntities, ArticleQuotes

from services.aggregator.entities import entity_key
from services.aggregator.params import DEFAULT_PARAMS, ClusterParams
from services.aggregator.quotes import MIN_STATEMENT, normalise

_TITLE_WORD = re.compile(r"[a-z][a-z']+|\d+(?:[.,]\d+)*")
_STOP = frozenset("""a an and are as at be been but by for from has have he her his in into is it its
of on or she that the their they this to was were will with who after over says said say new""".split())


def _stem(w: str) -> str:
    for suf in ("ies", "es", "s", "ing", "ed"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)] + ("y" if suf == "ies" else "")
    return w


def title_words(title: str) -> list[str]:
    return sorted({_stem(w) for w in _TITLE_WORD.findall(title.casefold().replace("’", "'")) if w not in _STOP})


# ---------------------------------------------------------------- article signature
def quote_shingles(texts: Iterable[str], n: int = 4) -> list[list[str]]:
    """Word 4-gram shingles of each quote long enough to be a statement."""
    out = []
    for t in texts:
        toks = normalise(t)
        if len(toks) >= MIN_STATEMENT:
            out.append(sorted({" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}))
    return out


def article_signature(ents: ArticleEntities, quotes: Optional[ArticleQuotes] = None,
                      params: ClusterParams = DEFAULT_PARAMS) -> dict:
    """What clustering needs from one article (JSON-able; kept in the article record)."""
    sal: dict[str, dict] = {}
    for e in ents.entities:
        tw = params.type_weight.get(e.type)
        k = entity_key(e.name)
        if not tw or not k:
            continue
        w = tw * (1.0 + math.log(max(1, len(e.mentions)))) * (params.title_entity_boost if e.in_title else 1.0)
        cur = sal.get(k)
        if cur is None or w > cur["w"]:
            sal[k] = {"w": round(w, 6), "t": e.type}
    terms = {t: c for t, c in ents.terms.items() if c > 0}
    return {"ents": sal, "terms": terms, "title": title_words(ents.article.title),
            "d0": [ents.own_date] if ents.own_date else [],
            "pub": [when.date().isoformat()] if (when := ents.article.published or ents.article.produced_at) else [],
            "quotes": quote_shingles((q.text for q in quotes.quotes), params.shingle_words) if quotes is not None else []}


def add_signature(story_sig: dict, art_sig: dict, sign: int = 1) -> None:
    """Add/subtract an article signature to a story signature (sums, exactly reversible)."""
    story_sig["n"] = story_sig.get("n", 0) + sign
    ents = story_sig.setdefault("ents", {})
    for k, e in art_sig["ents"].items():
        rec = ents.setdefault(k, {"w": 0.0, "n": 0, "ty": {}})
        rec["w"] = round(rec["w"] + sign * e["w"], 6)
        rec["n"] += sign
        rec["ty"][e["t"]] = rec["ty"].get(e["t"], 0) + sign
        if rec["ty"][e["t"]] <= 0:
            del rec["ty"][e["t"]]
        if rec["n"] <= 0:
            del ents[k]
        else:
            rec["t"] = max(rec["ty"].items(), key=lambda kv: (kv[1], kv[0]))[0]   # majority type
    for field, items in (("terms", {t: 1.0 + math.log(c) for t, c in art_sig["terms"].items()}),
                         ("title", dict.fromkeys(art_sig["title"], 1.0)),
                         ("pub", dict.fromkeys(art_sig.get("pub", []), 1.0)),
                         ("d0", dict.fromkeys(art_sig.get("d0", []), 1.0)),
                         ("shingles", dict.fromkeys({sh for q in art_sig.get("quotes", []) for sh in q}, 1.0))):
        d = story_sig.setdefault(field, {})
        for k, v in items.items():
            d[k] = round(d.get(k, 0.0) + sign * v, 6)
            if d[k] <= 1e-9:
                del d[k]


def _heaviest(items: Mapping[str, object], n: int, weight) -> dict:
    if len(items) <= n:
        return dict(items)
    return dict(heapq.nsmallest(n, items.items(), key=lambda kv: (-weight(kv[1]), kv[0])))


def top_features(sig: dict, params: ClusterParams = DEFAULT_PARAMS) -> tuple[dict, dict]:
    """A story's ``story_terms`` heaviest body terms and ``story_entities`` heaviest entities (ties by
    key): what its centroid is scored on.  The long tail of a big story's vocabulary changes
    no decision but costs most of the time (idfs change with every article, so nothing of it
    can be cached across articles)."""
    return (_heaviest(sig.get("terms", {}), params.story_terms, lambda v: v),
            _heaviest(sig.get("ents", {}), params.story_entities, lambda e: e["w"]))


def light_signature(story_sig: dict, params: ClusterParams = DEFAULT_PARAMS) -> dict:
    """A small copy of a story signature kept for matching after the story is closed."""
    n_ents, n_terms, n_shingles = params.light_entities, params.light_terms, params.light_shingles
    ents = dict(sorted(story_sig.get("ents", {}).items(), key=lambda kv: -kv[1]["w"])[:n_ents])
    terms = dict(sorted(story_sig.get("terms", {}).items(), key=lambda kv: -kv[1])[:n_terms])
    return {"n": story_sig.get("n", 0), "ents": ents, "terms": terms,
            "title": dict(story_sig.get("title", {})),
            "pub": dict(story_sig.get("pub", {})), "d0": dict(story_sig.get("d0", {})),
            "shingles": dict(list(story_sig.get("shingles", {}).items())[:n_shingles])}


# ---------------------------------------------------------------- index
class ClusterIndex:
    """Document frequencies, story signatures and an inverted index for candidates."""

    def __init__(self, params: ClusterParams = DEFAULT_PARAMS) -> None:
        self.params = params
        self.n_docs = 0
        self.df_terms: Counter = Counter()
        self.df_ents: Counter = Counter()
        self.df_title: Counter = Counter()
        self.df_etok: Counter = Counter()
        self.sigs: dict[str, dict] = {}           # story id -> signature (open and closed)
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
        # id(article signature) -> (the signature, its view): the article side of scores, valid
        # until the next ``observe`` (holding the signature: its id cannot be reused meanwhile)
        self._art_views: dict[int, tuple[dict, dict]] = {}
        self.top: dict[str, tuple[dict, dict]] = {}   # story id -> its heaviest (terms, entities)

    # -- document frequencies
    def observe(self, art_sig: dict, sign: int = 1) -> None:
        self._idf_memo.clear()              # every cached value below depends on the idfs
        self._rarest_memo.clear()
        self._art_views.clear()
        self.n_docs += sign
        for k in art_sig["ents"]:
            self.df_ents[k] += sign
        for t in art_sig["terms"]:
            self.df_terms[t] += sign
        for t in art_sig["title"]:
            self.df_title[t] += sign
        for t in {t for k in art_sig["ents"] for t in k.split()}:
            self.df_etok[t] += sign
        if sign < 0:                       # forget features no indexed article has any more
            for df, keys in ((self.df_ents, art_sig["ents"]), (self.df_terms, art_sig["terms"]),
                             (self.df_title, art_sig["title"]),
                             (self.df_etok, {t for k in art_sig["ents"] for t in k.split()})):
                for k in keys:
                    if df.get(k, 1) <= 0:
                        del df[k]

    def _idf(self, df: Counter, k: str) -> float:
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

    def _weighted(self, df: Counter, items: Iterable[tuple[str, float]]) -> dict[str, float]:
        """``{k: v * idf(k)}``: :meth:`_idf` for many keys at once (one memo lookup per key
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
    def put(self, sid: str, sig: dict, closed: bool = False, members: Optional[list] = None) -> None:
        self.drop(sid)
        self.sigs[sid] = sig
        self.top[sid] = top_features(sig, self.params)
        if members:
            self.members[sid] = members
        if closed:
            self.closed.add(sid)
        posted = self.posted[sid] = frozenset(self._features(sig))
        for f in posted:
            self.postings.setdefault(f, set()).add(sid)

    def drop(self, sid: str) -> None:
        self.sigs.pop(sid, None)
        self.top.pop(sid, None)
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
        for name, keys in (("posted", self.posted), ("top", self.top), ("members", self.members),
                           ("closed", self.closed)):
            errors += [f"{name} has {sid}, which is not indexed" for sid in keys if sid not in self.sigs]
        errors += [f"{sid} has no posting record" for sid in self.sigs if sid not in self.posted]
        return errors

    @staticmethod
    def _features(sig: dict) -> Iterable[str]:
        yield from ("e:" + k for k in sig.get("ents", {}))
        yield from ("t:" + k for k in sig.get("terms", {}))

    def candidates(self, art_sig: dict, limit: Optional[int] = None) -> list[str]:
        """Stories sharing an entity or one of the article's ``candidate_terms`` most distinctive
        terms, the ``limit`` (default ``max_candidates``) with the most idf-weighted shared
        features (cheap pre-ranking)."""
        top_terms = self.params.candidate_terms
        limit = self.params.max_candidates if limit is None else limit
        votes: Counter = Counter()
        for k in art_sig["ents"]:
            w = self._idf(self.df_ents, k)
            for sid in self.postings.get("e:" + k, ()):
                votes[sid] += w
        idf = {t: self._idf(self.df_terms, t) for t in art_sig["terms"]}
        ranked = sorted(art_sig["terms"], key=lambda t: (-(1 + math.log(art_sig["terms"][t])) * idf[t], t))
        for t in ranked[:top_terms]:
            for sid in self.postings.get("t:" + t, ()):
                votes[sid] += idf[t]
        return [sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]

    # -- scoring
    def score(self, art_sig: dict, sig: dict, top: Optional[tuple[Mapping, Mapping]] = None,
              view: Optional[dict] = None) -> float:
        """Score of an article against a story signature; ``top`` is the story's
        (heaviest terms, heaviest entities) from :func:`top_features` (default: computed);
        ``view``: the story's :meth:`story_view` (default: computed)."""
        p = self.params
        v = view if view is not None else self.story_view(sig, top)
        a = self._article_view(art_sig)
        s = (p.w_entities * _cos(a["ea"], v["es"], a["ea_norm"], v["es_norm"])
             + p.w_terms * _cos(a["ta"], v["ts"], a["ta_norm"], v["ts_norm"])
             + p.w_title * _cos(a["ha"], v["hs"], a["ha_norm"], v["hs_norm"]))
        time_pen = (_time_penalty(art_sig.get("pub", []), sig.get("pub", {}), p)
                    + _date_conflict(art_sig.get("d0", []), sig.get("d0", {}), p))
        return (s / size_scale(v["n"], p.rho) + p.w_quote * _quote_overlap(art_sig, sig)
                - self._conflict(art_sig, v) - time_pen)

    def story_view(self, sig: dict, top: Optional[tuple[Mapping, Mapping]] = None) -> dict:
        """The story side of every score: idf-weighted vectors of its heaviest features and
        the salience of its entities (valid until the next ``observe``)."""
        n = max(1, sig.get("n", 1))
        terms, ents = top if top is not None else top_features(sig, self.params)
        es = self._ent_tokens(ents, 1.0 / n)
        ts = self._weighted(self.df_terms, terms.items())
        hs = self._weighted(self.df_title, sig.get("title", {}).items())
        return {"n": n, "ents": ents, "es": es, "ts": ts, "hs": hs,
                "es_norm": _norm(es), "ts_norm": _norm(ts), "hs_norm": _norm(hs),
                "toks": _name_tokens(sig.get("ents", {})),
                "sal": {k: e["w"] / n * self._tok_idf(k) for k, e in ents.items() if e["t"] in self.params.entity_class}}

    def _article_view(self, art_sig: dict) -> dict:
        """The article side of every score: the same for all candidate stories until the next
        ``observe`` changes the idfs (cached until then: the article placed, the members of a
        story being checked for a split)."""
        hit = self._art_views.get(id(art_sig))
        if hit is not None and hit[0] is art_sig:
            return hit[1]
        ea = self._ent_tokens(art_sig["ents"], 1.0)
        ta = {t: (1 + math.log(c)) * self._idf(self.df_terms, t) for t, c in art_sig["terms"].items()}
        ha = {t: self._idf(self.df_title, t) for t in art_sig["title"]}
        sal = {k: e["w"] * self._tok_idf(k) for k, e in art_sig["ents"].items()
               if e["t"] in self.params.entity_class}
        view = {"ea": ea, "ta": ta, "ha": ha, "ea_norm": _norm(ea), "ta_norm": _norm(ta), "ha_norm": _norm(ha),
                "sal": sal, "toks": _name_tokens(art_sig["ents"]),
                "rarest": {k: self._rarest(k) for k in sal}}
        if len(self._art_views) >= ART_VIEWS_MAX:
            self._art_views.clear()
        self._art_views[id(art_sig)] = (art_sig, view)
        return view

    def _ent_tokens(self, ents: Mapping[str, dict], scale: float) -> dict[str, float]:
        """Entity names as weighted name tokens: robust to "Brian G Nichols" vs "Brian Nichols"."""
        out: dict[str, float] = {}
        for k, e in ents.items():
            toks = k.split()
            for t in toks:
                out[t] = out.get(t, 0.0) + scale * e["w"] / math.sqrt(len(toks))
        return self._weighted(self.df_etok, out.items())

    def _conflict(self, art_sig: dict, story: dict) -> float:
        """Two events of one kind differ in who/where/which organisation: penalise when, for one
        entity class, the article has a salient entity the story lacks AND the story has a core
        entity (in at least half of its articles) the article lacks.

        Salience is relative (weight x idf of the entity's most specific name token, over the
        side's maximum), so the penalty is ``conflict_penalty * max over classes of
        class_weight[class] * min(article-side salience, story-side salience x share)``.
        ``story``: the story's :meth:`story_view` (its heaviest entities, see
        :func:`top_features`)."""
        p = self.params
        entity_class = p.entity_class
        n, s_ents, s_sal = story["n"], story["ents"], story["sal"]
        a = self._article_view(art_sig)
        s_toks = story["toks"]
        a_toks, a_sal = a["toks"], a["sal"]
        if not a_sal or not s_sal:
            return 0.0
        a_max, s_max = max(a_sal.values()), max(s_sal.values())
        novel: dict[str, float] = {}
        for k, v in a_sal.items():
            if a["rarest"][k] not in s_toks:
                c = entity_class[art_sig["ents"][k]["t"]]
                novel[c] = max(novel.get(c, 0.0), v / a_max)
        worst = 0.0
        for k, v in s_sal.items():
            c = entity_class[s_ents[k]["t"]]
            share = s_ents[k]["n"] / n
            if (c in novel and share >= p.core_share and self._rarest(k) not in a_toks
                    and acronym(k) not in a_toks):
                worst = max(worst, p.class_weight[c] * min(novel[c], share * v / s_max))
        return p.conflict_penalty * worst

    def _rarest(self, key: str) -> str:
        memo = self._rarest_memo
        r = memo.get(key)
        if r is None:
            r = memo[key] = max(key.split(), key=lambda t: (self._idf(self.df_etok, t), t))
        return r

    def _tok_idf(self, key: str) -> float:
        return self._idf(self.df_etok, self._rarest(key))

    def member_vec(self, keys: Iterable[str], title: Iterable[str]) -> dict[str, float]:
        """One article as idf-weighted entity name tokens and title words (for :meth:`member_sim`)."""
        v = {"e:" + t: self._idf(self.df_etok, t) for k in keys for t in k.split()}
        v.update(("h:" + t, self._idf(self.df_title, t)) for t in title)
        return v

    def member_sim(self, art_sig: dict, members: list, view: Optional[dict] = None) -> float:
        """Similarity (entity name tokens and title words, idf-weighted) to the most similar member.
        ``view``: the story's cached view, which then keeps the members' vectors for later calls."""
        a = self.member_vec(art_sig["ents"], art_sig["title"])
        if view is None:
            return max((_cos(a, self.member_vec(k, tw)) for k, tw in members), default=0.0)
        vecs = view.get("member_vecs")
        if vecs is None:
            vecs = view["member_vecs"] = [(v, _norm(v)) for v in (self.member_vec(k, tw) for k, tw in members)]
        a_norm = _norm(a)
        return max((_cos(a, v, a_norm, n) for v, n in vecs), default=0.0)

    def bisect(self, sigs: Mapping[str, dict]) -> Optional[tuple[list[str], list[str], float]]:
        """Does a story hold two events?  ``sigs``: its members' article signatures.

        Likeness of two members: the mean of both directions' score of one against the other
        as a one-article story.  Two starting divisions:

        * seeds: the member that scores lowest against the story, and the member least like
          it; every other member goes to the seed it is more like;
        * average-link halves (:meth:`_average_link_halves`): the two groups of members that stay
          apart longest when the most alike groups are merged first, loose reports joining
          the half they are more like.

        Each is then refined on the clustering score itself: round by round, every member goes
        to the side it scores higher against (its own side without itself: a leave-one-out
        2-means), until nothing moves.  The refined division with the lower ``cross`` wins
        (seeded from a loose report, the first start divides "that report and a few like it"
        from the rest, a side too small to split, and a mix of a sharp event and a loose
        sister event would be missed).
        Returns ``(side A, side B, cross)`` when both sides have ``split_min_side`` members,
        ``cross`` (the larger of the two sides' mean score against the other) plus the sides'
        :meth:`headline_cross` is below ``split_threshold`` (neither side would readily join the
        other as a story, and the less so the less their headlines share), and the sides are
        not one story by the merge's measure (:meth:`mutual` below ``merge_threshold``, so a
        split is never undone by a merge nor a merge by a split); else None.  Deterministic:
        ties go by article id.  Each score is what :meth:`best` would give the article against
        that side as an open story (centroid and best-member terms)."""
        prm = self.params
        ids = sorted(sigs)
        copy_of = copies(sigs, prm)
        if len(set(copy_of.values())) < 2 * prm.split_min_side:
            return None
        vec = {a: self.member_vec(sigs[a]["ents"], sigs[a]["title"]) for a in ids}
        norm = {a: _norm(v) for a, v in vec.items()}
        msim = {(a, b): _cos(vec[a], vec[b], norm[a], norm[b]) for a in ids for b in ids}

        def score(a: str, sig: dict, rest: list[str], view: Optional[dict] = None) -> float:
            s = self.score(sigs[a], sig, view=view)
            if prm.w_member and rest:
                s += prm.w_member * (max(msim[a, b] for b in rest) - prm.member_base)
            return s

        # likeness of every two members (each article's and each one-article story's view built once)
        single = {b: _story_of([sigs[b]]) for b in ids}
        sviews = {b: self.story_view(single[b]) for b in ids}
        to = {(a, b): score(a, single[b], [b], sviews[b]) for b in ids for a in ids if a != b}
        like = {(a, b): (to[a, b] + to[b, a]) / 2 for a, b in to}

        def least_like(x: str) -> str:
            return min((a for a in ids if a != x), key=lambda a: (like[a, x], a))

        def seeded(p: str, q: str) -> dict[str, int]:
            return {a: 0 if a == p or (a != q and like[a, p] >= like[a, q]) else 1 for a in ids}

        whole = _story_of(sigs[a] for a in ids)
        view = self.story_view(whole)
        p = min(ids, key=lambda a: (score(a, whole, [b for b in ids if b != a], view), a))
        starts = [seeded(p, least_like(p))]
        halves = self._average_link_halves(ids, like, prm.split_min_side)
        if halves is not None:
            starts.append(halves)

        found: dict[tuple[str, ...], tuple[float, float, list[list[str]]]] = {}
        for side in starts:
            groups = self._refine(sigs, ids, side, score, copy_of)
            if groups is None:
                continue
            key = tuple(min(groups))
            if key in found:
                continue
            sides = [[sigs[a] for a in g] for g in groups]
            both = (self._side_score(sides[0], sides[1]), self._side_score(sides[1], sides[0]))
            found[key] = (max(both), min(both), groups)
        if not found:
            return None
        cross, mutual, groups = min(found.values(), key=lambda t: (t[0], min(t[2])))
        if mutual >= prm.merge_threshold:
            return None                          # one story by the merge's measure: never split what it would join
        if cross + self.headline_cross([sigs[a] for a in groups[0]], [sigs[a] for a in groups[1]]) \
                >= prm.split_threshold:
            return None
        return groups[0], groups[1], cross

    def headline_cross(self, xs: list[dict], ys: list[dict]) -> float:
        """How much two groups of articles share their headlines: the larger of the two sides'
        mean cosine (idf-weighted title words) of an article's title with the other side's
        title words."""
        def side(a: list[dict], b: list[dict]) -> float:
            hs = self._weighted(self.df_title, Counter(w for y in b for w in y["title"]).items())
            hn = _norm(hs)
            return sum(_cos(v["ha"], hs, v["ha_norm"], hn) for v in map(self._article_view, a)) / len(a)
        return max(side(xs, ys), side(ys, xs))

    @staticmethod
    def _average_link_halves(ids: list[str], like: Mapping[tuple[str, str], float],
                             min_side: int) -> Optional[dict[str, int]]:
        """Average-link agglomeration on member likeness, stopped at the last step with two groups
        of at least ``min_side`` members: those two are the halves, and every smaller group
        (loose reports, outliers) goes to the half it is on average more like."""
        groups = [[a] for a in ids]

        def avg(g: list[str], h: list[str]) -> float:
            return sum(like[a, b] for a in g for b in h) / (len(g) * len(h))

        last = None
        while len(groups) > 1:
            big = sorted((g for g in groups if len(g) >= min_side), key=lambda g: (-len(g), g))
            if len(big) >= 2:
                last = (big[0], big[1], [g for g in groups if g is not big[0] and g is not big[1]])
            i, j = max(((i, j) for i in range(len(groups)) for j in range(i + 1, len(groups))),
                       key=lambda ij: (avg(groups[ij[0]], groups[ij[1]]), [-k for k in ij]))
            groups[i] = sorted(groups[i] + groups[j])
            del groups[j]
        if last is None:
            return None
        a_half, b_half, rest = last
        side = dict.fromkeys(a_half, 0) | dict.fromkeys(b_half, 1)
        for g in rest:
            k = 0 if avg(g, a_half) >= avg(g, b_half) else 1
            side.update(dict.fromkeys(g, k))
        return side

    def _refine(self, sigs: Mapping[str, dict], ids: list[str], side: dict[str, int],
                score, copy_of: Mapping[str, str]) -> Optional[list[list[str]]]:
        """Leave-one-out 2-means from ``side`` (member -> 0/1) on ``score``; the two sides, or
        None once a side has fewer than split_min_side distinct texts (``copy_of``: member ->
        its text's first member, see :func:`copies`)."""
        def distinct(g: list[str]) -> int:
            return len({copy_of[a] for a in g})

        p = self.params
        for _ in range(p.split_rounds):
            groups = [[a for a in ids if side[a] == k] for k in (0, 1)]
            if min(map(distinct, groups)) < p.split_min_side:
                return None
            sums = [_story_of([sigs[a] for a in g]) for g in groups]
            gviews = [self.story_view(sm) for sm in sums]
            moved = {}
            for a in ids:
                s = []
                for k in (0, 1):
                    rest = [b for b in groups[k] if b != a]
                    if side[a] != k:
                        s.append(score(a, sums[k], rest, gviews[k]))
                    else:                       # leave one out: the side without ``a``
                        loo = _copy_sig(sums[k])
                        add_signature(loo, sigs[a], -1)
                        s.append(score(a, loo, rest))
                moved[a] = 0 if s[0] >= s[1] else 1
            if moved == side:
                break
            side = moved
        groups = [[a for a in ids if side[a] == k] for k in (0, 1)]
        return groups if min(map(distinct, groups)) >= p.split_min_side else None

    def mutual(self, a_sigs: list[dict], b_sigs: list[dict]) -> float:
        """How much two stories are one: the lower of the two sides' mean score against the
        other, each article scored as :meth:`best` would score it against the other side as an
        open story (centroid and best-member terms).  ``merge_threshold`` and above: every
        article of each, on average, would have joined the other.  A one-article story against
        a larger one: that article's score only (a lone article is too noisy a centroid to
        score the other side against; it was placed when the other story was smaller)."""
        if len(a_sigs) == 1 < len(b_sigs):
            return self._side_score(a_sigs, b_sigs)
        if len(b_sigs) == 1 < len(a_sigs):
            return self._side_score(b_sigs, a_sigs)
        return min(self._side_score(a_sigs, b_sigs), self._side_score(b_sigs, a_sigs))

    def misplaced(self, sid: str, sigs: Mapping[str, dict], stay: str, threshold: float,
                  allowed: Callable[[str], bool]) -> dict[str, str]:
        """Members of story ``sid`` (``sigs``: its members' signatures) that fit another story
        better: member -> that story, for each member (but ``stay``) whose best score among the
        ``allowed`` other stories reaches ``threshold`` and beats its score against the rest
        of its own story (leave-one-out, as ``bisect`` scores a side), while that score is
        below merge_threshold: a member attached as firmly as two stories that are one event
        stays (moving it between two fragments of one event would only keep them from merging).

        Why: an article joins the best story at the time.  A report that came while its
        event's story was small or not yet started can sit in a sister event's story, which
        the split does not catch while it is fewer than split_min_side reports; once the
        story it belongs to has grown, it scores higher there (a k-means step, member by member)."""
        out: dict[str, str] = {}
        ids = sorted(sigs)
        views: dict[str, dict] = {}
        for m in ids:
            if m == stay:
                continue
            other, s = self.best(sigs[m], lambda c: c != sid and allowed(c), views)
            if other is None or s < threshold:
                continue
            own = self._side_score([sigs[m]], [sigs[a] for a in ids if a != m])
            if own < s and own < self.params.merge_threshold:
                out[m] = other
        return out

    def _side_score(self, xs: list[dict], ys: list[dict]) -> float:
        """The mean score of the articles ``xs`` against the articles ``ys`` as an open story."""
        p = self.params
        sy = _story_of(ys)
        view = self.story_view(sy)
        yv = [self.member_vec(y["ents"], y["title"]) for y in ys]
        yn = [_norm(v) for v in yv]
        total = 0.0
        for x in xs:
            s = self.score(x, sy, view=view)
            if p.w_member:
                xv = self.member_vec(x["ents"], x["title"])
                xn = _norm(xv)
                s += p.w_member * (max(_cos(xv, v, xn, n) for v, n in zip(yv, yn)) - p.member_base)
            total += s
        return total / len(xs)

    def best(self, art_sig: dict, allowed: Optional[Callable[[str], bool]] = None,
             views: Optional[dict[str, dict]] = None) -> tuple[Optional[str], float]:
        """The best-scoring candidate story (among those ``allowed``, default all) and its score
        (ties: the smallest story id, so a replay resolves them the same way).  The
        best-member term is costly (every member of a story) and bounded by
        ``member_bonus_max``: it is computed only for stories whose centroid score could still
        win, in decreasing centroid order (same result as scoring every candidate in full).
        ``views``: a cache of story views (:meth:`story_view`) for several calls between two
        ``observe`` calls."""
        def view(sid: str) -> Optional[dict]:
            if views is None:
                return None
            v = views.get(sid)
            if v is None:
                v = views[sid] = self.story_view(self.sigs[sid], self.top.get(sid))
            return v
        scored = sorted(((self.score(art_sig, self.sigs[sid], self.top.get(sid), view(sid)), sid)
                         for sid in self.candidates(art_sig) if allowed is None or allowed(sid)),
                        key=lambda t: (-t[0], t[1]))
        p = self.params
        bonus_max = p.member_bonus_max
        best_sid, best_s = None, -1.0
        for s, sid in scored:
            if p.w_member and sid in self.members:
                if s + bonus_max < best_s:
                    break                     # neither this story nor any after it can win
                s += p.w_member * (self.member_sim(art_sig, self.members[sid], view(sid)) - p.member_base)
            elif s < best_s:
                continue
            if s > best_s or (s == best_s and best_sid is not None and sid < best_sid):
                best_sid, best_s = sid, s
        return best_sid, best_s


ART_VIEWS_MAX = 256   # article views cached between two ``observe`` calls (one placement, one split check)


def split_due(n: int, params: ClusterParams = DEFAULT_PARAMS) -> bool:
    """Whether a story that has just grown to ``n`` articles is re-checked for two events: from
    twice ``split_min_side`` to ``split_max_members`` articles, at every ``split_every``-th size
    (fewer checks, for the same splits)."""
    p = params
    return 2 * p.split_min_side <= n <= p.split_max_members and n % p.split_every == 0


def copies(sigs: Mapping[str, dict], params: ClusterParams = DEFAULT_PARAMS) -> dict[str, str]:
    """Member -> the first member (by id) whose text it copies: syndicated wire copies and
    re-posts (the same headline words and body terms at cosine ``near_copy`` or more,
    transitively).  A split counts texts, not copies: four copies of one report are one
    report's evidence, and two groups of copies of two reports of one event are not two events."""
    ids = sorted(sigs)
    vecs = {a: {t: 1.0 + math.log(c) for t, c in sigs[a]["terms"].items()} for a in ids}
    norms = {a: _norm(v) for a, v in vecs.items()}
    root = {a: a for a in ids}

    def find(a: str) -> str:
        while root[a] != a:
            a = root[a]
        return a
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if (find(a) != find(b) and sigs[a]["title"] == sigs[b]["title"]
                    and _cos(vecs[a], vecs[b], norms[a], norms[b]) >= params.near_copy):
                root[find(b)] = find(a)
    return {a: find(a) for a in ids}


def _story_of(sigs: Iterable[dict]) -> dict:
    st: dict = {}
    for s in sigs:
        add_signature(st, s)
    return st


def _copy_sig(sig: dict) -> dict:
    """A copy of a story signature deep enough for ``add_signature`` to change it."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in sig.items()}
    out["ents"] = {k: {**e, "ty": dict(e["ty"])} for k, e in sig.get("ents", {}).items()}
    return out


def size_scale(n: int, rho: float) -> float:
    """Expected cosine of an article with the centroid of ``n`` articles of its own story,
    relative to a large story: sqrt(n*rho / (1 + (n-1)*rho)).  Small stories are noisier
    centroids, so raw similarities to them are lower; dividing makes scores comparable."""
    return math.sqrt(n * rho / (1.0 + (n - 1) * rho))


def _quote_overlap(art_sig: dict, sig: dict) -> float:
    """Largest share of one article quote's 4-gram shingles already in the story's quotes."""
    story = sig.get("shingles", {})
    best = 0.0
    for q in art_sig.get("quotes", []):
        if q:
            best = max(best, sum(1 for sh in q if sh in story) / len(q))
    return best


def _norm(a: Mapping[str, float]) -> float:
    return math.sqrt(sum(v * v for v in a.values()))


def _cos(a: Mapping[str, float], b: Mapping[str, float], a_norm: Optional[float] = None,
         b_norm: Optional[float] = None) -> float:
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * big.get(k, 0.0) for k, v in small.items())
    if dot <= 0:
        return 0.0
    return dot / ((_norm(a) if a_norm is None else a_norm) * (_norm(b) if b_norm is None else b_norm))


_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "&", "de", "du", "la", "le"})


def acronym(key: str) -> str:
    """The initials of a name of two or more words ("international monetary fund" -> "imf",
    "european union" -> "eu"); "" for a one-word name."""
    words = [w for w in key.split() if w not in _ACRONYM_SKIP]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _name_tokens(ents: Iterable[str]) -> set[str]:
    """Entity name tokens plus the acronyms of the names: whether a name is absent from the
    other side (the conflict) must not depend on one outlet writing "IMF" and another
    "International Monetary Fund"."""
    toks = {t for k in ents for t in k.split()}
    toks.update(a for k in ents if (a := acronym(k)))
    return toks


def _ordinal(iso: str) -> Optional[int]:
    try:
        return date.fromisoformat(iso[:10] if len(iso) >= 10 else iso[:7] + "-15").toordinal()
    except ValueError:
        return None


def _date_conflict(art_d0: list[str], story_d0: Mapping[str, float], params: ClusterParams) -> float:
    """Two events of one kind on different dates: the share of the story's articles whose own
    date is more than ``date_conflict_days`` from the article's, times ``date_conflict_penalty``."""
    if not art_d0 or not story_d0:
        return 0.0
    a = _ordinal(art_d0[0])
    total = far = 0.0
    for d, c in story_d0.items():
        o = _ordinal(d)
        if o is None:
            continue
        total += c
        if abs(o - a) > params.date_conflict_days:
            far += c
    return params.date_conflict_penalty * far / total if total else 0.0


def _time_penalty(art_dates: list[str], story_dates: Mapping[str, float], params: ClusterParams) -> float:
    """Grows with the smallest gap (days) between any article day and any story day."""
    a = [d for d in map(_ordinal, art_dates) if d is not None]
    s = [d for d in map(_ordinal, story_dates) if d is not None]
    if not a or not s:
        return 0.0
    gap = min(abs(x - y) for x in a for y in s)
    return params.time_penalty_max * (1.0 - math.exp(-gap / params.time_scale_days))

