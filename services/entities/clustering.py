"""Canonical names within one article: its mentions clustered into entities (pure string logic).

:func:`cluster_names` groups the mentions of one article: exact key matches,
surname / first-name references to a fuller PERSON name, acronyms whose
initials spell a longer name of the article, alias pairs found in the text
(parenthesised definitions, "also known as"), spelling variants of one long
word (:func:`services.entities.aliases.similar_words`), and a small generic
table of universally common abbreviations; each cluster is named by its
fullest well-formed surface.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, NamedTuple, Sequence

from services.entities.aliases import (
    COMMON_ABBREVIATIONS, SIMILAR_MIN_LEN, AliasPair, initials, is_acronym, nickname_at, nickname_parts,
    similar_words,
)
from services.entities.canonical import canonical_key, normalise_surface

__all__ = ["Mention", "cluster_names", "cluster_type"]


class Mention(NamedTuple):
    """One mention of an article as clustering sees it: its surface and its NER type."""

    surface: str
    type: str


_PERSON = "PERSON"
_PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})


def _key_tokens(key: str) -> list[str]:
    return key.split()


class _Group:
    """All surfaces of one key in one article."""

    __slots__ = ("key", "surfaces", "types", "first", "count")

    def __init__(self, key: str, first: int):
        self.key = key
        self.surfaces: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.first = first
        self.count = 0

    @property
    def ntok(self) -> int:
        return len(self.key.split())

    def majority_type(self) -> str:
        return self.types.most_common(1)[0][0] if self.types else ""


def cluster_names(mentions: Sequence[Mention], aliases: Iterable[AliasPair] = ()) -> dict[str, str]:
    """Map every surface of one article to its canonical name.

    ``mentions`` are in text order.  ``aliases`` are optional pairs read from
    the text (e.g. a parenthesised definition); both sides must be surfaces of
    ``mentions`` to take effect.
    Returns ``surface -> canonical name`` for every input surface whose
    normalised form is non-empty.
    """
    groups: dict[str, _Group] = {}
    surface_key: dict[str, str] = {}
    for pos, (surface, etype) in enumerate(mentions):
        norm = normalise_surface(surface, etype)
        key = canonical_key(norm)
        if not key:
            continue
        surface_key[surface] = key
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(key, pos)
        group.surfaces[norm] += 1
        group.types[etype] += 1
        group.count += 1

    parent = {key: key for key in groups}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(short: str, long: str) -> None:
        a, b = find(short), find(long)
        if a != b:
            parent[a] = b

    _link_abbreviations(groups, union)
    _link_aliases(groups, aliases, union)
    _link_acronyms(groups, union)
    _link_spelling_variants(groups, union)
    _link_partial_names(groups, union)
    _link_name_parts(groups, union)

    members: dict[str, list[_Group]] = defaultdict(list)
    for key, group in groups.items():
        members[find(key)].append(group)
    names = {root: _choose_name(gs) for root, gs in members.items()}
    return {surface: names[find(key)] for surface, key in surface_key.items()}


def cluster_type(types: Counter[str], name: str) -> str:
    """Majority type of a cluster; PERSON wins ties for multi-word names."""
    if not types:
        return ""
    ranked = types.most_common()
    best, top = ranked[0]
    tied = [t for t, n in ranked if n == top]
    if len(tied) > 1 and _PERSON in tied and len(name.split()) >= 2:
        return _PERSON
    return best


def _choose_name(groups: list[_Group]) -> str:
    """The fullest well-formed surface: most key tokens, then most frequent spelling; never a
    blended nickname of another surface ("M-Tev" of "Marco Teval", however often written)."""
    items = [(s, n, g) for g in groups for s, n in g.surfaces.items()]
    blends = {s for s, _, _ in items if nickname_parts(s)
              and any(nickname_at(s, t.split()) is not None for t, _, _ in items if t != s)}

    def quality(item: tuple[str, int, _Group]) -> tuple:
        surface, count, group = item
        well_formed = not (surface.isupper() and len(surface.replace(".", "")) > 6)
        return (well_formed, surface not in blends, not is_acronym(surface), group.ntok, group.count, count,
                -group.first)

    best_group = max(items, key=quality)[2]
    # hyphenation/spelling as most frequently written among that key's variants
    variants = [(s, n) for s, n, g in items if g is best_group and not _shouting(s)]
    if not variants:
        variants = [(s, n) for s, n, g in items if g is best_group]
    variants.sort(key=lambda sn: (-sn[1], _shouting(sn[0])))
    for key, long_form in COMMON_ABBREVIATIONS.items():
        if best_group.key == key:
            return long_form
    return variants[0][0]


def _shouting(text: str) -> bool:
    """All-caps multi-letter text that is not an acronym ("EAST VELDORIA")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 6 and all(c.isupper() for c in letters)


def _link_abbreviations(groups: dict[str, _Group], union) -> None:
    """Generic common abbreviations: "US" joins "United States" if present."""
    for key in list(groups):
        long = COMMON_ABBREVIATIONS.get(key)
        if long is None:
            continue
        long_key = canonical_key(long)
        if long_key in groups:
            union(key, long_key)


def _link_aliases(groups: dict[str, _Group], aliases: Iterable[AliasPair], union) -> None:
    for short, long in aliases:
        a = canonical_key(normalise_surface(short))
        b = canonical_key(normalise_surface(long))
        if a in groups and b in groups and a != b:
            union(a, b)


def _link_acronyms(groups: dict[str, _Group], union) -> None:
    """An acronym joins the unique multi-word name of the article spelling its initials."""
    by_initials: dict[str, list[str]] = defaultdict(list)
    for key, group in groups.items():
        if group.ntok < 2:
            continue
        surface = group.surfaces.most_common(1)[0][0]
        ini = initials(surface)
        if len(ini) >= 2:
            by_initials[ini].append(key)
            by_initials["T" + ini + "?"].append(key)  # "TBC" for "The Brenton Courier"
    for key, group in groups.items():
        surface = group.surfaces.most_common(1)[0][0]
        if not is_acronym(surface):
            continue
        letters = surface.replace(".", "")
        targets = [k for k in by_initials.get(letters, []) if k != key]
        if not targets and letters.startswith("T"):
            targets = [k for k in by_initials.get(letters + "?", []) if k != key]
        if len(targets) == 1:
            union(key, targets[0])


def _link_spelling_variants(groups: dict[str, _Group], union) -> None:
    """Keys that differ only in the spelling of their last word are one name.

    Two names of the same length whose other words are equal and whose last
    words are :func:`similar_words` ("Jane Nowitzky" ~ "Jane Nowitzki"), and
    a one-word name similar to the last word of a multi-word PERSON name
    ("Nowitzky" ~ "Jane Nowitzki"), are joined when their types agree
    (places never join persons).  Only the last word may differ: first names
    one letter apart are usually different people ("Daniel" / "Daniela").
    """
    by_shape: dict[tuple, list[_Group]] = defaultdict(list)
    for g in groups.values():
        toks = _key_tokens(g.key)
        if len(toks[-1]) >= SIMILAR_MIN_LEN:
            by_shape[(tuple(toks[:-1]), toks[-1][0])].append(g)
    surnames: dict[str, list[_Group]] = defaultdict(list)
    for g in groups.values():
        toks = _key_tokens(g.key)
        if len(toks) >= 2 and _PERSON in g.types and len(toks[-1]) >= SIMILAR_MIN_LEN:
            surnames[toks[-1][0]].append(g)
    for pool in by_shape.values():
        for i, a in enumerate(pool):
            for b in pool[i + 1:]:
                if _same_kind(a, b) and similar_words(_key_tokens(a.key)[-1], _key_tokens(b.key)[-1]):
                    union(a.key, b.key)
    for g in groups.values():
        toks = _key_tokens(g.key)
        if len(toks) != 1 or not _may_be_person(g):
            continue
        matches = {p.key for p in surnames.get(toks[0][:1], [])
                   if _key_tokens(p.key)[-1] != toks[0] and similar_words(toks[0], _key_tokens(p.key)[-1])}
        if len(matches) == 1:
            union(g.key, matches.pop())


def _same_kind(a: _Group, b: _Group) -> bool:
    """Both may name a person, or they share their majority type."""
    ta, tb = a.majority_type(), b.majority_type()
    if _PERSON in (ta, tb):
        return _may_be_person(a) and _may_be_person(b)
    return _compatible(ta, tb)


def _link_partial_names(groups: dict[str, _Group], union) -> None:
    """Surname / first name -> full PERSON name.

    A shorter name joins a longer one when its tokens are the first or last
    tokens of the longer PERSON name (or a contiguous run at its edge).  When
    several full names qualify (two people sharing a surname) the one first
    mentioned closest before the short form wins, else the most frequent.
    """
    persons = [g for g in groups.values() if g.ntok >= 2 and _PERSON in g.types]
    if not persons:
        return
    edge_index = _edge_index(persons)
    for key, group in groups.items():
        if not _may_be_person(group):
            continue
        candidates = [g for g in edge_index.get(tuple(_key_tokens(key)), []) if g is not group]
        if not candidates:
            continue
        candidates = list({id(g): g for g in candidates}.values())
        target = _pick_candidate(group, candidates)
        if target is not None:
            union(key, target.key)


def _edge_index(longs: list[_Group]) -> dict[tuple[str, ...], list[_Group]]:
    """Every proper run of key tokens at the start or the end of each long name -> those names."""
    edge_index: dict[tuple[str, ...], list[_Group]] = defaultdict(list)
    for g in longs:
        toks = _key_tokens(g.key)
        for n in range(1, len(toks)):
            edge_index[tuple(toks[:n])].append(g)
            edge_index[tuple(toks[-n:])].append(g)
    return edge_index


def _may_be_person(group: _Group) -> bool:
    """Short forms that may refer to a person: tagged PERSON at least once, or never a place.

    Acronyms and the common abbreviations ("UN") never stand for a person's
    name part.  NORP is allowed: the tagger often reads a lone foreign surname
    as a nationality.
    """
    if group.key in COMMON_ABBREVIATIONS or all(is_acronym(s) for s in group.surfaces):
        return False
    if group.types.get(_PERSON):
        return True
    return not any(t in _PLACE_TYPES for t in group.types)


#: Types whose names are shortened by dropping words at either end
#: ("Halden" for "Halden Recovery Center", "Red Hawks" for "Orland Red Hawks").
_SHORTENED_TYPES = frozenset({"ORG", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LOC"})
_ORGLIKE = frozenset({"ORG", "FAC"})


def _compatible(a: str, b: str) -> bool:
    return a == b or (a in _ORGLIKE and b in _ORGLIKE)


def _link_name_parts(groups: dict[str, _Group], union) -> None:
    """A shorter non-person name joins the unique longer name of the same kind it begins or ends.

    Place names (GPE) never shorten this way: "Orland" is not the "Orland Red
    Hawks".  The short form must be capitalised (not all-caps) and the longer
    name must share one of its types (ORG and FAC count as one kind).
    """
    longs = [g for g in groups.values() if g.ntok >= 2 and g.majority_type() in _SHORTENED_TYPES]
    if not longs:
        return
    edge_index = _edge_index(longs)
    for key, group in groups.items():
        gtypes = [t for t in group.types if t in _SHORTENED_TYPES]
        if not gtypes or any(t in ("GPE", _PERSON) for t in group.types):
            continue
        if all(is_acronym(s) for s in group.surfaces) or key in COMMON_ABBREVIATIONS:
            continue
        # any type the tagger gave the short form will do: it often wavers between
        # EVENT and WORK_OF_ART for a title written alone
        toks = _key_tokens(key)
        candidates = [g for g in edge_index.get(tuple(toks), [])
                      if g is not group and any(_compatible(t, g.majority_type()) for t in gtypes)
                      and not _parent_name(group, g, toks)]
        candidates = list({id(g): g for g in candidates}.values())
        if candidates:
            target = _pick_candidate(group, candidates)
            if target is not None:
                union(key, target.key)


def _parent_name(short: _Group, long: _Group, toks: list[str]) -> bool:
    """``short`` begins ``long`` but was written first: a name used before the longer one is
    introduced is not its short form but the name it builds on ("Veltro" ... "Veltro Security
    Lab": the company, then its lab).  News writes a full name first and shortens it after."""
    return _key_tokens(long.key)[:len(toks)] == toks and short.first < long.first


def _pick_candidate(group: _Group, candidates: list[_Group]) -> _Group | None:
    if len(candidates) == 1:
        return candidates[0]
    # prefer the longest names first: "Park" -> "Park Min Jae" over "Park Min"
    longest = max(g.ntok for g in candidates)
    top = [g for g in candidates if g.ntok == longest]
    # candidates that are themselves partial forms of each other are one person
    keys = {g.key for g in top}
    if len(keys) == 1:
        return top[0]
    before = [g for g in top if g.first <= group.first]
    pool = before or top
    pool.sort(key=lambda g: (-g.count, g.first))
    if len(pool) > 1 and pool[0].count == pool[1].count:
        pool.sort(key=lambda g: -g.first)  # nearest earlier mention
    return pool[0]
