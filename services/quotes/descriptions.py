"""Described speakers ("the vice president", "the paper", "the pair", "says one"):
the named person, organisation or group a description stands for, when the
article gives one."""
from __future__ import annotations

import re

from spacy.tokens import Token

from .context import Context
from .kinds import is_person_noun
from .lexicon import (ANONYMOUS_NOUNS, FEMALE_NOUNS, GROUP_WORDS, MALE_NOUNS, ORG_NOUNS, PRESS_ORG_KINDS,
                      ROLE_SYNONYMS)
from .marks import RawQuote
from .mentions import mention_tokens
from .names import Person, tokens_text

def _role_words(text: str) -> set[str]:
    """The content words of a role, synonyms made one ("spokeswoman" -> "spokesperson")."""
    words = set()
    for w in re.findall(r"[a-z]+", text.lower()):
        words.add(ROLE_SYNONYMS.get(w, w))
    return words - {"the", "a", "an", "of", "s", "at", "for", "and", "in"}


def match_description(ctx: Context, toks: list[Token], pos: int | None) -> Person | None:
    """A definite description ("the vice president") that matches a role given earlier."""
    if not toks or toks[0].lower_ != "the":
        return None
    words = _role_words(tokens_text(ctx.doc, toks))
    if not words:
        return None
    best, best_pos = None, -1
    for person in ctx.registry.people:
        if person.org:
            continue
        for role, p in person.roles:
            if (pos is None or p <= pos) and words <= _role_words(role) and p > best_pos:
                best, best_pos = person, p
    if best is None and pos is not None:
        best = _salient_person(ctx, toks, pos)
    return best


def _salient_person(ctx: Context, toks: list[Token], pos: int) -> Person | None:
    """"the actress" -> the article's main person so far, when the noun fits them."""
    head = toks[-1] if toks[-1].pos_ == "NOUN" else next((t for t in reversed(toks) if t.pos_ == "NOUN"), None)
    if head is None or head.tag_ == "NNS" or head.lemma_.lower() in ANONYMOUS_NOUNS or not is_person_noun(head) \
            or any(t.pos_ == "ADP" for t in toks):
        return None
    people = [(sum(1 for m in p.mentions if m < pos), p) for p in ctx.registry.people if not p.org]
    people = [(n, p) for n, p in people if n >= 2]
    if not people:
        return None
    people.sort(key=lambda x: -x[0])
    n, top = people[0]
    if len(people) > 1 and people[1][0] * 1.5 > n:
        return None
    word = head.lemma_.lower()
    if (word in FEMALE_NOUNS and top.gender_label == "m") or (word in MALE_NOUNS and top.gender_label == "f"):
        return None
    return top


def group_speaker(ctx: Context, subj: Token, toks: list[Token], raw: RawQuote) -> str | None:
    """"the pair said" -> the latest speaker that was several named people;
    "says one" -> one of the latest plural people described ("sources close to X")."""
    words = {t.lower_ for t in toks}
    if ctx.body_ctx is None and words & GROUP_WORDS and not any(is_person_noun(t) for t in toks):
        for r, a in reversed(ctx.attributed):
            if r.open_start < raw.open_start and a.speaker and " and " in a.speaker \
                    and a.speaker_type in ("named", "pronoun", "continuation"):
                return a.speaker
        return None
    if subj.lower_ == "one" and len(toks) == 1:
        here = ctx.sent_index(raw.open_start)
        lo = ctx.tok_at(ctx.sent_starts[max(0, here - 2)])
        for t in reversed(ctx.doc[lo:subj.i]):
            if t.tag_ == "NNS" and is_person_noun(t) and not ctx.inside[t.i]:
                phrase = mention_tokens(ctx, t)
                rest = [x for x in phrase if x.i != t.i and x.pos_ != "DET"]
                before = tokens_text(ctx.doc, [x for x in rest if x.i < t.i])
                right = [x for x in rest if x.i > t.i]
                for c in t.children:
                    if c.dep_ == "acl" and c.i == t.i + 1 and not right:
                        sub = [x for x in c.subtree if not ctx.inside[x.i]]
                        cut = next((k for k, x in enumerate(sub) if x.is_punct or x.pos_ in ("AUX", "SCONJ")), len(sub))
                        right = sub[:cut] if cut <= 10 else []
                after = tokens_text(ctx.doc, right)
                return " ".join(w for w in ("a", before, t.lemma_.lower(), after) if w)
    return None


def described_org(ctx: Context, subj: Token, toks: list[Token], pos: int) -> str | None:
    """"the paper" -> the latest organisation introduced as one ("daily X",
    "the newspaper X"); "the ministry" -> the latest organisation with that word in its name."""
    word = subj.lemma_.lower()
    kind = next((k for k in PRESS_ORG_KINDS if word in k or subj.lower_ in k), None)
    if kind is None and word not in ORG_NOUNS:
        return None
    if any(t.pos_ == "ADP" for t in toks):
        return None
    best = None
    for ent in ctx.doc.ents:
        if ent.start_char >= pos or ent.label_ not in ("ORG", "GPE", "PERSON", "NORP", "WORK_OF_ART") \
                or any(ctx.inside[t.i] for t in ent):
            continue
        names = {t.lower_ for t in ent} | {t.lemma_.lower() for t in ent}
        before = [t for t in ctx.doc[max(0, ent.start - 3):ent.start] if t.pos_ in ("NOUN", "ADJ", "PROPN")]
        words = names | {t.lower_ for t in before} | {t.lemma_.lower() for t in before}
        if kind is not None:
            hit = bool(words & kind) and not (names & kind and ent.label_ == "PERSON")
        else:
            hit = ent.label_ == "ORG" and (word in names or subj.lower_ in names)
        if hit:
            best = ent
    if best is None:
        return None
    text = best.text
    if best[0].lower_ == "the" or (kind is None and ctx.doc[best.start - 1].lower_ == "the"):
        text = text if best[0].lower_ == "the" else "the " + text
    return text
