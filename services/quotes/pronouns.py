"""Pronoun speakers ("he said", "her rep"): the antecedent a pronoun refers to."""
from __future__ import annotations

import re

from spacy.tokens import Token

from .context import Attribution, Context
from .descriptions import match_description
from .kinds import SUBJECT_DEPS, is_person_noun
from .lexicon import FEMALE_NOUNS, MALE_NOUNS, PRONOUNS_FEMALE, PRONOUNS_MALE, PRONOUNS_NEUTER, PRONOUNS_PLURAL
from .marks import RawQuote
from .mentions import latest_role, mention_tokens
from .names import Person, tokens_text


def _gender_ok(pron: str, person: Person | None, att: Attribution | None = None) -> bool:
    g = person.gender_label if person is not None else None
    if pron in PRONOUNS_MALE:
        return g != "f"
    if pron in PRONOUNS_FEMALE:
        return g != "m"
    return True


def resolve_pronoun(ctx: Context, pron: str, raw: RawQuote, at: int | None = None) -> Attribution | None:
    """The best earlier antecedent for a pronoun speaker.

    Candidates are earlier quote speakers, subjects (names, or definite
    descriptions that match a named person) and other mentions of named people
    (and described speakers) before the pronoun; each scores its distance in
    sentences plus a penalty for being a mere mention, and a penalty when the
    pronoun is gendered but the person's gender is unknown while someone of the
    right gender is also a candidate.  Gender must not clash.  With no candidate
    nearby, the article's most mentioned person of a fitting gender.
    """
    if ctx.body_ctx is not None:
        return None
    plural = pron in PRONOUNS_PLURAL or pron in PRONOUNS_NEUTER
    pos0 = raw.open_start if at is None else min(at, raw.open_start)
    here = ctx.sent_index(pos0)
    cands = []
    for kind, pos, att, person in _antecedents(ctx, pos0):
        dist = here - ctx.sent_index(int(pos))
        if dist > 8:
            continue
        if plural:
            ok = kind == "speaker" and att.speaker_type in ("organisation", "description") and _plural_like(att)
        elif person is not None:
            ok = not person.org and _gender_ok(pron, person)
        elif kind == "speaker" and att.speaker_type == "named":
            ok = not plural  # a named speaker the registry does not know: gender unknown
        else:
            ok = kind == "speaker" and att.speaker_type == "description" and _desc_gender_ok(pron, att)
        if not ok:
            continue
        score = dist + {"speaker": 0.0, "subject": 0.25, "mention": 1.5}[kind]
        cands.append((score, kind, pos, att, person))
    gendered = not plural and pron not in ("i", "you")
    if gendered and any(p is not None and p.gender_label is not None for _, _, _, _, p in cands):
        cands = [(sc + (1.5 if p is not None and p.gender_label is None else 0.0), k, pos, a, p)
                 for sc, k, pos, a, p in cands]
    if not cands:
        if plural:
            return None
        return _salient_fallback(ctx, pron, pos0)
    score, kind, pos, att, person = min(cands, key=lambda c: c[0])
    if person is not None:
        return Attribution(speaker=person.name, speaker_type="pronoun",
                           role=(att.role if att else None) or latest_role(person, int(pos)))
    if att.speaker_type == "named":
        return Attribution(speaker=att.speaker, speaker_type="pronoun", role=att.role)
    return att


def _salient_fallback(ctx: Context, pron: str, pos: int) -> Attribution | None:
    """No antecedent nearby: the most mentioned person so far whose gender fits."""
    people = [(sum(1 for m in p.mentions if m < pos), p) for p in ctx.registry.people
              if not p.org and p.gender_label is not None and _gender_ok(pron, p)]
    people = [(n, p) for n, p in people if n >= 2]
    if not people:
        return None
    people.sort(key=lambda x: -x[0])
    if len(people) > 1 and people[1][0] * 1.5 > people[0][0]:
        return None
    top = people[0][1]
    return Attribution(speaker=top.name, speaker_type="pronoun", role=latest_role(top, pos))


def _plural_like(att: Attribution) -> bool:
    return att.speaker_type == "organisation" or bool(att.speaker and att.speaker.lower().endswith("s"))


def _desc_gender_ok(pron: str, att: Attribution) -> bool:
    words = set(re.findall(r"[a-z]+", (att.speaker or "").lower()))
    if pron in PRONOUNS_MALE and words & FEMALE_NOUNS:
        return False
    if pron in PRONOUNS_FEMALE and words & MALE_NOUNS:
        return False
    if words and list(words)[0].endswith("s") and len(words) == 1:
        return False
    return not (att.speaker or "").lower().endswith(("officials", "sources", "people"))


def _heads_who_clause(t: Token) -> bool:
    """"..., Jane Doe, who directed the film." -- the name is the subject of its
    relative clause, as topical as a subject."""
    return any(c.dep_ == "relcl" and any(w.lower_ == "who" and w.dep_ in SUBJECT_DEPS for w in c.children)
               for c in t.children)


def _antecedents(ctx: Context, pos: int, window: int = 1500):
    """Candidate antecedents before ``pos``, nearest first: earlier speakers,
    subjects and other mentions of named people."""
    events = []
    for r, att in ctx.attributed:
        if r.open_start < pos and att.speaker:
            person = ctx.registry.resolve(att.speaker, r.open_start, org=False) if att.speaker_type != "description" else None
            at = att.mention[0] if att.mention is not None and att.mention[0] < pos else r.open_start
            events.append(("speaker", max(at, r.open_start) + 0.5, att, person))
    lo = ctx.tok_at(max(0, pos - window))
    hi = ctx.tok_at(pos)
    for t in ctx.doc[lo:hi + 1]:
        if t.idx >= pos or ctx.inside[t.i] or t.pos_ != "PROPN" or t.dep_ in ("compound", "flat"):
            continue
        if t.tag_ == "NNPS" or t.ent_type_ == "NORP":
            continue  # "Norwegians", "Liberals": groups, never the antecedent of he/she
        person = ctx.registry.resolve(t.text, t.idx, org=False)
        if person is None or t.lower_ not in person.parts:
            continue
        kind = "subject" if t.dep_ in SUBJECT_DEPS or (t.dep_ == "appos" and t.head.dep_ in SUBJECT_DEPS) \
            or _heads_who_clause(t) else "mention"
        events.append((kind, t.idx, None, person))
    # definite descriptions as subjects ("the director was ...") that match a named person
    here = ctx.sent_index(pos)
    for t in ctx.doc[lo:hi + 1]:
        if t.idx >= pos or ctx.inside[t.i] or t.dep_ not in SUBJECT_DEPS or t.pos_ != "NOUN" or not is_person_noun(t) \
                or ctx.sent_index(t.idx) == here:
            continue
        toks = mention_tokens(ctx, t)
        if toks and toks[0].lower_ == "the":
            person = match_description(ctx, toks, t.idx)
            if person is not None:
                events.append(("subject", t.idx, None, person))
    events.sort(key=lambda e: -e[1])
    return events


def possessive_description(ctx: Context, toks: list[Token], raw: RawQuote) -> str | None:
    """"her rep" -> "<resolved person>'s rep"."""
    first = toks[0]
    if first.lower_ in ("his", "her", "their") and len(toks) > 1:
        target = resolve_pronoun(ctx, {"his": "he", "her": "she", "their": "they"}[first.lower_], raw, at=first.idx)
        if target is not None and target.speaker and target.speaker_type in ("named", "pronoun", "description", "continuation"):
            return f"{target.speaker}'s {tokens_text(ctx.doc, toks[1:])}"
    return None
