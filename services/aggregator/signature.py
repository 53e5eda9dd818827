"""Story signatures: what clustering knows of an article and of a story.

An article's signature holds its salient entities (weighted by type, mentions and whether the
headline names them), its body terms, headline words, own date, publication day and quote
shingles.  A story's signature is the sum of its articles' (entity weights, log term
frequencies, headline words, own dates, publication days, quote shingles): every sum is exactly
reversible, so a revision subtracts what the old version added.  A closed story keeps a light
copy (its heaviest features) to be matched on.
"""
from __future__ import annotations

import heapq
import math
import re
from typing import Iterable, Mapping, Optional

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


def story_of(sigs: Iterable[dict]) -> dict:
    st: dict = {}
    for s in sigs:
        add_signature(st, s)
    return st


def copy_signature(sig: dict) -> dict:
    """A copy of a story signature deep enough for ``add_signature`` to change it."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in sig.items()}
    out["ents"] = {k: {**e, "ty": dict(e["ty"])} for k, e in sig.get("ents", {}).items()}
    return out
