"""Decide whether a quoted stretch is speech and whether it is a full or partial quote."""
from __future__ import annotations

import re

from spacy.tokens import Token

from .context import Context
from .cues import after_frame, before_frame, is_cue
from .lexicon import (AFTER_TITLE_NOUNS, EVENT_NOUNS, HONOUR_NOUNS, NAMING_CUES, SPEECH_VERBS, STRONG_NAMING_CUES,
                      TITLE_CASE_MINOR_WORDS, WORK_NOUNS)
from .marks import RawQuote

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
# Prepositions that link a quoted name to the work or honour before it ("the sequel to \"X\"").
_LINK_PREPS = frozenset({"to", "of", "for", "in", "from"})
# Parts of speech that lead a noun phrase in which a quoted stretch modifies the noun.
_MODIFIER_LEAD = frozenset({"DET", "NUM", "ADJ"})
# Subordinators of a contrastive clause that frames the reporter's own description.
_CONTRAST_MARKS = frozenset({"while", "whereas", "although", "though"})


def is_title_case(text: str) -> bool:
    """Every significant word capitalised ("The Big Short", "Meet the Parents")."""
    words = _WORD_RE.findall(text)
    if not words:
        return False
    sig = [w for k, w in enumerate(words) if k == 0 or w.lower() not in TITLE_CASE_MINOR_WORDS]
    return all(w[0].isupper() for w in sig)


def title_is_title_case(title: str) -> bool:
    """Headline style where most words are capitalised (so title case means nothing)."""
    words = [w for w in _WORD_RE.findall(title) if w.lower() not in TITLE_CASE_MINOR_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def is_shouting(text: str, raw: RawQuote) -> bool:
    """An all-capitals line (a teaser headline for another story)."""
    lo = text.rfind("\n", 0, raw.open_start) + 1
    hi = text.find("\n", raw.close_end)
    hi = len(text) if hi < 0 else hi
    letters = [c for c in text[lo:hi] if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _prev_tokens(ctx: Context, raw: RawQuote, n: int = 3) -> list[Token]:
    i = ctx.tok_at(raw.open_start)
    if ctx.doc[i].idx >= raw.open_start:
        i -= 1
    out = []
    while i >= 0 and len(out) < n:
        t = ctx.doc[i]
        if t.idx + len(t.text) <= raw.open_start and not (t.is_punct and t.text in "(["):
            out.append(t)
        i -= 1
    return out  # nearest first


def _next_tokens(ctx: Context, raw: RawQuote, n: int = 2) -> list[Token]:
    i = ctx.tok_at(raw.close_end)
    out = []
    while i < len(ctx.doc) and len(out) < n:
        t = ctx.doc[i]
        if t.idx >= raw.close_end:
            out.append(t)
        i += 1
    return out


def _attributed_nearby(ctx: Context, raw: RawQuote) -> bool:
    """A speech verb right before (X said: / X said,) or right after (, X said) the quote."""
    before = before_frame(ctx, raw)
    if before and (before[-1].text in (":", ",") or is_cue(before[-1], True)) \
            and any(is_cue(t, True) for t in before[-4:]):
        return True
    after = after_frame(ctx, raw)[:5]
    return any(is_cue(t, False) for t in after)


def is_not_quote(ctx: Context, raw: RawQuote, headline: bool = False, title_case_line: bool = False) -> bool:
    """Titles of works, names, nicknames and scare quotes in quote marks."""
    text = ctx.text[raw.start:raw.end]
    words = _WORD_RE.findall(text)
    if not words:
        return True
    prev = _prev_tokens(ctx, raw)
    nxt = _next_tokens(ctx, raw)
    p1 = prev[0].lower_ if prev else ""
    p2 = prev[1].lower_ if len(prev) > 1 else ""
    titlecase = is_title_case(text) and len(words) <= 10 and not raw.unclosed
    p3 = prev[2].lower_ if len(prev) > 2 else ""
    if p1 in STRONG_NAMING_CUES or (p1 in ("as", "called") and p2 in ("known", "so")) \
            or (p1 == "called" and p2 in ("-", "‐") and p3 == "so"):
        return True  # so-called "X" (also when "so-called" is split into three tokens)
    if p1 == "as" and len(prev) > 1 and prev[1].tag_ == "VBN" and prev[1].lemma_.lower() not in SPEECH_VERBS \
            and any(c.dep_ == "auxpass" for c in prev[1].children):
        return True  # was billed as "...", was promoted as "...": a label, nobody speaking
    if p1 in ("on", "about") and p2 in EVENT_NOUNS:
        return True  # a seminar on "...": the name of an event's topic
    if is_title_case(text) and len(words) <= 16 and p1 in WORK_NOUNS and prev[0].pos_ in ("NOUN", "ADJ") \
            and len(prev) > 1 and prev[1].pos_ in ("DET", "NUM", "ADJ", "NOUN"):
        return True  # the musical "The Glass Garden." / the 2005 book "A Long: Sub Title."
    if titlecase and (headline and title_case_line):
        return p1 in WORK_NOUNS or _headline_modifier(prev, nxt)
    if titlecase:
        if p1 in WORK_NOUNS or p1 in NAMING_CUES or p1 in ("'s", "’s"):
            return True
        if p1 in _LINK_PREPS and p2 in WORK_NOUNS | HONOUR_NOUNS:
            return True  # the sequel to "X", a nomination for "Outstanding ..."
        if _in_title_list(ctx, raw):
            return True  # such films as "A," "B" and "C."
        if len(words) <= 3 and not _has_verb(ctx, raw) and _reporter_fragment(ctx, raw, prev, nxt):
            return True  # a short proper-noun phrase inside the reporter's sentence
        if prev and prev[0].pos_ == "PROPN" and prev[0].ent_type_ in ("ORG", "") and nxt \
                and nxt[0].lower_ in AFTER_TITLE_NOUNS:
            return True
        if nxt and nxt[0].lower_ in AFTER_TITLE_NOUNS:
            return True
        if not _attributed_nearby(ctx, raw) and len(words) <= 6:
            return True
    elif len(words) <= 4 and p1 in ("the", "a", "an") and nxt and nxt[0].pos_ == "NOUN" \
            and not _attributed_nearby(ctx, raw):
        return True  # the "feel-good" statement: a scare-quoted modifier
    if _prenominal(ctx, raw, text, prev, nxt):
        return True  # a "take it or leave it" scenario, an 85 percent "fresh" rating
    return False


def _has_verb(ctx: Context, raw: RawQuote) -> bool:
    toks = ctx.doc[ctx.tok_at(raw.start):ctx.tok_at(max(raw.end - 1, raw.start)) + 1]
    return any(t.pos_ in ("VERB", "AUX") for t in toks if raw.start <= t.idx < raw.end)


def _reporter_fragment(ctx: Context, raw: RawQuote, prev: list[Token], nxt: list[Token]) -> bool:
    """A title-case fragment that sits inside the reporter's sentence as a name:
    after a preposition or comparison word, or followed by a relative clause
    ("said "Lantern," which is expected ..."); not the reporter's "the "X," as Y called it"."""
    if not prev or prev[0].is_punct:
        return False
    if nxt and nxt[0].lower_ == "as":
        return False
    rel = nxt[1] if nxt and nxt[0].is_punct and len(nxt) > 1 else nxt[0] if nxt else None
    if rel is not None and rel.lower_ in ("which", "whose") and ctx.text[raw.start:raw.end].rstrip().endswith(","):
        return True  # said "Lantern," which is expected to ...
    text = ctx.text[raw.start:raw.end].rstrip()
    if text.endswith(("!", "?")):
        return False
    return prev[0].pos_ in ("ADP", "SCONJ") or prev[0].lower_ in ("than", "and", "or")


def _in_title_list(ctx: Context, raw: RawQuote) -> bool:
    """A title-case quote next to another title-case quote, joined only by a comma or "and\"/"or"."""
    for r in ctx.raws:
        if r is raw or r.unclosed:
            continue
        gap = ctx.text[raw.close_end:r.open_start] if r.open_start >= raw.close_end else \
            ctx.text[r.close_end:raw.open_start] if r.close_end <= raw.open_start else None
        if gap is None or len(gap) > 6 or gap.strip(" ,").lower() not in ("", "and", "or"):
            continue
        if is_title_case(ctx.text[r.start:r.end]) and len(_WORD_RE.findall(ctx.text[r.start:r.end])) <= 10:
            return True
    return False


def _headline_modifier(prev: list[Token], nxt: list[Token]) -> bool:
    """In a title-case headline, a quoted title between a name and the noun it
    modifies: Director 'Some Film' Talks."""
    return bool(prev and nxt) and prev[0].pos_ == "PROPN" and nxt[0].pos_ in ("NOUN", "PROPN") \
        and nxt[0].text[:1].isupper() and "\n" not in nxt[0].whitespace_


def _prenominal(ctx: Context, raw: RawQuote, text: str, prev: list[Token], nxt: list[Token]) -> bool:
    """The quoted stretch modifies the noun that follows it, after a determiner,
    number or adjective: the reporter names a kind of thing, nobody is quoted."""
    if raw.unclosed or not prev or not nxt or text.rstrip()[-1:] in ".,!?;:" or len(_WORD_RE.findall(text)) > 8:
        return False
    n = nxt[0]
    if n.pos_ != "NOUN" or n.tag_ not in ("NN", "NNS") or not n.text.islower():
        return False
    if ctx.text[raw.close_end:n.idx].strip():
        return False
    if prev[0].pos_ in _MODIFIER_LEAD or prev[0].lower_ in ("a", "an", "the", "of"):
        return True
    # a noun that itself modifies the same head: an 85 percent "fresh" rating
    return prev[0].pos_ == "NOUN" and prev[0].dep_ in ("nmod", "compound", "npadvmod") and prev[0].head.i == n.i


def quote_kind(ctx: Context, raw: RawQuote) -> str:
    """'full' for quoted speech standing on its own, 'partial' for a fragment."""
    if raw.unclosed or raw.merged_open:
        return "full"
    before = ctx.text[ctx.para_span(raw)[0]:raw.open_start]
    before = re.split(r"(?<=[.!?\"”])\s+(?=\S)", before.strip())[-1] if before.strip() else ""
    before = before.strip()
    if not before or before.endswith((":", ",", "—", "–", "\"", "”", ".")):
        return "full"
    prev = _prev_tokens(ctx, raw, 2)
    if prev and (is_cue(prev[0], True) or (prev[0].lower_ == "that" and len(prev) > 1
                                               and is_cue(prev[1], True))):
        inner = [t for t in ctx.doc[ctx.tok_at(raw.start):ctx.tok_at(max(raw.end - 1, raw.start)) + 1]]
        if len(inner) >= 4 and any(t.pos_ in ("VERB", "AUX") for t in inner):
            return "full"
    return "partial"


def embedded_fragment(ctx: Context, raw: RawQuote, cue_i: int | None) -> bool:
    """A short verbless fragment (at most three words) buried in the reporter's
    description rather than in what was reported: between it and the reporting
    verb lies a relative clause, or an adverbial clause that opens the sentence
    ("X, whose career led to a string of "beach-movies", died, her agent said" /
    "While the old rule banned it on the basis of "local factors", an official
    said ...").  Reporters put such
    words in quotes as terms, not as someone's speech."""
    text = ctx.text[raw.start:raw.end]
    words = _WORD_RE.findall(text)
    if not words or len(words) > 3 or raw.unclosed or text.rstrip()[-1:] in ".!?":
        return False
    inner = [t for t in ctx.doc[ctx.tok_at(raw.start):ctx.tok_at(max(raw.end - 1, raw.start)) + 1]
             if raw.start <= t.idx < raw.end]
    if len(words) > 1 and any(t.pos_ in ("VERB", "AUX") for t in inner):
        return False
    heads = [t for t in inner if not (raw.start <= t.head.idx < raw.end) or t.head.i == t.i]
    if len(heads) != 1:
        return False
    t = heads[0]
    for _ in range(12):
        if t.head.i == t.i or t.i == cue_i or t.head.i == cue_i:
            return False
        if t.dep_ in ("relcl", "acl") and t.head.pos_ in ("NOUN", "PROPN"):
            return True
        if t.dep_ == "advcl" and cue_i is not None and t.i < cue_i and \
                any(c.dep_ == "mark" and c.lower_ in _CONTRAST_MARKS for c in t.children):
            return True  # a leading "While X ..." clause: the reporter's framing
        t = t.head
    return False
