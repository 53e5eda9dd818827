"""How well an article fits a story: the score, its terms, and the best story for an article.

    score = [w_entities cos(entity name tokens) + w_terms cos(body terms) + w_title cos(title words)]
              / size_scale(n)
            + w_quote * share of one of its quotes already in the story
            - conflict penalty - time penalty - own-date conflict
            + w_member * (best-member similarity - member_base)      (open stories)

* Vectors are weighted by inverse document frequencies learned online (:mod:`index`), so
  names many articles share count little and the names that identify an event count much.
  Entities are compared as weighted *name tokens* (robust to "Brian G Nichols" vs "Brian
  Nichols" or a role word glued to a name).
* ``size_scale`` divides by the expected cosine of an own-story article with a centroid of
  ``n`` articles (a singleton centroid is noisier than a large one).
* Conflict: two events of one kind differ in who / where / at which site / which
  organisation.  For each class, the article's salient entity absent from the story is set
  against the story's core entity (in at least ``core_share`` of its articles) absent from
  the article; the penalty is ``conflict_penalty`` x the smaller relative salience (x
  ``class_weight`` of the class: organisations are named in passing more often than people
  and places).  A name is present on the other side when its rarest token or its acronym is
  ("IMF" / "International Monetary Fund").
* Time: the penalty grows with the smallest gap (days) between the article's and the story's
  publication days, saturating at ``time_penalty_max``.  The dates a text merely mentions are
  not compared: most are background ("the 2008 election", "hired in May 2005"), and reports
  of one story weeks apart (a rule, then its reversal) would lose much of their score to
  them; an event's own date is the evidence (next point).
* Own date: an article's own date (``ArticleEntities.own_date``: a dateline, or the event's
  date in the lead; never a future-tense or post-publication date); when the story's
  articles carry own dates, the share of them more than ``date_conflict_days`` from the
  article's costs up to ``date_conflict_penalty`` (two events of one kind months or years
  apart).
* Best member (open stories): ``w_member`` x (similarity of entity name tokens and title
  words to the most similar member - ``member_base``), a single-link term that keeps a
  story's sub-threads joinable and lets a weak centroid match fail when no member really
  resembles the article.  Closed stories (light signatures) are scored on the centroid only.

The article joins the best story when the score reaches ``match_threshold``; otherwise it
starts a new story.
"""
from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Mapping, Optional

from services.aggregator.bounds import Bounds
from services.aggregator.index import StoryIndex
from services.aggregator.memo import IdentityMemo
from services.aggregator.names import acronym, name_tokens
from services.aggregator.params import ClusterParams
from services.aggregator.signature import (ArticleSignature, EntityWeight, StoryEntity, StorySignature, Top,
                                           story_of, top_features)
from services.aggregator.vectors import cosine, vector_norm

CLASSES = ("who", "where", "site", "org")   # the entity classes of the conflict (``ClusterParams.entity_class``)
ART_VIEWS_MAX = 256   # article views cached between two ``observe`` calls (one placement, one split check)
# upper bounds of one article's scores already computed, by (id of the article signature, candidate
# stories): (the signature, its bounds), for the calls of one placement (:meth:`Scorer.upper`)
BoundsMemo = dict[tuple[int, tuple[str, ...]], tuple[ArticleSignature, list[float]]]


@dataclass(slots=True)
class ArticleView:
    """The article side of every score, with the idfs of the moment (vectors are idf-weighted)."""
    entity_tokens: dict[str, float]    # entity name tokens
    terms: dict[str, float]            # body terms (log term frequency x idf)
    title: dict[str, float]            # headline words
    entity_norm: float
    terms_norm: float
    title_norm: float
    salience: dict[str, float]         # entity key -> weight x idf of its rarest token (conflict classes only)
    name_tokens: set[str]              # every entity name token and acronym (is a name absent?)
    rarest: dict[str, str]             # entity key (of ``salience``) -> its rarest name token


@dataclass(slots=True)
class StoryView:
    """The story side of every score, with the idfs of the moment (vectors are idf-weighted).
    A conflict view (:meth:`Scorer.conflict_view`) has only what the conflict needs: its vectors
    are None until :meth:`Scorer.story_view` completes it."""
    articles: int                      # the story's article count (at least 1)
    entities: dict[str, StoryEntity]   # its heaviest entities
    name_tokens: set[str]              # every entity name token and acronym (is a name absent?)
    salience: dict[str, float]         # entity key -> weight per article x idf of its rarest token
    entity_tokens: Optional[dict[str, float]] = None   # their name tokens, per article
    terms: Optional[dict[str, float]] = None           # its heaviest body terms
    title: Optional[dict[str, float]] = None           # headline words
    entity_norm: float = 0.0
    terms_norm: float = 0.0
    title_norm: float = 0.0
    member_vecs: Optional[list[tuple[dict[str, float], float]]] = None   # (vector, norm) per member, once asked


class Scorer:
    """Scores articles against the stories of an index (with its current idfs)."""

    def __init__(self, index: StoryIndex, params: ClusterParams) -> None:
        self.index = index
        self.params = params
        # id(article signature) -> (the signature, its view): the article side of scores, valid
        # while the index's idfs stay (its ``generation``); holding the signature: its id cannot
        # be reused meanwhile
        self._article_views: IdentityMemo[ArticleSignature, ArticleView] = IdentityMemo(ART_VIEWS_MAX)
        self._views_generation = index.generation
        self.bounds = Bounds(index, params)

    def score(self, art_sig: ArticleSignature, sig: StorySignature, top: Optional[Top] = None,
              view: Optional[StoryView] = None) -> float:
        """Score of an article against a story signature; ``top`` is the story's
        (heaviest terms, heaviest entities) from :func:`top_features` (default: computed);
        ``view``: the story's :meth:`story_view` (default: computed)."""
        p = self.params
        v = view if view is not None else self.story_view(sig, top)
        a = self.article_view(art_sig)
        s = (p.w_entities * cosine(a.entity_tokens, v.entity_tokens, a.entity_norm, v.entity_norm)
             + p.w_terms * cosine(a.terms, v.terms, a.terms_norm, v.terms_norm)
             + p.w_title * cosine(a.title, v.title, a.title_norm, v.title_norm))
        time_pen = (time_penalty(art_sig.published, sig.published, p)
                    + date_conflict(art_sig.own_dates, sig.own_dates, p))
        return (s / size_scale(v.articles, p.rho) + p.w_quote * quote_overlap(art_sig, sig)
                - self.conflict(art_sig, v) - time_pen)

    def story_view(self, sig: StorySignature, top: Optional[Top] = None,
                   view: Optional[StoryView] = None) -> StoryView:
        """The story side of every score: idf-weighted vectors of its heaviest features and
        the salience of its entities (valid until the next ``observe``).  ``view``: the
        story's :meth:`conflict_view` made before (completed in place)."""
        idx = self.index
        top = top if top is not None else top_features(sig, self.params)
        v = view if view is not None else self.conflict_view(sig, top)
        if v.terms is None:
            terms, ents = top
            es = self.entity_tokens(ents, 1.0 / v.articles)
            ts = idx.weighted(idx.df_terms, terms.items())
            hs = idx.weighted(idx.df_title, sig.title.items())
            v.entity_tokens, v.terms, v.title = es, ts, hs
            v.entity_norm, v.terms_norm, v.title_norm = vector_norm(es), vector_norm(ts), vector_norm(hs)
        return v

    def conflict_view(self, sig: StorySignature, top: Optional[Top] = None) -> StoryView:
        """The part of :meth:`story_view` that :meth:`conflict` reads (no vectors: cheaper)."""
        idx = self.index
        entity_class = self.params.entity_class
        n = max(1, sig.articles)
        ents = (top if top is not None else top_features(sig, self.params))[1]
        keys = [k for k, e in ents.items() if e.type in entity_class]
        return StoryView(articles=n, entities=ents, name_tokens=name_tokens(sig.entities),
                         salience={k: ents[k].weight / n * w for k, w in zip(keys, idx.token_idfs(keys))})

    def article_view(self, art_sig: ArticleSignature) -> ArticleView:
        """The article side of every score: the same for all candidate stories until the next
        ``observe`` changes the idfs (cached until then: the article placed, the members of a
        story being checked for a split)."""
        idx = self.index
        if self._views_generation != idx.generation:
            self._article_views.clear()
            self._views_generation = idx.generation
        return self._article_views.get(art_sig, self._article_view)

    def _article_view(self, art_sig: ArticleSignature) -> ArticleView:
        idx = self.index
        entity_class = self.params.entity_class
        ea = self.entity_tokens(art_sig.entities, 1.0)
        ta = {t: (1 + math.log(c)) * idx.idf(idx.df_terms, t) for t, c in art_sig.terms.items()}
        ha = {t: idx.idf(idx.df_title, t) for t in art_sig.title}
        sal = {k: e.weight * idx.token_idf(k) for k, e in art_sig.entities.items() if e.type in entity_class}
        return ArticleView(entity_tokens=ea, terms=ta, title=ha,
                           entity_norm=vector_norm(ea), terms_norm=vector_norm(ta), title_norm=vector_norm(ha),
                           salience=sal, name_tokens=name_tokens(art_sig.entities),
                           rarest={k: idx.rarest(k) for k in sal})

    def entity_tokens(self, ents: Mapping[str, EntityWeight | StoryEntity], scale: float) -> dict[str, float]:
        """Entity names as weighted name tokens: robust to "Brian G Nichols" vs "Brian Nichols"."""
        out: dict[str, float] = {}
        for k, e in ents.items():
            toks = k.split()
            for t in toks:
                out[t] = out.get(t, 0.0) + scale * e.weight / math.sqrt(len(toks))
        return self.index.weighted(self.index.df_etok, out.items())

    def conflict(self, art_sig: ArticleSignature, story: StoryView,
                 per_class: Optional[Mapping[str, float]] = None) -> float:
        """Two events of one kind differ in who/where/which organisation: penalise when, for one
        entity class, the article has a salient entity the story lacks AND the story has a core
        entity (in at least ``core_share`` of its articles) the article lacks.

        Salience is relative (weight x idf of the entity's most specific name token, over the
        side's maximum), so the penalty is ``conflict_penalty * max over classes of
        class_weight[class] * min(article-side salience, story-side salience x share)``
        (:meth:`class_conflicts`: each class's term; ``per_class``: those, computed before).
        ``story``: the story's :meth:`story_view` (its heaviest entities, see :func:`top_features`)."""
        weight = self.params.class_weight
        per_class = per_class if per_class is not None else self.class_conflicts(art_sig, story)
        worst = max((weight[c] * v for c, v in per_class.items() if v), default=0.0)
        return self.params.conflict_penalty * max(worst, 0.0)

    def class_conflicts(self, art_sig: ArticleSignature, story: StoryView) -> dict[str, float]:
        """Each entity class's term of :meth:`conflict` (0.0: none), before its class weight and the
        penalty: the largest ``min(article-side salience, story-side salience x share)``."""
        p = self.params
        entity_class = p.entity_class
        out = dict.fromkeys(CLASSES, 0.0)
        n, s_ents, s_sal = story.articles, story.entities, story.salience
        a = self.article_view(art_sig)
        s_toks = story.name_tokens
        a_toks, a_sal = a.name_tokens, a.salience
        if not a_sal or not s_sal:
            return out
        a_max, s_max = max(a_sal.values()), max(s_sal.values())
        novel: dict[str, float] = {}
        for k, v in a_sal.items():
            if a.rarest[k] not in s_toks:
                c = entity_class[art_sig.entities[k].type]
                novel[c] = max(novel.get(c, 0.0), v / a_max)
        for k, v in s_sal.items():
            c = entity_class[s_ents[k].type]
            share = s_ents[k].articles / n
            if (c in novel and share >= p.core_share and self.index.rarest(k) not in a_toks
                    and acronym(k) not in a_toks):
                out[c] = max(out.get(c, 0.0), min(novel[c], share * v / s_max))
        return out

    def member_vec(self, keys: Iterable[str], title: Iterable[str]) -> dict[str, float]:
        """One article as idf-weighted entity name tokens and title words (for :meth:`member_sim`)."""
        idx = self.index
        v = {"e:" + t: idx.idf(idx.df_etok, t) for k in keys for t in k.split()}
        v.update(("h:" + t, idx.idf(idx.df_title, t)) for t in title)
        return v

    def member_sim(self, art_sig: ArticleSignature, members: list, view: Optional[StoryView] = None) -> float:
        """Similarity (entity name tokens and title words, idf-weighted) to the most similar member.
        ``view``: the story's cached view, which then keeps the members' vectors for later calls."""
        a = self.member_vec(art_sig.entities, art_sig.title)
        if view is None:
            return max((cosine(a, self.member_vec(k, tw)) for k, tw in members), default=0.0)
        vecs = view.member_vecs
        if vecs is None:
            vecs = view.member_vecs = [(v, vector_norm(v)) for v in (self.member_vec(k, tw) for k, tw in members)]
        a_norm = vector_norm(a)
        return max((cosine(a, v, a_norm, n) for v, n in vecs), default=0.0)

    def side_score(self, xs: list[ArticleSignature], ys: list[ArticleSignature]) -> float:
        """The mean score of the articles ``xs`` against the articles ``ys`` as an open story."""
        p = self.params
        sy = story_of(ys)
        view = self.story_view(sy)
        yv = [self.member_vec(y.entities, y.title) for y in ys]
        yn = [vector_norm(v) for v in yv]
        total = 0.0
        for x in xs:
            s = self.score(x, sy, view=view)
            if p.w_member:
                xv = self.member_vec(x.entities, x.title)
                xn = vector_norm(xv)
                s += p.w_member * (max(cosine(xv, v, xn, n) for v, n in zip(yv, yn)) - p.member_base)
            total += s
        return total / len(xs)

    def headline_cross(self, xs: list[ArticleSignature], ys: list[ArticleSignature]) -> float:
        """How much two groups of articles share their headlines: the larger of the two sides'
        mean cosine (idf-weighted title words) of an article's title with the other side's
        title words."""
        idx = self.index

        def side(a: list[ArticleSignature], b: list[ArticleSignature]) -> float:
            hs = idx.weighted(idx.df_title, Counter(w for y in b for w in y.title).items())
            hn = vector_norm(hs)
            return sum(cosine(v.title, hs, v.title_norm, hn) for v in map(self.article_view, a)) / len(a)
        return max(side(xs, ys), side(ys, xs))

    def reaches(self, art_sig: ArticleSignature, sid: str, threshold: float, bound: Optional[float] = None) -> bool:
        """Whether the article's score against the indexed story ``sid`` (:meth:`score`, no
        best-member term) is at least ``threshold``: no when its upper bound (:mod:`bounds`;
        ``bound``: computed before) is below it, else as scored."""
        if bound is None:
            bound = self.bounds.upper(art_sig, self.article_view(art_sig), [sid])[0]
        if bound < threshold:
            return False
        idx = self.index
        return self.score(art_sig, idx.sigs[sid], idx.top.get(sid)) >= threshold

    def upper(self, art_sig: ArticleSignature, sids: list[str], memo: Optional[BoundsMemo] = None) -> list[float]:
        """``Bounds.upper`` of the article against ``sids``.  ``memo``: the bounds computed for
        this article since the last ``observe`` and change of a story (by candidate list; the
        placement's own search and its learned rescue bound the same candidates)."""
        if memo is None:
            return self.bounds.upper(art_sig, self.article_view(art_sig), sids)
        key = (id(art_sig), tuple(sids))
        got = memo.get(key)
        if got is None or got[0] is not art_sig:
            got = memo[key] = (art_sig, self.bounds.upper(art_sig, self.article_view(art_sig), sids))
        return got[1]

    def best(self, art_sig: ArticleSignature, allowed: Optional[Callable[[str], bool]] = None,
             views: Optional[dict[str, StoryView]] = None,
             at_least: Optional[float] = None,
             bounds: Optional[BoundsMemo] = None) -> tuple[Optional[str], float]:
        """The best-scoring candidate story (among those ``allowed``, default all) and its score
        (ties: the smallest story id, so a replay resolves them the same way; None and -1.0
        when no story scores above -1).  Stories are scored in full in decreasing order of an
        upper bound of their score (:mod:`bounds`: the centroid score without the conflict,
        plus ``member_bonus_max``, the largest best-member term, for open stories), and only
        while that bound can still beat the best score so far: the same result as scoring
        every candidate in full.  ``at_least``: the caller only needs the result when it scores
        at least that (it is then the same); stories whose bound is below it are not scored,
        and a result below it may then be another candidate's.  ``views``: a cache of story
        views (:meth:`story_view`) for several calls between two ``observe`` calls; ``bounds``:
        the same for the upper bounds (:meth:`upper`)."""
        idx = self.index

        def view(sid: str) -> Optional[StoryView]:
            if views is None:
                return None
            v = views.get(sid)
            if v is None:
                v = views[sid] = self.story_view(idx.sigs[sid], idx.top.get(sid))
            return v
        cands = [sid for sid in idx.candidates(art_sig) if allowed is None or allowed(sid)]
        p = self.params
        bonus_max = p.member_bonus_max
        ub = self.upper(art_sig, cands, bounds)
        member = [bool(p.w_member) and sid in idx.members for sid in cands]
        bound = [u + bonus_max if m else u for u, m in zip(ub, member)]
        floor = -math.inf if at_least is None else at_least
        best_sid, best_s = None, -1.0
        for i in sorted(range(len(cands)), key=lambda i: -bound[i]):
            if bound[i] < best_s or bound[i] < floor:
                break                         # neither this story nor any after it can win
            sid = cands[i]
            s = self.score(art_sig, idx.sigs[sid], idx.top.get(sid), view(sid))
            if member[i]:
                if s + bonus_max < best_s:
                    continue
                s += p.w_member * (self.member_sim(art_sig, idx.members[sid], view(sid)) - p.member_base)
            elif s < best_s:
                continue
            if s > best_s or (s == best_s and best_sid is not None and sid < best_sid):
                best_sid, best_s = sid, s
        return best_sid, best_s


def size_scale(n: int, rho: float) -> float:
    """Expected cosine of an article with the centroid of ``n`` articles of its own story,
    relative to a large story: sqrt(n*rho / (1 + (n-1)*rho)).  Small stories are noisier
    centroids, so raw similarities to them are lower; dividing makes scores comparable."""
    return math.sqrt(n * rho / (1.0 + (n - 1) * rho))


def quote_overlap(art_sig: ArticleSignature, sig: StorySignature) -> float:
    """Largest share of one article quote's 4-gram shingles already in the story's quotes."""
    story = sig.shingles
    best = 0.0
    for q in art_sig.quotes:
        if q:
            best = max(best, sum(1 for sh in q if sh in story) / len(q))
    return best


@functools.lru_cache(maxsize=4096)    # a pure function of a few hundred distinct days, asked per candidate
def ordinal(iso: str) -> Optional[int]:
    try:
        return date.fromisoformat(iso[:10] if len(iso) >= 10 else iso[:7] + "-15").toordinal()
    except ValueError:
        return None


def date_conflict(art_d0: list[str], story_d0: Mapping[str, float], params: ClusterParams) -> float:
    """Two events of one kind on different dates: the share of the story's articles whose own
    date is more than ``date_conflict_days`` from the article's, times ``date_conflict_penalty``."""
    if not art_d0 or not story_d0:
        return 0.0
    a = ordinal(art_d0[0])
    total = far = 0.0
    for d, c in story_d0.items():
        o = ordinal(d)
        if o is None:
            continue
        total += c
        if abs(o - a) > params.date_conflict_days:
            far += c
    return params.date_conflict_penalty * far / total if total else 0.0


def time_penalty(art_dates: list[str], story_dates: Mapping[str, float], params: ClusterParams) -> float:
    """Grows with the smallest gap (days) between any article day and any story day."""
    a = [d for d in map(ordinal, art_dates) if d is not None]
    s = [d for d in map(ordinal, story_dates) if d is not None]
    if not a or not s:
        return 0.0
    gap = min(abs(x - y) for x in a for y in s)
    return params.time_penalty_max * (1.0 - math.exp(-gap / params.time_scale_days))
