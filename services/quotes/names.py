"""The people (and organisations) an article names: canonical full names, roles
given with them, and a best guess at grammatical gender for pronoun resolution."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span as SpacySpan, Token

from services.common.doc_text import text_of

from .lexicon import (APPOSITION_PERSON_SUFFIXES, COURTESY_TITLES, FEMALE_NAME_ENDINGS, FEMALE_NOUNS,
                      FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, HONORIFICS_FEMALE, HONORIFICS_MALE,
                      MALE_NAMES_FEMALE_ENDINGS, MALE_NOUNS, ORG_NOUNS, PERSON_NAME_TITLES, PERSON_NOUNS,
                      PRONOUNS_FEMALE, PRONOUNS_MALE, THING_NOUNS, TITLE_WORDS)
from .marks import find_quotes

_POSSESSIVE = ("'s", "’s", "'", "’")
_SPLIT_RE = re.compile(r"[\s\-‐‑]+")


def name_parts(name: str) -> list[str]:
    """Lower-cased parts of a name, split on spaces and hyphens, without dots."""
    return [p.strip(".,").lower() for p in _SPLIT_RE.split(name) if p.strip(".,")]


def clean_name_tokens(tokens: list[Token]) -> list[Token]:
    """Drop leading titles/honorifics and a trailing possessive from a name."""
    toks = list(tokens)
    # a name ends at punctuation other than hyphens and initials' dots ("Jane Roe: A Life ...")
    for k, t in enumerate(toks):
        if k and t.is_punct and t.text not in ("-", "‐", ".", "'s", "’s") and not t.text.endswith("."):
            toks = toks[:k]
            break
        if t.text[:1] in "\"“”‘'`" and t.text not in ("'s", "’s"):
            toks = toks[:k]
            break
    titles = [k for k, t in enumerate(toks[:-1]) if t.text.lower() in TITLE_WORDS and t.text[:1].isupper()]
    if titles and len(toks) - titles[-1] - 1 >= 1:
        toks = toks[titles[-1] + 1:]  # "Foreign Minister Jan Novak" -> "Jan Novak"
    while toks and (toks[0].text.lower() in TITLE_WORDS or toks[0].pos_ in ("DET", "PUNCT")
                    or toks[0].text.islower() or (len(toks) > 2 and toks[0].text.lower() in PERSON_NOUNS)):
        toks = toks[1:]
    while toks and (toks[-1].text in _POSSESSIVE or toks[-1].pos_ == "PUNCT"):
        toks = toks[:-1]
    return toks


def tokens_text(doc: Doc, tokens: list[Token]) -> str:
    """The document text from the first to the last of ``tokens`` (spacing as printed)."""
    if not tokens:
        return ""
    return text_of(doc)[tokens[0].idx: tokens[-1].idx + len(tokens[-1].text)]


@dataclass
class Person:
    """A named person (or organisation: ``org``) of one article, with the positions of its
    mentions, the roles given with it and a gender score from the evidence."""

    name: str
    parts: list[str]
    mentions: list[int] = field(default_factory=list)  # char offsets in the body
    roles: list[tuple[str, int]] = field(default_factory=list)
    gender: float = 0.0  # > 0 male, < 0 female
    org: bool = False

    @property
    def gender_label(self) -> str | None:
        if self.gender > 0.3:
            return "m"
        if self.gender < -0.3:
            return "f"
        return None


def first_name_gender(first: str) -> float:
    """A weak generic guess from a first name's form."""
    f = first.lower()
    if f in FIRST_NAMES_FEMALE:
        return -0.6
    if f in FIRST_NAMES_MALE:
        return 0.6
    if f.endswith(FEMALE_NAME_ENDINGS) and f not in MALE_NAMES_FEMALE_ENDINGS and len(f) > 2:
        return -0.4
    return 0.0


class Registry:
    """Named people and organisations of one article."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.forms: dict[str, Counter] = defaultdict(Counter)

    # ------------------------------------------------------------ building
    def add(self, name: str, pos: int, org: bool = False) -> Person | None:
        parts = name_parts(name)
        if not parts:
            return None
        key = " ".join(parts)
        for p in self.people:
            if " ".join(p.parts) == key:
                p.mentions.append(pos)
                self.forms[key][name] += 1
                if not org:
                    p.org = False
                return p
        person = Person(name, parts, [pos], org=org)
        self.people.append(person)
        self.forms[key][name] += 1
        return person

    def finish(self) -> None:
        """Merge short forms into the full name they belong to ("Okafor" into
        "Ada Okafor"), treat a name as a person if any form of it was tagged
        as one, and use the most frequent printed form as the display name."""
        for p in self.people:
            if p.org and _name_shaped(p.parts):
                p.org = False
        persons_last = {p.parts[-1] for p in self.people if not p.org}
        for p in self.people:
            if p.org and len(p.parts) <= 3 and p.parts[-1] in persons_last:
                p.org = False
        for short in sorted(self.people, key=lambda p: len(p.parts)):
            fuller = [p for p in self.people if len(p.parts) > len(short.parts) and _contains(p.parts, short.parts)
                      and p.org == short.org]
            if len(fuller) == 1 or (fuller and len({tuple(f.parts[-1:]) for f in fuller}) == 1):
                target = max(fuller, key=lambda f: len(f.mentions))
                target.mentions += short.mentions
                target.roles += short.roles
                target.gender += short.gender
                short.mentions = []
        self.people = [p for p in self.people if p.mentions]
        for p in self.people:
            p.mentions.sort()
            p.roles.sort(key=lambda r: r[1])
            forms = self.forms[" ".join(p.parts)]
            p.name = forms.most_common(1)[0][0]

    # ------------------------------------------------------------ lookups
    def resolve(self, name: str, pos: int | None = None, org: bool | None = None) -> Person | None:
        """The fullest registered name that ``name`` is a form of."""
        parts = name_parts(name)
        if not parts:
            return None
        pool = [p for p in self.people if org is None or p.org == org]
        cands = [p for p in pool if _contains(p.parts, parts)]
        if not cands and len(parts) == 1:
            cands = [p for p in pool if parts[0] in p.parts]
        if not cands:
            return None
        longest = max(len(p.parts) for p in cands)
        # prefer the longest names, then the one mentioned last before pos
        best = [p for p in cands if len(p.parts) == longest] if len(parts) == 1 else cands
        if len(best) == 1:
            return best[0]
        return max(best, key=lambda p: (len(p.parts) == longest, _last_before(p, pos), -p.mentions[0]))


def _name_shaped(parts: list[str]) -> bool:
    """An organisation-tagged name that looks like a person's ("Jane Roe")."""
    return 2 <= len(parts) <= 3 and first_name_gender(parts[0]) != 0 and not set(parts) & ORG_NOUNS


def _contains(full: list[str], part: list[str]) -> bool:
    """All parts of ``part`` occur in ``full`` and they share the last part."""
    if len(part) > len(full):
        return False
    for x in part:                   # (names are a few words: no sets to build)
        if x not in full:
            return False
    return part[-1] == full[-1] or len(part) == len(full) or (len(part) == 1 and part[0] == full[0])


def _last_before(p: Person, pos: int | None) -> int:
    if pos is None:
        return len(p.mentions)
    before = [m for m in p.mentions if m <= pos]
    return max(before) if before else -1


# ------------------------------------------------------------------ roles
def role_before(doc: Doc, start: int, stop_tokens: set[int]) -> list[Token]:
    """Title/role tokens right before a name: "ministry spokesman", "Vice President"."""
    toks: list[Token] = []
    i = start - 1
    while i >= 0:
        t = doc[i]
        if i in stop_tokens or t.pos_ not in ("PROPN", "NOUN", "ADJ", "PART") or t.dep_ == "det":
            break
        if t.pos_ == "PART" and t.text not in _POSSESSIVE:
            break
        if t.is_sent_start and t.pos_ not in ("PROPN", "NOUN"):
            break
        toks.insert(0, t)
        if t.is_sent_start:
            break
        i -= 1
    while toks and (toks[0].text in _POSSESSIVE):
        toks = toks[1:]
    while toks and toks[-1].text.lower() in TITLE_WORDS and toks[-1].text[:1].isupper() \
            and toks[-1].text.lower().rstrip(".") in COURTESY_TITLES:
        toks = toks[:-1]
    return toks


def appositive_role(doc: Doc, ent: SpacySpan) -> list[Token]:
    """The appositive after a name: "X, a professor at Y, said" -> "a professor at Y"."""
    end = ent.end
    if end >= len(doc) or doc[end].text != ",":
        return []
    for t in ent:
        for c in t.children:
            if c.dep_ == "appos" and c.i > end and c.pos_ in ("NOUN", "PROPN"):
                sub = [x for x in c.subtree if x.i > end]
                stop = next((k for k, x in enumerate(sub) if x.text in (",", ";", "(", ")") or
                             x.dep_ == "relcl"), len(sub))
                sub = sub[:stop]
                if sub and sub[0].pos_ == "DET":
                    sub = sub[1:]
                return sub if 0 < len(sub) <= 12 else []
    return []


# ------------------------------------------------------------------ build
def build_registry(body: Doc, title: Doc | None = None) -> Registry:
    """Collect people/organisations with roles and gender evidence from the body."""
    reg = Registry()
    person_tokens = {t.i for e in body.ents if e.label_ == "PERSON" for t in e}
    for ent in body.ents:
        if ent.label_ not in ("PERSON", "ORG"):
            continue
        toks = clean_name_tokens(list(ent))
        if not toks:
            continue
        name = tokens_text(body, toks)
        if ent.label_ == "PERSON" and not any(t.text[:1].isupper() for t in toks):
            continue
        org = ent.label_ == "ORG" and not _presented_as_person(body, ent, toks)
        person = reg.add(name, toks[0].idx, org=org)
        if person is None or person.org:
            continue
        role = role_before(body, toks[0].i, person_tokens - {t.i for t in ent})
        role += [t for t in ent if t.i < toks[0].i]
        role.sort(key=lambda t: t.i)
        _note_role(body, person, role, toks[0].idx)
        _note_role(body, person, appositive_role(body, ent), toks[0].idx)
        _note_honorific(body, person, ent.start)
    if title is not None:
        for ent in title.ents:
            if ent.label_ == "PERSON":
                toks = clean_name_tokens(list(ent))
                if toks and reg.resolve(tokens_text(title, toks)) is None:
                    reg.add(tokens_text(title, toks), 0)
    reg.finish()
    for p in reg.people:
        if not p.org and p.roles and all(is_thing_role(r) for r, _ in p.roles[:1]):
            p.org = True  # "X, a navy frigate": a named thing, never a "he" or "she"
    _pronoun_evidence(body, reg)
    for p in reg.people:
        if not p.org and abs(p.gender) < 0.5 and len(p.parts) > 1:
            p.gender += first_name_gender(p.parts[0])
    return reg


def is_thing_role(role: str) -> bool:
    """A role whose head noun (its last word) is a vehicle, animal or place."""
    words = re.findall(r"[a-z]+", role.lower())
    return bool(words) and words[-1] in THING_NOUNS


def _presented_as_person(doc: Doc, ent: SpacySpan, toks: list[Token]) -> bool:
    """An ORG-tagged name the text presents as a person: in apposition to a
    person noun, before or after it ("a professor ..., Tomas Brandt,", "Tomas Brandt, the
    union chief,") or after a personal
    title or honorific ("Professor Brandt", "Mr Smith")."""
    if not 1 <= len(toks) <= 3 or any(t.lower_ in ORG_NOUNS or not t.text[:1].isupper() for t in toks):
        return False
    root = ent.root
    end = ent.end
    if end + 2 < len(doc) and doc[end].text == "," and doc[end + 1].like_num and doc[end + 2].text in (",", ")") \
            and doc[end + 1].text.isdigit() and 1 < int(doc[end + 1].text) < 110:
        return True  # "Jo Smith, 17, ..." -- an age
    if root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.i < ent.start:
        w = root.head.lemma_.lower()
        if w in PERSON_NOUNS or w.endswith(APPOSITION_PERSON_SUFFIXES):
            return True
    for c in root.children:  # "Tomas Brandt, the union chief, ..." -- a person noun in apposition after
        if c.dep_ == "appos" and c.pos_ == "NOUN" and c.i >= ent.end:
            w = c.lemma_.lower()
            if w in PERSON_NOUNS or w.endswith(APPOSITION_PERSON_SUFFIXES):
                return True
    prev = doc[toks[0].i - 1] if toks[0].i > 0 else None
    if toks[0].i > ent.start:  # the entity itself opens with a title ("Professor X")
        prev = doc[toks[0].i - 1]
    return prev is not None and prev.text.lower().rstrip(".") in PERSON_NAME_TITLES


def _note_role(doc: Doc, person: Person, toks: list[Token], pos: int) -> None:
    if not toks:
        return
    role = tokens_text(doc, toks).strip(" ,")
    if role and role.lower() not in ("'s", "’s"):
        person.roles.append((role, pos))
        words = {t.lemma_.lower() for t in toks} | {t.text.lower() for t in toks}
        if words & FEMALE_NOUNS:
            person.gender -= 2
        if words & MALE_NOUNS:
            person.gender += 2


def _note_honorific(doc: Doc, person: Person, start: int) -> None:
    for i in (start, start - 1):
        if 0 <= i < len(doc):
            w = doc[i].text.lower()
            if w in HONORIFICS_MALE:
                person.gender += 3
            elif w in HONORIFICS_FEMALE:
                person.gender -= 3


def _pronoun_evidence(doc: Doc, reg: Registry) -> None:
    """Gender votes from subject pronouns that follow a person who is a subject:
    "Smith said she ...", "Smith left. He ..."."""
    in_quote = _in_spans(doc, [(q.open_start, q.close_end) for q in find_quotes(text_of(doc), singles=False)])

    sents = list(doc.sents)
    # each sentence's PERSON entities, as (start, end) tokens: ``Span.ents`` (the entities wholly
    # inside the span) made once, not rebuilt from ``doc.ents`` for every sentence it is asked of
    persons = [(e.start, e.end) for e in doc.ents if e.label_ == "PERSON"]
    sent_persons = [[p for p in persons if p[0] >= s.start and p[1] <= s.end] for s in sents]
    for k, s in enumerate(sents):
        subjects = [t for t in s if t.pos_ == "PROPN" and t.ent_type_ in ("PERSON", "ORG", "") and not in_quote[t.i]
                    and (t.dep_ in ("nsubj", "nsubjpass")
                         or (t.dep_ == "appos" and t.head.dep_ in ("nsubj", "nsubjpass")))]
        people = {t.i: reg.resolve(t.text, t.idx, org=False) for t in subjects}
        people = {i: p for i, p in people.items() if p is not None}
        if len({id(p) for p in people.values()}) != 1:
            continue
        i, person = next(iter(people.items()))
        window = [t for t in s if t.i > i]
        if k + 1 < len(sents) and not sent_persons[k + 1]:
            window += list(sents[k + 1])[:3]
        others = any(start > i for start, _ in sent_persons[k])
        for t in window:
            # (``t.i < s.end``: the window is this sentence's tokens and the next one's first)
            if t.i < s.end and t.dep_ in ("nsubj", "nsubjpass") and not _reported_by(t, i):
                continue  # same sentence: only "X said she ..." counts, not "X asked but she refused"
            if t.pos_ == "PROPN" and t.i > i:
                q = reg.resolve(t.text, t.idx)
                if q is not None and q is not person:
                    others = True  # "X pursued Lund but she ..." -- she may be Lund
            if t.dep_ not in ("nsubj", "nsubjpass") or others or in_quote[t.i]:
                continue
            w = t.lower_
            if w in PRONOUNS_MALE:
                person.gender += 1
            elif w in PRONOUNS_FEMALE:
                person.gender -= 1


def _in_spans(doc: Doc, spans: list[tuple[int, int]]) -> list[bool]:
    """Per token of ``doc``: whether its first character lies in one of the character ranges
    ``spans`` (``start <= idx < end``; they may overlap), in one sweep over the tokens: a token
    is inside exactly when the ranges that start at or before it reach past it."""
    spans = sorted(spans)
    out, k, reach = [], 0, -1
    for t in doc:
        while k < len(spans) and spans[k][0] <= t.idx:
            reach = max(reach, spans[k][1])
            k += 1
        out.append(t.idx < reach)
    return out


def _reported_by(pron: Token, subj_i: int) -> bool:
    """The pronoun's clause is reported by a verb whose subject is token ``subj_i``."""
    v = pron.head
    for _ in range(3):
        if v.dep_ in ("ccomp", "xcomp") and any(c.i == subj_i or (c.dep_ in ("nsubj", "nsubjpass") and
                                                    any(a.i == subj_i for a in c.subtree)) for c in v.head.children):
            return True
        if v.head.i == v.i:
            break
        v = v.head
    return False
