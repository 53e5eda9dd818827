"""Story signatures: what clustering knows of an article and of a story.

An article's signature holds its salient entities (weighted by type, mentions and whether the
headline names them), its body terms, headline words, own date, publication day and quote
shingles.  A story's signature is the sum of its articles' (entity weights, log term
frequencies, headline words, own dates, publication days, quote shingles): every sum is exactly
reversible, so a revision subtracts what the old version added.  A closed story keeps a light
copy (its heaviest features) to be matched on.

Both are typed records (slotted dataclasses: the engine reads them millions of times) kept in
the article and story records; ``to_json``/``from_json`` give their persisted form, and
``from_json`` also reads the first layout (short keys: ``ents``/``w``/``t``/``n``/``ty``,
``d0``, ``pub``).
"""
from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Optional

from schemas.models import ArticleEntities, ArticleQuotes

from services.aggregator.entities import entity_key
from services.aggregator.memo import IdentityMemo
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
@dataclass(slots=True, frozen=True)
class Addends:
    """An article's addends to a story's sums: body terms as 1 + log count (and those rounded
    to 6 decimals: a sum's first value), headline words, days and quote shingles as 1.0."""
    terms: dict[str, float]
    terms_rounded: dict[str, float]
    title: dict[str, float]
    published: dict[str, float]
    own_dates: dict[str, float]
    shingles: dict[str, float]


@dataclass(slots=True)
class EntityWeight:
    """A salient entity of one article."""
    weight: float                      # type weight x (1 + log counted mentions) x headline boost
    type: str                          # its entity type (PERSON, GPE, ...)


@dataclass(slots=True)
class ArticleSignature:
    """What clustering needs from one article."""
    entities: dict[str, EntityWeight]  # entity key -> its salience
    terms: dict[str, int]              # body term -> count
    title: list[str]                   # headline words (stemmed, sorted)
    own_dates: list[str]               # the article's own date, if it has one (ISO)
    published: list[str]               # its publication day, if known (ISO)
    quotes: list[list[str]]            # the word shingles of each statement it quotes
    def to_json(self) -> dict:
        return {"entities": {k: {"weight": e.weight, "type": e.type} for k, e in self.entities.items()},
                "terms": dict(self.terms), "title": list(self.title), "own_dates": list(self.own_dates),
                "published": list(self.published), "quotes": [list(q) for q in self.quotes]}

    @classmethod
    def from_json(cls, d: Mapping) -> ArticleSignature:
        if "ents" in d:                # the first layout
            return cls(entities={k: EntityWeight(e["w"], e["t"]) for k, e in d["ents"].items()},
                       terms=dict(d["terms"]), title=list(d["title"]), own_dates=list(d.get("d0", [])),
                       published=list(d.get("pub", [])), quotes=[list(q) for q in d.get("quotes", [])])
        return cls(entities={k: EntityWeight(e["weight"], e["type"]) for k, e in d["entities"].items()},
                   terms=dict(d["terms"]), title=list(d["title"]), own_dates=list(d["own_dates"]),
                   published=list(d["published"]), quotes=[list(q) for q in d["quotes"]])


def quote_shingles(texts: Iterable[str], n: int = 4) -> list[list[str]]:
    """Word ``n``-gram shingles of each quote long enough to be a statement."""
    out = []
    for t in texts:
        toks = normalise(t)
        if len(toks) >= MIN_STATEMENT:
            out.append(sorted({" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}))
    return out


def article_signature(ents: ArticleEntities, quotes: Optional[ArticleQuotes] = None,
                      params: ClusterParams = DEFAULT_PARAMS, when: Optional[datetime] = None) -> ArticleSignature:
    """What clustering needs from one article (kept in the article record).  ``when``: its
    publication time as the engine takes it (its event time), else ``published`` or
    ``produced_at`` as given."""
    sal: dict[str, EntityWeight] = {}
    for e in ents.entities:
        tw = params.type_weight.get(e.type)
        k = entity_key(e.name)
        if not tw or not k:
            continue
        n = len(e.counted_mentions())   # word recurrences are entity output only: no weight in clustering
        if not n:   # a name the tagger never found (all its mentions marked): entity output only
            continue
        w = tw * (1.0 + math.log(max(1, n))) * (params.title_entity_boost if e.in_title else 1.0)
        cur = sal.get(k)
        if cur is None or w > cur.weight:
            sal[k] = EntityWeight(round(w, 6), e.type)
    when = when or ents.article.published or ents.article.produced_at
    return ArticleSignature(
        entities=sal, terms={t: c for t, c in ents.terms.items() if c > 0}, title=title_words(ents.article.title),
        own_dates=[ents.own_date] if ents.own_date else [],
        published=[when.date().isoformat()] if when else [],
        quotes=quote_shingles((q.text for q in quotes.quotes), params.shingle_words) if quotes is not None else [])


# ---------------------------------------------------------------- story signature
@dataclass(slots=True)
class StoryEntity:
    """An entity summed over a story's articles."""
    weight: float                      # summed salience
    articles: int                      # articles naming it
    types: dict[str, int]              # articles per entity type
    type: str = ""                     # the majority type (ties: the greater name)

    def copy(self) -> StoryEntity:
        return StoryEntity(self.weight, self.articles, dict(self.types), self.type)


# an article's addends, made once while it is in use (the split check, re-homing and the merge
# check sum the same members again and again): a bounded memo (then forgotten at once), not kept
# in the article's signature, where it would add ~15% to each open story's memory.  A memory
# bound, not a knob: the members of the few stories an arrival touches fit many times over.
ADDENDS_MAX = 512
_ADDENDS: IdentityMemo[ArticleSignature, Addends] = IdentityMemo(ADDENDS_MAX)


def addends(art: ArticleSignature) -> Addends:
    """What an article adds to a story's sums (:meth:`StorySignature.add`), memoised (article
    signatures are never changed in place: a revision makes a new one; holding the signature,
    its id cannot be reused meanwhile)."""
    return _ADDENDS.get(art, _make_addends)


def _make_addends(art: ArticleSignature) -> Addends:
    terms = {t: 1.0 + math.log(c) for t, c in art.terms.items()}
    return Addends(terms=terms, terms_rounded={t: round(v, 6) for t, v in terms.items()},
                   title=dict.fromkeys(art.title, 1.0), published=dict.fromkeys(art.published, 1.0),
                   own_dates=dict.fromkeys(art.own_dates, 1.0),
                   shingles=dict.fromkeys({sh for q in art.quotes for sh in q}, 1.0))


def _sum(d: dict[str, float], items: Mapping[str, float], sign: int,
         first: Optional[Mapping[str, float]] = None) -> None:
    """``d[k] = round(d.get(k, 0.0) + sign * v, 6)`` for each ``k, v`` of ``items`` in order, a
    result at or below 1e-9 deleted.  ``first``: ``items`` rounded (what a key ``d`` lacks
    becomes), for adding (``sign`` 1) positive values: then the keys ``d`` lacks are appended
    in one step in ``items``' order (where the loop would append them) and only the keys it has
    are summed one by one (each key's sum is independent of the others')."""
    if first is not None and sign == 1:
        have = list(filter(d.__contains__, items))
        olds = list(map(d.__getitem__, have))
        d.update(first)                          # new keys appended in order; ``have`` fixed below
        for k, o in zip(have, olds):
            x = d[k] = round(o + items[k], 6)
            if x <= 1e-9:
                del d[k]
        return
    get = d.get
    for k, v in items.items():
        x = round(get(k, 0.0) + sign * v, 6)
        if x > 1e-9:
            d[k] = x
        elif k in d:
            del d[k]


@dataclass(slots=True)
class StorySignature:
    """The sums of a story's article signatures (exactly reversible)."""
    articles: int = 0                  # articles summed
    entities: dict[str, StoryEntity] = field(default_factory=dict)
    terms: dict[str, float] = field(default_factory=dict)       # body term -> sum of 1 + log count
    title: dict[str, float] = field(default_factory=dict)       # headline word -> articles
    published: dict[str, float] = field(default_factory=dict)   # publication day -> articles
    own_dates: dict[str, float] = field(default_factory=dict)   # own date -> articles
    shingles: dict[str, float] = field(default_factory=dict)    # quote shingle -> articles

    def add(self, art: ArticleSignature, sign: int = 1) -> None:
        """Add (``sign`` 1) or subtract (-1) an article signature."""
        self.articles += sign
        ents = self.entities
        for k, e in art.entities.items():
            rec = ents.get(k)
            if rec is None:
                rec = ents[k] = StoryEntity(0.0, 0, {})
            rec.weight = round(rec.weight + sign * e.weight, 6)
            rec.articles += sign
            rec.types[e.type] = rec.types.get(e.type, 0) + sign
            if rec.types[e.type] <= 0:
                del rec.types[e.type]
            if rec.articles <= 0:
                del ents[k]
            elif len(rec.types) == 1:
                rec.type = next(iter(rec.types))
            else:
                rec.type = max(rec.types.items(), key=lambda kv: (kv[1], kv[0]))[0]   # majority type
        w = addends(art)
        _sum(self.terms, w.terms, sign, w.terms_rounded)
        _sum(self.title, w.title, sign, w.title)
        _sum(self.published, w.published, sign, w.published)
        _sum(self.own_dates, w.own_dates, sign, w.own_dates)
        _sum(self.shingles, w.shingles, sign, w.shingles)

    def copy(self) -> StorySignature:
        """A copy that :meth:`add` can change without changing this one."""
        return StorySignature(self.articles, {k: e.copy() for k, e in self.entities.items()}, dict(self.terms),
                              dict(self.title), dict(self.published), dict(self.own_dates), dict(self.shingles))

    def to_json(self) -> dict:
        return {"articles": self.articles,
                "entities": {k: {"weight": e.weight, "articles": e.articles, "types": dict(e.types), "type": e.type}
                             for k, e in self.entities.items()},
                "terms": dict(self.terms), "title": dict(self.title), "published": dict(self.published),
                "own_dates": dict(self.own_dates), "shingles": dict(self.shingles)}

    @classmethod
    def from_json(cls, d: Mapping) -> StorySignature:
        if "entities" not in d:        # the first layout (an empty story's signature was {})
            return cls(d.get("n", 0),
                       {k: StoryEntity(e["w"], e["n"], dict(e["ty"]), e.get("t", ""))
                        for k, e in d.get("ents", {}).items()},
                       dict(d.get("terms", {})), dict(d.get("title", {})), dict(d.get("pub", {})),
                       dict(d.get("d0", {})), dict(d.get("shingles", {})))
        return cls(d["articles"],
                   {k: StoryEntity(e["weight"], e["articles"], dict(e["types"]), e["type"])
                    for k, e in d["entities"].items()},
                   dict(d["terms"]), dict(d["title"]), dict(d["published"]), dict(d["own_dates"]), dict(d["shingles"]))


def story_of(sigs: Iterable[ArticleSignature]) -> StorySignature:
    """The signature of a story of these articles."""
    st = StorySignature()
    for s in sigs:
        st.add(s)
    return st


def _heaviest(items: Mapping[str, object], n: int, weight) -> dict:
    if len(items) <= n:
        return dict(items)
    return dict(heapq.nsmallest(n, items.items(), key=lambda kv: (-weight(kv[1]), kv[0])))


Top = tuple[dict[str, float], dict[str, StoryEntity]]   # a story's heaviest (terms, entities)


def top_features(sig: StorySignature, params: ClusterParams = DEFAULT_PARAMS) -> Top:
    """A story's ``story_terms`` heaviest body terms and ``story_entities`` heaviest entities (ties by
    key): what its centroid is scored on.  The long tail of a big story's vocabulary changes
    no decision but costs most of the time (idfs change with every article, so nothing of it
    can be cached across articles)."""
    return (_heaviest(sig.terms, params.story_terms, lambda v: v),
            _heaviest(sig.entities, params.story_entities, lambda e: e.weight))


def light_signature(sig: StorySignature, params: ClusterParams = DEFAULT_PARAMS) -> StorySignature:
    """A small copy of a story signature kept for matching after the story is closed: its
    heaviest entities and terms, every headline word and date, its first quote shingles."""
    ents = sorted(sig.entities.items(), key=lambda kv: -kv[1].weight)[:params.light_entities]
    terms = sorted(sig.terms.items(), key=lambda kv: -kv[1])[:params.light_terms]
    return StorySignature(sig.articles, {k: e.copy() for k, e in ents}, dict(terms), dict(sig.title),
                          dict(sig.published), dict(sig.own_dates),
                          dict(list(sig.shingles.items())[:params.light_shingles]))
