"""Entities across the articles of one story.

Each article contributes, per canonical entity key, its mention count, the
name it used, the type and whether the entity is in its title.  A story keeps
the sums in a JSON-able dict (``{key: {...counters...}}``) so that an article's
contribution can be subtracted exactly on revision.  Rendering merges a short
name into a longer one of the same type when that is unambiguous within the
story (surname-only "X" into "Y X") and ranks entities by prominence.
"""
from __future__ import annotations

import functools

import math
import re
import unicodedata
from typing import Iterable, Mapping

from schemas.models import ArticleEntities, StoryEntity

# the entity stage's normaliser keeps keys identical across stages
from services.entities.aliases import initials, is_acronym
from services.entities.canonical import canonical_key
from services.entities.nicknames import nickname_surname

_POSSESSIVE = re.compile(r"['’]s?$")
_SEP = re.compile(r"[\s\-‐‑–—_.]+")
_DROP = re.compile(r"[^\w\s]")
_ARTICLE = re.compile(r"^the\s+")


def local_key(name: str) -> str:
    """casefold, strip accents, unify hyphens/spaces/periods, drop possessive and a leading 'the'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold().strip()
    s = _POSSESSIVE.sub("", s)
    s = s.replace(".", "")            # "U.S." -> "us"
    s = _SEP.sub(" ", s)
    s = _DROP.sub("", s)
    s = _ARTICLE.sub("", " ".join(s.split()))
    return s


@functools.lru_cache(maxsize=1 << 16)   # a pure function of the name, asked for every entity of every article
def entity_key(name: str) -> str:
    """Cross-article key of an entity name: the entity stage's canonical key, in this
    module's spelling (``local_key``); a name without one keeps its own ``local_key``."""
    k = canonical_key(name)
    return local_key(k if k else name)


# ---------------------------------------------------------------- article contribution
def article_entities(ents: ArticleEntities, speakers: Iterable[str] = ()) -> list[dict]:
    """Per-article contribution: one dict per canonical key (merging same-key entities)."""
    out: dict[str, dict] = {}
    for e in ents.entities:
        k = entity_key(e.name)
        counted = e.counted_mentions()   # word recurrences repeat a counted surface: story states stay as before
        if not k or not counted:   # all mentions marked (a name the tagger never found): entity output only
            continue
        rec = out.setdefault(k, {"key": k, "name": e.name, "type": e.type, "mentions": 0, "in_title": False,
                                 "aliases": []})
        rec["mentions"] += max(1, len(counted))
        rec["in_title"] = rec["in_title"] or e.in_title
        for alias in [e.name] + [m.text for m in counted]:
            alias = " ".join(alias.split())
            if alias and alias not in rec["aliases"]:
                rec["aliases"].append(alias)
    return list(out.values())


# ---------------------------------------------------------------- story aggregate
def add_entities(agg: dict, contrib: list[dict], article_id: str, sign: int = 1) -> None:
    """Add (sign=+1) or subtract (sign=-1) an article contribution to a story aggregate."""
    for c in contrib:
        rec = agg.setdefault(c["key"], {"types": {}, "names": {}, "aliases": {}, "mentions": 0,
                                        "arts": {}, "heads": {}})
        rec["mentions"] += sign * c["mentions"]
        _bump(rec["arts"], article_id, sign)
        if c["in_title"]:
            _bump(rec["heads"], article_id, sign)
        _bump(rec["types"], c["type"], sign)
        _bump(rec["names"], c["name"], sign)
        for a in c["aliases"]:
            _bump(rec["aliases"], a, sign)
        if not rec["arts"]:
            del agg[c["key"]]


def _bump(d: dict, k: str, sign: int) -> None:
    d[k] = d.get(k, 0) + sign
    if d[k] <= 0:
        del d[k]


def _top(d: Mapping[str, int]) -> str:
    return max(d.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]


def resolve_short_names(agg: Mapping[str, dict]) -> dict[str, str]:
    """key -> key it merges into, when that is unambiguous within the story.

    A key joins the one entity of the story that

    * has a longer key ending (or, not for persons, starting) with its words, same type:
      "Orland" -> "Orland Red Hawks", surname "Korr" -> "Lena Korr";
    * (persons) has its first and last word around a middle name: "Ana Sorel" ->
      "Ana Maria Sorel";
    * (persons) has its surname and a first name it clips: "Fred Rask" ->
      "Frederick Rask" (clipped forenames, :func:`_clips`);
    * (acronyms, not persons) spells it with its initials: "BWA" -> "Brenton Water
      Authority" (:func:`_acronym_expansions`);
    * (person names) is named inside it, ``k`` being a one-off span that took in a
      neighbouring word: "Dutch Lena Korr" -> "Lena Korr" (:func:`_swallowed`);
    * (persons) is written with ``k`` as its nickname and surname: "Kiki Gray" -> "Kimani
      (Kiki) Gray" (:func:`_nicknamed`).

    Keys are resolved longest first, so a longer key's own merge is known when a shorter one
    looks for its entity: "Korr" joins "Lena Maria Korr" even when the story also has "Lena
    Korr", because that one joins "Lena Maria Korr" too.  A rule applies only when the qualifying
    keys make exactly one entity; later rules see only keys the earlier ones left alone.
    Chains are followed (a -> b -> c).
    """
    types = {k: _top(r["types"]) for k, r in agg.items()}
    by_last: dict[str, list[str]] = {}
    by_first: dict[str, list[str]] = {}
    for o in agg:
        by_last.setdefault(o.split()[-1], []).append(o)
        by_first.setdefault(o.split()[0], []).append(o)
    target: dict[str, str] = {}

    def entity_of(key: str) -> str:
        seen = {key}
        while key in target and target[key] not in seen:
            key = target[key]
            seen.add(key)
        return key

    def one_entity(keys: Iterable[str]) -> str | None:
        found = {entity_of(o) for o in keys}
        return found.pop() if len(found) == 1 else None

    for k in sorted(agg, key=lambda key: (-len(key.split()), key)):
        words = k.split()
        pool = set(by_last.get(words[-1], ())) | (set(by_first.get(words[0], ())) if types[k] != "PERSON" else set())
        longer = [o for o in pool if o != k and types[o] == types[k] and len(o.split()) > len(words)
                  and (o.split()[-len(words):] == words or
                       (types[k] != "PERSON" and o.split()[:len(words)] == words))]
        found = one_entity(longer) or _person_variant(k, agg, types, by_last) \
            or one_entity(_acronym_expansions(k, agg, types)) or one_entity(_swallowed(k, agg, types)) \
            or one_entity(_nicknamed(k, agg, types))
        if found and found != k:
            target[k] = found
    # follow chains (a -> b -> c)
    for k in list(target):
        target[k] = entity_of(k)
    return target


#: A swallowed-word form is a one-off: the key occurs in one article while the person's name it
#: contains stands on its own in at least this many.  Not fitted: structural (a form that one
#: article uses once against a name that the story confirms elsewhere), not a tuned value.
_SWALLOW_MIN_ARTICLES = 2


def _swallowed(k: str, agg: Mapping[str, dict], types: Mapping[str, str]) -> list[str]:
    """The full person names of the story that ``k`` is made of plus words in front (or, when
    ``k`` is itself a person, behind): "Dutch Lena Korr" -> "Lena Korr", "Coach Lena Korr",
    "Lena Korr Wins" -> "Lena Korr" (a span that took in a nationality, a role the tables do
    not know or a headline word).

    Only for a key found in one article, and only person names of two words or more that the
    story uses on their own in :data:`_SWALLOW_MIN_ARTICLES` articles or more.  Names of
    things are left alone: most longer names that contain one are other entities ("Orland
    Post" is not "Orland"), and a person's name followed by other words usually names a thing
    after the person ("Lena Korr Institute"), unless the tagger still took it for a person."""
    if len(agg[k]["arts"]) != 1:
        return []
    words = k.split()
    parts = {" ".join(words[i:]) for i in range(1, len(words) - 1)}
    if types[k] == "PERSON":
        parts |= {" ".join(words[:i]) for i in range(2, len(words))}
    return [p for p in parts if p in agg and types[p] == "PERSON"
            and len(agg[p]["arts"]) >= _SWALLOW_MIN_ARTICLES]


def _nicknamed(k: str, agg: Mapping[str, dict], types: Mapping[str, str]) -> list[str]:
    """The person keys of the story with a name that has ``k``'s words as its nickname and
    surname: "kiki gray" -> "kimani gray" (named 'Kimani (Kiki) Gray' in some article), "jerry
    ortiz" -> 'Luis Gerardo "Jerry" Ortiz' (:mod:`services.entities.nicknames`)."""
    if types[k] != "PERSON" or len(k.split()) < 2:
        return []
    return [o for o in agg if o != k and types[o] == "PERSON" and k in _nickname_keys(agg[o]["names"])]


def _nickname_keys(names: Iterable[str]) -> set[str]:
    return {entity_key(short) for n in names if (short := nickname_surname(n)) is not None}


def _acronym_expansions(k: str, agg: Mapping[str, dict], types: Mapping[str, str]) -> list[str]:
    """The keys of the story whose name's initials spell the acronym ``k``: "BWA" ->
    "Brenton Water Authority" (in another article, where the text never states the pair).

    Only when every name the story gives ``k`` is an acronym, and neither side is a person
    (an acronym names an organisation, place or thing far more often than a person)."""
    if types[k] == "PERSON" or not all(is_acronym(n) for n in agg[k]["names"]):
        return []
    letters = k.replace(" ", "")
    return [o for o in agg if o != k and types[o] != "PERSON" and len(o.split()) >= 2
            and any(initials(n).casefold() == letters for n in agg[o]["names"])]


#: A clipped forename keeps at least this many letters of the full one ("Fred" of
#: "Frederick"); shorter prefixes ("Al", "Jo") are initials or other names as often.  Not
#: fitted: a linguistic bound (a clipped forename is a syllable or more), not a tuned value.
_CLIP_MIN = 3


def _clips(short: str, full: str) -> bool:
    """``short`` is a clipped form of the forename ``full``: "fred"/"frederick", "alex"/"alexandra"."""
    return _CLIP_MIN <= len(short) < len(full) and full.startswith(short)


def _person_variant(k: str, agg: Mapping[str, dict], types: Mapping[str, str],
                    by_last: Mapping[str, list[str]]) -> str | None:
    """The one longer person key with the same first and last word around middle names, else
    the one with the same surname whose forename ``k``'s clips."""
    words = k.split()
    if types[k] != "PERSON" or len(words) < 2:
        return None
    same_last = [o for o in by_last.get(words[-1], ()) if o != k and types[o] == "PERSON"]
    middle = [o for o in same_last if len(o.split()) > len(words) and o.split()[0] == words[0]]
    if len(middle) == 1:
        return middle[0]
    clipped = [o for o in same_last if len(o.split()) == len(words) and _clips(words[0], o.split()[0])]
    return clipped[0] if len(clipped) == 1 and not middle else None


def merged_entities(agg: Mapping[str, dict], speaker_keys: Iterable[str] = ()) -> list[dict]:
    """One merged dict per real entity, ranked by prominence (rank 1 = most prominent)."""
    target = resolve_short_names(agg)
    groups: dict[str, list[str]] = {}
    for k in agg:
        groups.setdefault(target.get(k, k), []).append(k)
    speakers = set(speaker_keys)
    out = []
    for head, keys in groups.items():
        recs = [agg[k] for k in keys]
        names: dict[str, int] = {}
        aliases: dict[str, int] = {}
        types: dict[str, int] = {}
        for r in recs:
            for d, src in ((names, r["names"]), (aliases, r["aliases"]), (types, r["types"])):
                for n, c in src.items():
                    d[n] = d.get(n, 0) + c
        head_names = agg[head]["names"]
        quoted = any(k in speakers for k in keys) or any(s.split()[-1:] == [k] for s in speakers for k in keys)
        out.append({
            "key": head,
            "name": max(head_names.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0],
            "type": _top(types),
            "aliases": sorted(aliases, key=lambda a: (-aliases[a], a)),
            "mentions": sum(r["mentions"] for r in recs),
            "articles": len(set().union(*(r["arts"] for r in recs))),
            "in_headlines": len(set().union(*(r["heads"] for r in recs))),
            "quoted": quoted,
        })
    out.sort(key=lambda e: (-prominence(e), e["name"]))
    for i, e in enumerate(out, 1):
        e["rank"] = i
    return out


def prominence(e: Mapping) -> float:
    """Articles naming it weigh most, then headlines, mentions (log-damped) and being quoted."""
    return 2.0 * e["articles"] + 1.5 * e["in_headlines"] + math.log1p(e["mentions"]) + (1.0 if e["quoted"] else 0.0)


def story_entities(agg: Mapping[str, dict], speaker_keys: Iterable[str] = ()) -> list[StoryEntity]:
    return [StoryEntity(name=e["name"], type=e["type"], aliases=e["aliases"], mentions=e["mentions"],
                        articles=e["articles"], in_headlines=e["in_headlines"], quoted=e["quoted"], rank=e["rank"])
            for e in merged_entities(agg, speaker_keys)]
