"""One quote per statement: merge the quotes of one story across articles.

A story keeps its quotes as JSON-able groups ``{"quote_id", "first_seen",
"variants": [...]}``; each variant is one quote of one article (article id,
index in the article, text, kind, speaker).  Matching is on normalised tokens
(dashes, ellipses, quote styles, apostrophes, contractions and hyphenation
unified) with the speaker as a guard: two quotes can only be linked when their
speakers are compatible (same key, one is a short form of the other, or one is
unknown).

Linking rules (documented decision):

* **strong link** - the shorter wording has >= ``MIN_STATEMENT`` tokens and at
  least ``MIN_COVER`` of it is found, in order, in the longer one (e.g. a full
  quote and a trimmed or re-punctuated wording of it, or a long partial inside
  the full quote), or both wordings are identical.  Strong links merge groups
  transitively: a fuller wording that contains two shorter ones joins them.
* **weak link** - a short fragment (2 .. ``MIN_STATEMENT``-1 tokens, e.g. the
  headline/partial "grave error") contained word for word in a longer
  wording.  A fragment joins at most ONE statement (the one where it occurs in
  most variants, then the earliest), so a fragment never bridges two distinct
  statements; a new full quote likewise absorbs groups made only of fragments
  it contains.  Single-word fragments merge only with identical wordings.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import OrderedDict
from difflib import SequenceMatcher
from typing import Iterable, Optional

from schemas.models import QuoteVariant, StoryQuote

from services.aggregator.caps import DEFAULT_CAPS, StateCaps, first_distinct
from services.aggregator.entities import entity_key

MIN_STATEMENT = 5      # tokens: below this a wording is a fragment
MIN_COVER = 0.8        # share of the shorter wording found in the longer one

_QUOTES = dict.fromkeys(map(ord, "\"“”„‟«»‹›"), " ")
_APOS = dict.fromkeys(map(ord, "’‘‛`´"), "'")
_DASHES = re.compile(r"[‐‑‒–—―\-]+|\.{2,}|…")
_CONTRACTIONS = [
    (re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"), (re.compile(r"'re\b"), " are"), (re.compile(r"'m\b"), " am"),
    (re.compile(r"'ll\b"), " will"), (re.compile(r"'ve\b"), " have"), (re.compile(r"'d\b"), " would"),
    (re.compile(r"\b(it|that|he|she|there|what|who|here|where)'s\b"), r"\1 is"),
    (re.compile(r"\blet's\b"), "let us"), (re.compile(r"'s\b"), ""),
]
_WORD = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """Tokens of a wording with typography and spelling variants unified."""
    s = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES).translate(_APOS)
    s = _DASHES.sub(" ", s)
    for pat, rep in _CONTRACTIONS:
        s = pat.sub(rep, s)
    return _WORD.findall(s.replace("_", " "))


@functools.lru_cache(maxsize=8192)   # hot set: the wordings of open stories' quotes
def _toks(text: str) -> tuple[str, ...]:
    return tuple(normalise(text))


def speaker_key(name: Optional[str]) -> Optional[str]:
    if not name:
        return None
    return entity_key(name) or None


def speakers_compatible(a: Optional[str], b: Optional[str]) -> bool:
    """Same speaker key, one unknown, or one's words are the trailing words of the other's."""
    if a is None or b is None or a == b:
        return True
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return long_[-len(short):] == short


def link(a, b) -> Optional[str]:
    """'strong', 'weak' or None between two normalised wordings."""
    a, b = tuple(a), tuple(b)
    if not a or not b:
        return None
    if a == b:
        return "strong"
    s, l = (a, b) if len(a) <= len(b) else (b, a)
    if len(s) < 2:
        return None
    ss, common = set(s), set(s) & set(l)
    if len(common) < (len(ss) if len(s) < MIN_STATEMENT else MIN_COVER * len(ss) - 1e-9):
        return None
    sm = SequenceMatcher(None, s, l, autojunk=False)
    blocks = sm.get_matching_blocks()
    longest = max(bl.size for bl in blocks)
    if len(s) < MIN_STATEMENT:
        return "weak" if longest == len(s) else None
    matched = sum(bl.size for bl in blocks if bl.size >= 2)
    return "strong" if matched / len(s) >= MIN_COVER else None


# ---------------------------------------------------------------- groups
def quote_id(article_id: str, text: str) -> str:
    return "q-" + hashlib.sha1(f"{article_id}|{' '.join(normalise(text))}".encode()).hexdigest()[:12]


def _is_fragment_group(g: dict) -> bool:
    return all(len(toks) < MIN_STATEMENT for toks, _ in _wordings(g))


def _known_speakers(g: dict) -> set:
    return {key for _, key in _wordings(g) if key}


def _compatible_sets(a: set, b: set) -> bool:
    return all(speakers_compatible(x, y) for x in a for y in b)


# id(variants list) -> (the list, its length, counts); least recently used first
_WORDINGS: OrderedDict[int, tuple[list, int, dict]] = OrderedDict()
_WORDINGS_MAX = 4096   # a safety bound: entries leave with their story (``forget``)


def _wordings(g: dict) -> dict[tuple, int]:
    """A group's distinct (normalised wording, speaker key) -> number of variants.

    Kept in memory beside the group (keyed by its variants list, checked by identity and
    length; not persisted), so placing a quote costs the distinct wordings of a story, not
    every copy of them: repeated wire copy would make a story's quote grouping quadratic."""
    vs = g["variants"]
    hit = _WORDINGS.get(id(vs))
    if hit is not None and hit[0] is vs and hit[1] == len(vs):
        _WORDINGS.move_to_end(id(vs))
        return hit[2]
    counts: dict[tuple, int] = {}
    for w in vs:
        key = (_toks(w["text"]), w["speaker_key"])
        counts[key] = counts.get(key, 0) + 1
    _remember(vs, counts)
    return counts


def forget(groups: Iterable[dict]) -> None:
    """Drop the cached counts of these groups (a story leaving memory, groups dissolved): the
    cache holds their variant lists, which must not outlive the story's own record."""
    for g in groups:
        _WORDINGS.pop(id(g["variants"]), None)


def is_cached(g: dict) -> bool:
    """Whether the counts of a group's wordings are in memory (see :func:`forget`)."""
    return id(g["variants"]) in _WORDINGS


def _remember(vs: list, counts: dict) -> None:
    _WORDINGS[id(vs)] = (vs, len(vs), counts)   # (holding the list: its id cannot be reused)
    _WORDINGS.move_to_end(id(vs))
    while len(_WORDINGS) > _WORDINGS_MAX:
        _WORDINGS.popitem(last=False)


def add_variant(groups: list[dict], v: dict) -> dict:
    """Place variant ``v`` (dict with article_id, idx, text, kind, speaker, speaker_key,
    first_seen) into ``groups`` (mutated); return its group."""
    toks = _toks(v["text"])
    strong: list[tuple[int, dict]] = []
    weak: list[tuple[int, int, dict]] = []       # (-hits, order, group)
    for order, g in enumerate(groups):
        hits, is_strong = 0, False
        for (wtoks, wkey), count in _wordings(g).items():   # repeated wire copy: each once
            if not speakers_compatible(v["speaker_key"], wkey):
                continue
            k = link(toks, wtoks)
            if k == "strong":
                is_strong = True
                break
            if k:
                hits += count
        if is_strong:
            strong.append((order, g))
        elif hits:
            weak.append((-hits, order, g))
    mine = {v["speaker_key"]} - {None}
    chosen: list[dict] = []
    for _, g in strong:
        if _compatible_sets(mine | set().union(*(_known_speakers(c) for c in chosen)), _known_speakers(g)):
            chosen.append(g)
    if len(toks) >= MIN_STATEMENT:
        # a statement absorbs groups made only of fragments it contains
        for _, _, g in sorted(weak, key=lambda t: t[1]):
            if _is_fragment_group(g) and _compatible_sets(mine, _known_speakers(g)):
                chosen.append(g)
    elif not chosen and weak:
        chosen.append(sorted(weak, key=lambda t: (t[0], t[1]))[0][2])
    if not chosen:
        g = {"quote_id": quote_id(v["article_id"], v["text"]), "first_seen": v["first_seen"], "variants": [v]}
        groups.append(g)
        return g
    head = min(chosen, key=lambda g: groups.index(g))
    counts = _wordings(head)
    for g in chosen:
        if g is not head:
            head["variants"].extend(g["variants"])
            for key, n in _wordings(g).items():
                counts[key] = counts.get(key, 0) + n
            forget([g])
            groups.remove(g)
    head["variants"].append(v)
    key = (toks, v["speaker_key"])
    counts[key] = counts.get(key, 0) + 1
    head["variants"].sort(key=lambda w: (w["first_seen"], w["seq"]))
    _remember(head["variants"], counts)
    head["first_seen"] = head["variants"][0]["first_seen"]
    head["quote_id"] = quote_id(head["variants"][0]["article_id"], head["variants"][0]["text"])
    return head


def remove_article(groups: list[dict], article_id: str) -> list[dict]:
    """Groups without ``article_id``'s variants; groups that lost a variant are re-clustered
    from their remaining variants (a removed wording may have been the bridge)."""
    keep, redo = [], []
    for g in groups:
        if any(v["article_id"] == article_id for v in g["variants"]):
            redo.extend(v for v in g["variants"] if v["article_id"] != article_id)
            forget([g])
        else:
            keep.append(g)
    for v in sorted(redo, key=lambda w: (w["first_seen"], w["seq"])):
        add_variant(keep, v)
    return keep


def article_variants(article_id: str, quotes: Iterable, first_seen: str, seq0: int) -> list[dict]:
    """Variants of one article's QuoteMentions (``seq`` orders variants globally)."""
    out = []
    for i, q in enumerate(quotes):
        if not _toks(q.text):
            continue
        out.append({"article_id": article_id, "idx": i, "text": q.text, "kind": q.kind,
                    "speaker": q.speaker, "speaker_key": speaker_key(q.speaker),
                    "role": q.speaker_role, "first_seen": first_seen, "seq": seq0 + i})
    return out


# ---------------------------------------------------------------- rendering
_KIND_ORDER = {"full": 0, "partial": 1, "headline": 2}


def group_speaker(g: dict) -> Optional[str]:
    names: dict[str, int] = {}
    for v in g["variants"]:
        if v["speaker"]:
            names[v["speaker"]] = names.get(v["speaker"], 0) + 1
    if not names:
        return None
    return max(names, key=lambda n: (len(n.split()), names[n], n))


def canonical_variant(g: dict) -> dict:
    """The fullest wording (most tokens; full before partial before headline; earliest)."""
    return min(g["variants"], key=lambda v: (-len(_toks(v["text"])), _KIND_ORDER[v["kind"]], v["seq"]))


def story_quote(g: dict, caps: StateCaps = DEFAULT_CAPS) -> StoryQuote:
    """The quote as a state lists it: its article ids (first ``caps.quote_articles`` by arrival)
    and wordings (``caps.quote_variants``: each distinct wording's first variant first, then the
    earliest others; listed by arrival), with the true counts beside them."""
    best = canonical_variant(g)
    kinds = {v["kind"] for v in g["variants"]}
    kind = min(kinds, key=_KIND_ORDER.get)
    aids = list(dict.fromkeys(v["article_id"] for v in g["variants"]))
    shown = first_distinct(g["variants"], lambda v: (v["text"], v["kind"]), caps.quote_variants)
    return StoryQuote(quote_id=g["quote_id"], text=best["text"], speaker=group_speaker(g), kind=kind,
                      article_ids=aids[:caps.quote_articles], articles_total=len(aids),
                      first_seen=g["first_seen"], variants_total=len(g["variants"]),
                      variants=[QuoteVariant(article_id=v["article_id"], text=v["text"], kind=v["kind"])
                                for v in shown])
