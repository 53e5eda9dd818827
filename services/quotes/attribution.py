"""Attribute a quote: find the reporting cue next to it and resolve its speaker."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Token

from .lexicon import (NAMING_VERBS, ORG_NOUNS, PERSON_NOUNS, PERSON_SUFFIXES, PRONOUNS_FEMALE,
                      PRONOUNS_MALE, PRONOUNS_NEUTER, PRONOUNS_PLURAL, SPEECH_VERBS, TITLE_WORDS)
from .marks import RawQuote, paragraphs
from .names import Person, Registry, clean_name_tokens, role_before, tokens_text

_END = {".", "!", "?"}
_POSSESSIVE = {"'s", "’s", "'", "’"}
_SUBJ = ("nsubj", "nsubjpass")
_CLIMB = ("xcomp", "advcl", "conj", "pcomp", "acl", "prep", "ccomp", "relcl")


@dataclass
class Attribution:
    speaker: Optional[str] = None
    speaker_type: Optional[str] = None
    role: Optional[str] = None
    mention: Optional[tuple[int, int]] = None
    cue: Optional[str] = None
    cue_i: Optional[int] = None


class Context:
    """One document with its quotes, token lookup and the quotes attributed so far."""

    def __init__(self, doc: Doc, registry: Registry, raws: list[RawQuote], body_ctx: "Context | None" = None):
        self.doc = doc
        self.text = doc.text
        self.registry = registry
        self.raws = raws
        self.body_ctx = body_ctx
        self.paras = paragraphs(doc.text)
        self.starts = [t.idx for t in doc]
        self.inside = [False] * len(doc)
        for r in raws:
            for i in range(self.tok_at(r.open_start), self.tok_at(max(r.close_end - 1, r.open_start)) + 1):
                self.inside[i] = True
        self.attributed: list[tuple[RawQuote, Attribution]] = []
        self.sent_starts = [sent.start_char for sent in doc.sents] if len(doc) else [0]

    # ------------------------------------------------------------ lookups
    def tok_at(self, char: int) -> int:
        """Index of the token covering ``char`` (or the one before it)."""
        return max(0, bisect.bisect_right(self.starts, char) - 1)

    def para_span(self, raw: RawQuote) -> tuple[int, int]:
        return self.paras[raw.paragraph] if raw.paragraph < len(self.paras) else (0, len(self.text))

    def sent_index(self, char: int) -> int:
        """Index of the sentence holding ``char``."""
        return bisect.bisect_right(self.sent_starts, char) - 1

    def starts_paragraph(self, raw: RawQuote) -> bool:
        lo, _ = self.para_span(raw)
        return not self.text[lo:raw.open_start].strip()

    def sentence_break_between(self, a: RawQuote, b: RawQuote, limit: int = 1) -> bool:
        """True when the reporter's text between two quotes holds a sentence end."""
        between = self.text[a.close_end:b.open_start]
        return len(re.findall(r"[.!?](\s|$)", between)) >= limit

    # ------------------------------------------------------------ frames
    def after_frame(self, raw: RawQuote) -> list[Token]:
        """Reporter's tokens after the quote, up to the next quote or sentence end."""
        lo, hi = self.para_span(raw)
        nxt = [r.open_start for r in self.raws if r.open_start >= raw.close_end and r.open_start < hi]
        limit = min(nxt) if nxt else hi
        toks = []
        i = self.tok_at(raw.close_end)
        if i < len(self.doc) and self.doc[i].idx < raw.close_end:
            i += 1
        while i < len(self.doc) and self.doc[i].idx < limit:
            t = self.doc[i]
            if t.text in _END or (t.text == ";" and toks):
                if toks:
                    break
            elif not (t.is_punct and not toks):
                toks.append(t)
            i += 1
        return [t for t in toks if not self.inside[t.i]]

    def before_frame(self, raw: RawQuote) -> list[Token]:
        """Reporter's tokens of the sentence before the quote (after any earlier quote)."""
        lo, hi = self.para_span(raw)
        start = lo
        for r in self.raws:
            if lo <= r.close_end <= raw.open_start and (
                    self.text[r.start:r.end].rstrip().endswith((".", "!", "?", "…"))
                    or not self.text[r.close_end:raw.open_start].strip()):
                start = max(start, r.close_end)
        toks = [self.doc[i] for i in range(self.tok_at(start), self.tok_at(raw.open_start) + 1)
                if start <= self.doc[i].idx < raw.open_start and not self.inside[i]]
        for k in range(len(toks) - 1, -1, -1):
            if toks[k].text in _END:
                toks = toks[k + 1:]
                break
        if not toks and self.starts_paragraph(raw) and raw.paragraph > 0:
            toks = self._intro_line(raw.paragraph - 1)
        return toks

    def _intro_line(self, para: int) -> list[Token]:
        """The last sentence of a paragraph that ends with a colon ("X said:")."""
        lo, hi = self.paras[para]
        if not self.text[lo:hi].rstrip().endswith(":"):
            return []
        toks = [t for t in self.doc[self.tok_at(lo):self.tok_at(hi - 1) + 1] if lo <= t.idx < hi
                and not self.inside[t.i]]
        for k in range(len(toks) - 2, -1, -1):
            if toks[k].text in _END:
                return toks[k + 1:]
        return toks


# ------------------------------------------------------------------ cues
def _is_cue(t: Token, before: bool) -> bool:
    if t.lemma_.lower() not in SPEECH_VERBS or not (t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB")):
        return False
    lemma = t.lemma_.lower()
    if t.dep_ in ("amod", "compound", "nmod", "nsubj", "dobj", "pobj"):
        return False
    if lemma == "continue" and any(c.dep_ in ("xcomp", "dobj") for c in t.children):
        return False
    if lemma in NAMING_VERBS and not before:
        return False
    return True


def _according_to(toks: list[Token]) -> Token | None:
    for t in toks:
        if t.lower_ == "according" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to":
            objs = [c for c in t.doc[t.i + 1].children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    return None


def find_cue(ctx: Context, raw: RawQuote) -> tuple[Token | None, Token | None, str]:
    """(cue token, speaker token or None, side) for a quote."""
    after = ctx.after_frame(raw)
    before = ctx.before_frame(raw)
    intro = bool(before) and (before[-1].text in (":", ",") and any(_is_cue(t, True) for t in before[-4:])
                              or _is_cue(before[-1], True))
    order = (("before", before), ("after", after)) if intro else (("after", after), ("before", before))
    ended = ctx.text[raw.start:raw.end].rstrip().endswith((".", "!", "?", "…"))
    for side, frame in order:
        cands = [t for t in frame if _is_cue(t, side == "before")]
        if side == "after":
            cands = [t for t in cands if not _reports_other(ctx, t, raw)]
            if ended:
                cands = [t for t in cands if t.i - frame[0].i <= 3]
        if cands:
            cue = cands[0] if side == "after" else cands[-1]
            return cue, None, side
        acc = _according_to(frame)
        if acc is not None:
            return acc.head, acc, side
    if before and before[-1].text == ":":
        # "The judge had advice for the guards:" -- the intro sentence's subject speaks
        roots = [t for t in before if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")]
        if roots and subject_of(ctx, roots[0]) is not None:
            return roots[0], None, "before"
    return None, None, ""


def _reports_other(ctx: Context, verb: Token, raw: RawQuote) -> bool:
    """A verb after the quote that reports its own clause ("X said the deal ...")."""
    return any(c.dep_ == "ccomp" and c.i > verb.i and c.left_edge.i <= verb.i + 2 and not ctx.inside[c.i]
               for c in verb.children)


def subject_of(ctx: Context, verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, climbing out of clauses."""
    v = verb
    for _ in range(4):
        subs = [c for c in v.children if c.dep_ in _SUBJ and not ctx.inside[c.i]]
        if subs:
            return subs[0]
        if v.dep_ == "acl" and v.head.pos_ in ("NOUN", "PROPN") and not ctx.inside[v.head.i]:
            return v.head
        if v.dep_ in _CLIMB and v.head is not v and not ctx.inside[v.head.i]:
            v = v.head
        else:
            break
    return None


def _positional_subject(ctx: Context, verb: Token, frame: list[Token]) -> Token | None:
    """Fallback when the parse gives no subject: the noun phrase next to the verb."""
    idx = {t.i for t in frame}
    left = list(range(verb.i - 1, verb.i - 6, -1))
    right = list(range(verb.i + 1, verb.i + 6))
    for i in left + right:
        if i not in idx:
            continue
        if i > verb.i and ctx.doc[i].pos_ not in ("PROPN", "PRON", "NOUN", "NUM", "DET", "ADJ", "PUNCT"):
            break
        t = ctx.doc[i]
        if t.pos_ in ("PROPN", "PRON") or (t.pos_ in ("NOUN", "NUM") and t.dep_ != "npadvmod"):
            # move to the head of its noun phrase
            while t.dep_ in ("compound", "amod", "det", "poss", "nummod", "flat") and t.head.i in idx:
                t = t.head
            return t
        if t.pos_ in ("ADP", "VERB", "SCONJ") and i > verb.i:
            break
        if t.pos_ == "VERB" and i < verb.i:
            break
    return None


def _inverted_name(ctx: Context, verb: Token, subj: Token | None) -> Token | None:
    """"..., said Yeager" where the parse took another noun as the subject."""
    j = verb.i + 1
    if j >= len(ctx.doc) or ctx.inside[j]:
        return None
    t = ctx.doc[j]
    if t.pos_ != "PROPN" and not (t.pos_ == "DET" or t.pos_ == "ADJ" or t.pos_ == "NOUN"):
        return None
    if subj is not None and (subj.pos_ in ("PRON", "PROPN") or _is_person_noun(subj)):
        return None
    k = j
    while k + 1 < len(ctx.doc) and ctx.doc[k + 1].pos_ in ("PROPN", "NOUN", "ADJ") and not ctx.inside[k + 1] \
            and "\n" not in ctx.doc[k].whitespace_:
        k += 1
    head = ctx.doc[k]
    if head.pos_ == "PROPN" or _is_person_noun(head):
        return head
    return None


def _is_person_noun(t: Token) -> bool:
    w = t.lemma_.lower()
    return t.pos_ == "NOUN" and (w in PERSON_NOUNS or t.lower_ in PERSON_NOUNS or
                                 (w.endswith(PERSON_SUFFIXES) and len(w) > 4))


# ------------------------------------------------------------------ mentions
def mention_tokens(ctx: Context, head: Token) -> list[Token]:
    """The tokens of the noun phrase headed by ``head`` (without clauses)."""
    doc = ctx.doc
    if head.ent_type_ and head.pos_ == "PROPN":
        toks = [t for t in doc[head.left_edge.i:head.i + 1] if t.ent_type_ == head.ent_type_] or [head]
        j = head.i + 1
        while j < len(doc) and doc[j].ent_type_ == head.ent_type_ and doc[j].ent_iob_ == "I":
            toks.append(doc[j])
            j += 1
        left = role_before(doc, toks[0].i, set())
        return [t for t in left + toks if not ctx.inside[t.i]]
    left = [t for t in doc[head.left_edge.i:head.i] if not ctx.inside[t.i]]
    # keep only the contiguous modifiers next to the head
    keep: list[Token] = []
    for t in reversed(left):
        if t.is_punct and t.text not in ("-",):
            break
        keep.insert(0, t)
    toks = keep + [head]
    if head.pos_ == "NOUN":
        for c in head.children:
            if c.dep_ == "prep" and c.i == toks[-1].i + 1 and c.lower_ in ("at", "of", "with", "for", "from", "in", "close", "familiar"):
                sub = [t for t in c.subtree if not ctx.inside[t.i]]
                cut = next((k for k, t in enumerate(sub) if t.text in (",", "(", ";") or t.dep_ == "relcl"), len(sub))
                if cut <= 10:
                    toks += sub[:cut]
    return toks


def _conj_names(ctx: Context, head: Token) -> list[Token]:
    return [c for c in head.children if c.dep_ == "conj" and c.pos_ == "PROPN" and not ctx.inside[c.i]]


def attribute(ctx: Context, raw: RawQuote, headline: bool = False) -> Attribution:
    """Cue and speaker of one quote."""
    cue, subj, side = find_cue(ctx, raw)
    if cue is None:
        if headline:
            return _headline_colon(ctx, raw)
        return Attribution()
    frame = ctx.after_frame(raw) if side == "after" else ctx.before_frame(raw)
    cue_text = "according to" if subj is not None else cue.text
    if subj is None:
        subj = subject_of(ctx, cue)
        subj = _inverted_name(ctx, cue, subj) or subj or _positional_subject(ctx, cue, frame)
    att = Attribution(cue=cue_text, cue_i=cue.i)
    if subj is None:
        return att
    resolve_speaker(ctx, subj, raw, att)
    return att


def _headline_colon(ctx: Context, raw: RawQuote) -> Attribution:
    """Headline convention "Name: what they said"."""
    colon = ctx.text.find(":")
    if 0 < colon < raw.open_start:
        toks = [t for t in ctx.doc if t.idx < colon and t.pos_ == "PROPN"]
        if toks:
            att = Attribution(cue=":")
            resolve_speaker(ctx, toks[-1], raw, att)
            return att
    return Attribution()


def resolve_speaker(ctx: Context, subj: Token, raw: RawQuote, att: Attribution) -> None:
    """Fill speaker, type, role and mention of ``att`` from a subject token."""
    lower = subj.lower_
    pos = raw.open_start if ctx.body_ctx is None else None
    if subj.pos_ == "PRON" or lower in PRONOUNS_MALE | PRONOUNS_FEMALE | PRONOUNS_PLURAL:
        att.mention = (subj.idx, subj.idx + len(subj.text))
        att.speaker_type = "pronoun"
        target = resolve_pronoun(ctx, lower, raw)
        if target is not None:
            att.speaker, att.role = target.speaker, target.role
        return
    if subj.pos_ == "NOUN":
        appos = [c for c in subj.children if c.dep_ == "appos" and c.pos_ == "PROPN" and not ctx.inside[c.i]]
        if appos and (appos[0].ent_type_ in ("PERSON", "") or _is_person_noun(subj)):
            desc = tokens_text(ctx.doc, mention_tokens(ctx, subj))
            name, role = _named(ctx, appos[0], pos)
            toks = mention_tokens(ctx, appos[0])
            att.mention = (toks[0].idx, toks[-1].idx + len(toks[-1].text))
            att.speaker, att.speaker_type, att.role = name, "named", role or _strip_det(desc)
            return
    toks = mention_tokens(ctx, subj)
    names = [subj] + _conj_names(ctx, subj)
    att.mention = (toks[0].idx, toks[-1].idx + len(toks[-1].text))
    if subj.pos_ == "PROPN" and len(names) > 1:
        resolved = [_named(ctx, n, pos)[0] for n in names]
        att.speaker, att.speaker_type = " and ".join(resolved), "named"
        return
    if subj.pos_ == "PROPN" and not _is_org(subj, toks, ctx.registry):
        name, role = _named(ctx, subj, pos)
        att.speaker, att.speaker_type = name, "named"
        att.role = role
        return
    if subj.pos_ == "PROPN" or (_is_org(subj, toks) and any(t.pos_ == "PROPN" for t in toks)):
        att.speaker = _strip_det(tokens_text(ctx.doc, toks))
        att.speaker_type = "organisation"
        return
    # a description: "the vice president", "a senior official", "her rep"
    desc = tokens_text(ctx.doc, toks)
    att.speaker_type = "description"
    att.role = _strip_det(desc)
    person = match_description(ctx, toks, pos)
    if person is not None:
        att.speaker = person.name
        return
    att.speaker = _possessive_description(ctx, toks, raw) or desc
    if _is_org(subj, toks):
        att.speaker_type = "organisation"


def _strip_det(text: str) -> str:
    return re.sub(r"^(the|a|an)\s+", "", text, flags=re.I)


def _is_org(head: Token, toks: list[Token], registry: Registry | None = None) -> bool:
    if head.pos_ == "PROPN" and registry is not None:
        person = registry.resolve(head.text, head.idx, org=False)
        if person is not None and head.lower_ in person.parts:
            return False
    if head.ent_type_ in ("ORG", "NORP", "GPE") and head.pos_ == "PROPN":
        return True
    return head.lemma_.lower() in ORG_NOUNS or head.lower_ in ORG_NOUNS


def _named(ctx: Context, subj: Token, pos: int | None) -> tuple[str, str | None]:
    """Canonical name and role of a proper-noun subject."""
    doc = ctx.doc
    toks = [t for t in mention_tokens(ctx, subj)]
    name_toks = [t for t in toks if t.pos_ == "PROPN" and (t.ent_type_ == subj.ent_type_ or not subj.ent_type_)]
    # the name is the proper-noun run ending at the head
    run = []
    for t in reversed([t for t in toks if t.i <= subj.i]):
        if (t.pos_ != "PROPN" and t.text not in ("-",)) or (run and "\n" in t.whitespace_):
            break
        run.insert(0, t)
    name_toks = clean_name_tokens(run) or [subj]
    name = tokens_text(doc, name_toks)
    role_toks = [t for t in toks if t.i < name_toks[0].i]
    role = tokens_text(doc, role_toks).strip() or None
    person = ctx.registry.resolve(name, pos, org=False)
    if person is not None:
        if role is None:
            role = _latest_role(person, pos)
        return person.name, role
    return name, role


def _latest_role(person: Person, pos: int | None) -> str | None:
    roles = [r for r, p in person.roles if pos is None or p <= pos]
    return roles[-1] if roles else None


_ROLE_SYNONYMS = {"spokeswoman": "spokesperson", "spokesman": "spokesperson", "vp": "vice president",
                  "chairwoman": "chairman", "chairperson": "chairman"}


def _role_words(text: str) -> set[str]:
    words = set()
    for w in re.findall(r"[a-z]+", text.lower()):
        words.add(_ROLE_SYNONYMS.get(w, w))
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


_ANONYMOUS = frozenset("""official officials source sources spokesman spokeswoman spokesperson representative
rep aide officer witness statement report people police man woman person""".split())


def _salient_person(ctx: Context, toks: list[Token], pos: int) -> Person | None:
    """"the actress" -> the article's main person so far, when the noun fits them."""
    head = toks[-1] if toks[-1].pos_ == "NOUN" else next((t for t in reversed(toks) if t.pos_ == "NOUN"), None)
    if head is None or head.tag_ == "NNS" or head.lemma_.lower() in _ANONYMOUS or not _is_person_noun(head) \
            or any(t.pos_ == "ADP" for t in toks):
        return None
    from .lexicon import FEMALE_NOUNS, MALE_NOUNS
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


def _possessive_description(ctx: Context, toks: list[Token], raw: RawQuote) -> str | None:
    """"her rep" -> "<resolved person>'s rep"."""
    first = toks[0]
    if first.lower_ in ("his", "her", "their") and len(toks) > 1:
        target = resolve_pronoun(ctx, {"his": "he", "her": "she", "their": "they"}[first.lower_], raw)
        if target is not None and target.speaker and target.speaker_type in ("named", "pronoun", "description", "continuation"):
            return f"{target.speaker}'s {tokens_text(ctx.doc, toks[1:])}"
    return None


# ------------------------------------------------------------------ pronouns
def _gender_ok(pron: str, person: Person | None, att: Attribution | None = None) -> bool:
    g = person.gender_label if person is not None else None
    if pron in PRONOUNS_MALE:
        return g != "f"
    if pron in PRONOUNS_FEMALE:
        return g != "m"
    return True


def resolve_pronoun(ctx: Context, pron: str, raw: RawQuote) -> Attribution | None:
    """The best earlier antecedent for a pronoun speaker.

    Candidates are earlier quote speakers, subjects and other mentions of named
    people (and described speakers); each scores its distance in sentences plus
    a penalty for being a mere mention.  Gender must not clash.
    """
    if ctx.body_ctx is not None:
        return None
    plural = pron in PRONOUNS_PLURAL or pron in PRONOUNS_NEUTER
    here = ctx.sent_index(raw.open_start)
    best, best_score = None, None
    for kind, pos, att, person in _antecedents(ctx, raw.open_start):
        dist = here - ctx.sent_index(int(pos))
        if dist > 8:
            continue
        if plural:
            ok = kind == "speaker" and att.speaker_type in ("organisation", "description") and _plural_like(att)
        elif person is not None:
            ok = not person.org and _gender_ok(pron, person)
        else:
            ok = kind == "speaker" and att.speaker_type == "description" and _desc_gender_ok(pron, att)
        if not ok:
            continue
        score = dist + {"speaker": 0.0, "subject": 0.25, "mention": 1.5}[kind]
        if best_score is None or score < best_score:
            best_score = score
            if person is not None:
                best = Attribution(speaker=person.name, speaker_type="pronoun",
                                   role=(att.role if att else None) or _latest_role(person, int(pos)))
            else:
                best = att
    return best


def _plural_like(att: Attribution) -> bool:
    return att.speaker_type == "organisation" or bool(att.speaker and att.speaker.lower().endswith("s"))


def _desc_gender_ok(pron: str, att: Attribution) -> bool:
    from .lexicon import FEMALE_NOUNS, MALE_NOUNS
    words = set(re.findall(r"[a-z]+", (att.speaker or "").lower()))
    if pron in PRONOUNS_MALE and words & FEMALE_NOUNS:
        return False
    if pron in PRONOUNS_FEMALE and words & MALE_NOUNS:
        return False
    if words and list(words)[0].endswith("s") and len(words) == 1:
        return False
    return not (att.speaker or "").lower().endswith(("officials", "sources", "people"))


def _antecedents(ctx: Context, pos: int, window: int = 1500):
    """Candidate antecedents before ``pos``, nearest first: earlier speakers,
    subjects and other mentions of named people."""
    events = []
    for r, att in ctx.attributed:
        if r.open_start < pos and att.speaker:
            person = ctx.registry.resolve(att.speaker, r.open_start, org=False) if att.speaker_type != "description" else None
            events.append(("speaker", r.open_start + 0.5, att, person))
    lo = ctx.tok_at(max(0, pos - window))
    hi = ctx.tok_at(pos)
    for t in ctx.doc[lo:hi + 1]:
        if t.idx >= pos or ctx.inside[t.i] or t.pos_ != "PROPN" or t.dep_ in ("compound", "flat"):
            continue
        person = ctx.registry.resolve(t.text, t.idx, org=False)
        if person is None or t.lower_ not in person.parts:
            continue
        kind = "subject" if t.dep_ in _SUBJ or (t.dep_ == "appos" and t.head.dep_ in _SUBJ) else "mention"
        events.append((kind, t.idx, None, person))
    events.sort(key=lambda e: -e[1])
    return events
