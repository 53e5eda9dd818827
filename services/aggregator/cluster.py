"""Online story clustering.

Every story keeps a JSON-able *signature*: sums over its articles of entity
salience weights, log term frequencies, title words and dates.  An arriving
article is scored against the candidate stories (those sharing an entity or a
distinctive term, found through an inverted index) with

    score = W_ENT * cos(entities) + W_TERM * cos(body terms) + W_TITLE * cos(title words)
            - conflict penalty - time penalty

where every vector is weighted by an inverse document frequency learned online
over all articles seen, so that entities and words most stories share (a
country, "say", "report") count little and the names that identify an event
count much.  The conflict penalty fires when the article's most salient
person/place is absent from a story whose own most salient person/place is
absent from the article: two events of the same kind with different people or
places.  The time penalty grows with the gap between the article's dates and
the story's.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date
from typing import Iterable, Mapping, Optional

from schemas.models import ArticleEntities

from services.aggregator.entities import SALIENT_TYPES, entity_key

W_ENT, W_TERM, W_TITLE = 0.5, 0.35, 0.15
IDENTITY_TYPES = {"PERSON", "GPE", "LOC", "ORG", "FAC"}
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
def article_signature(ents: ArticleEntities) -> dict:
    """What clustering needs from one article (JSON-able; kept in the article record)."""
    sal: dict[str, dict] = {}
    for e in ents.entities:
        tw = SALIENT_TYPES.get(e.type)
        k = entity_key(e.name)
        if not tw or not k:
            continue
        w = tw * (1.0 + math.log(max(1, len(e.mentions)))) * (2.0 if e.in_title else 1.0)
        cur = sal.get(k)
        if cur is None or w > cur["w"]:
            sal[k] = {"w": round(w, 6), "t": e.type}
    terms = {t: c for t, c in ents.terms.items() if c > 0}
    return {"ents": sal, "terms": terms, "title": title_words(ents.article.title + " \n " + ents.lead),
            "dates": sorted(set(ents.dates))}


def add_signature(story_sig: dict, art_sig: dict, sign: int = 1) -> None:
    """Add/subtract an article signature to a story signature (sums, exactly reversible)."""
    story_sig["n"] = story_sig.get("n", 0) + sign
    ents = story_sig.setdefault("ents", {})
    for k, e in art_sig["ents"].items():
        rec = ents.setdefault(k, {"w": 0.0, "n": 0, "t": e["t"]})
        rec["w"] = round(rec["w"] + sign * e["w"], 6)
        rec["n"] += sign
        if rec["n"] <= 0:
            del ents[k]
    for field, items in (("terms", {t: 1.0 + math.log(c) for t, c in art_sig["terms"].items()}),
                         ("title", dict.fromkeys(art_sig["title"], 1.0)),
                         ("dates", dict.fromkeys(art_sig["dates"], 1.0))):
        d = story_sig.setdefault(field, {})
        for k, v in items.items():
            d[k] = round(d.get(k, 0.0) + sign * v, 6)
            if d[k] <= 1e-9:
                del d[k]


def light_signature(story_sig: dict, n_ents: int = 40, n_terms: int = 150) -> dict:
    """A small copy of a story signature kept for matching after the story is closed."""
    ents = dict(sorted(story_sig.get("ents", {}).items(), key=lambda kv: -kv[1]["w"])[:n_ents])
    terms = dict(sorted(story_sig.get("terms", {}).items(), key=lambda kv: -kv[1])[:n_terms])
    return {"n": story_sig.get("n", 0), "ents": ents, "terms": terms,
            "title": dict(story_sig.get("title", {})), "dates": dict(story_sig.get("dates", {}))}


# ---------------------------------------------------------------- index
class ClusterIndex:
    """Document frequencies, story signatures and an inverted index for candidates."""

    def __init__(self) -> None:
        self.n_docs = 0
        self.df_terms: Counter = Counter()
        self.df_ents: Counter = Counter()
        self.df_title: Counter = Counter()
        self.df_etok: Counter = Counter()
        self.sigs: dict[str, dict] = {}           # story id -> signature (open and closed)
        self.closed: set[str] = set()
        self.postings: dict[str, set[str]] = {}   # "e:key" / "t:term" -> story ids

    # -- document frequencies
    def observe(self, art_sig: dict, sign: int = 1) -> None:
        self.n_docs += sign
        for k in art_sig["ents"]:
            self.df_ents[k] += sign
        for t in art_sig["terms"]:
            self.df_terms[t] += sign
        for t in art_sig["title"]:
            self.df_title[t] += sign
        for t in {t for k in art_sig["ents"] for t in k.split()}:
            self.df_etok[t] += sign

    def _idf(self, df: Counter, k: str) -> float:
        return math.log((self.n_docs + 1) / (df.get(k, 0) + 1)) + 1.0

    # -- stories
    def put(self, sid: str, sig: dict, closed: bool = False) -> None:
        self.drop(sid)
        self.sigs[sid] = sig
        if closed:
            self.closed.add(sid)
        for f in self._features(sig):
            self.postings.setdefault(f, set()).add(sid)

    def drop(self, sid: str) -> None:
        sig = self.sigs.pop(sid, None)
        self.closed.discard(sid)
        if sig is None:
            return
        for f in self._features(sig):
            s = self.postings.get(f)
            if s is not None:
                s.discard(sid)
                if not s:
                    del self.postings[f]

    @staticmethod
    def _features(sig: dict) -> Iterable[str]:
        yield from ("e:" + k for k in sig.get("ents", {}))
        yield from ("t:" + k for k in sig.get("terms", {}))

    def candidates(self, art_sig: dict, top_terms: int = 15) -> set[str]:
        out: set[str] = set()
        for k in art_sig["ents"]:
            out |= self.postings.get("e:" + k, set())
        ranked = sorted(art_sig["terms"], key=lambda t: -(1 + math.log(art_sig["terms"][t])) * self._idf(self.df_terms, t))
        for t in ranked[:top_terms]:
            out |= self.postings.get("t:" + t, set())
        return out

    # -- scoring
    def score(self, art_sig: dict, sig: dict) -> float:
        n = max(1, sig.get("n", 1))
        ea = self._ent_tokens(art_sig["ents"], 1.0)
        es = self._ent_tokens(sig.get("ents", {}), 1.0 / n)
        ta = {t: (1 + math.log(c)) * self._idf(self.df_terms, t) for t, c in art_sig["terms"].items()}
        ts = {t: v * self._idf(self.df_terms, t) for t, v in sig.get("terms", {}).items()}
        ha = {t: self._idf(self.df_title, t) for t in art_sig["title"]}
        hs = {t: v * self._idf(self.df_title, t) for t, v in sig.get("title", {}).items()}
        s = W_ENT * _cos(ea, es) + W_TERM * _cos(ta, ts) + W_TITLE * _cos(ha, hs)
        return s / size_scale(n) - self._conflict(art_sig, sig) - _time_penalty(art_sig["dates"], sig.get("dates", {}))

    def _ent_tokens(self, ents: Mapping[str, dict], scale: float) -> dict[str, float]:
        """Entity names as weighted name tokens: robust to "Brian G Nichols" vs "Brian Nichols"."""
        out: dict[str, float] = {}
        for k, e in ents.items():
            toks = k.split()
            for t in toks:
                out[t] = out.get(t, 0.0) + scale * e["w"] / math.sqrt(len(toks))
        return {t: v * self._idf(self.df_etok, t) for t, v in out.items()}

    def _conflict(self, art_sig: dict, sig: dict) -> float:
        """Penalty when each side's top identity entity is missing on the other side."""
        n = max(1, sig.get("n", 1))
        top_a = _top_identity({k: (e["w"] * self._idf(self.df_ents, k), e["t"]) for k, e in art_sig["ents"].items()})
        top_s = _top_identity({k: (e["w"] / n * self._idf(self.df_ents, k), e["t"]) for k, e in sig.get("ents", {}).items()})
        if top_a is None or top_s is None:
            return 0.0
        if top_a in sig.get("ents", {}) or top_s in art_sig["ents"]:
            return 0.0
        return CONFLICT_PENALTY

    def best(self, art_sig: dict) -> tuple[Optional[str], float]:
        best_sid, best_s = None, -1.0
        for sid in sorted(self.candidates(art_sig)):
            s = self.score(art_sig, self.sigs[sid])
            if s > best_s:
                best_sid, best_s = sid, s
        return best_sid, best_s


CONFLICT_PENALTY = 0.15
TIME_SCALE_DAYS = 30.0
TIME_PENALTY_MAX = 0.3


RHO = 0.3   # expected similarity of two articles of one story


def size_scale(n: int) -> float:
    """Expected cosine of an article with the centroid of ``n`` articles of its own story,
    relative to a large story: sqrt(n*rho / (1 + (n-1)*rho)).  Small stories are noisier
    centroids, so raw similarities to them are lower; dividing makes scores comparable."""
    return math.sqrt(n * RHO / (1.0 + (n - 1) * RHO))


def _top_identity(weights: Mapping[str, tuple[float, str]]) -> Optional[str]:
    best = [(w, k) for k, (w, t) in weights.items() if t in IDENTITY_TYPES]
    return max(best)[1] if best else None


def _cos(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * big.get(k, 0.0) for k, v in small.items())
    if dot <= 0:
        return 0.0
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def _ordinal(iso: str) -> Optional[int]:
    try:
        return date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None


def _time_penalty(art_dates: list[str], story_dates: Mapping[str, float]) -> float:
    """Grows with the smallest gap (days) between any article date and any story date."""
    a = [d for d in map(_ordinal, art_dates) if d is not None]
    s = [d for d in map(_ordinal, story_dates) if d is not None]
    if not a or not s:
        return 0.0
    gap = min(abs(x - y) for x in a for y in s)
    return TIME_PENALTY_MAX * (1.0 - math.exp(-gap / TIME_SCALE_DAYS))
