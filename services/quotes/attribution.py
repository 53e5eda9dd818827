"""Attribute a quote: find the reporting cue next to it and resolve its speaker."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Token

from .lexicon import (FEMALE_NOUNS, MALE_NOUNS, NAMING_VERBS, ORG_NOUNS, PERSON_NOUNS, PERSON_SUFFIXES,
                      PRONOUNS_FEMALE, PRONOUNS_MALE, PRONOUNS_NEUTER, PRONOUNS_PLURAL, SPEECH_VERBS, TITLE_WORDS)
from .marks import RawQuote, paragraphs
from .names import Person, Registry, clean_name_tokens, role_before, tokens_text

_END = {".", "!", "?"}
# Abbreviations whose dot does not end a sentence ("Lt. Hastings said").
_ABBREV = frozenset("""mr mrs ms dr prof sen rep gov lt col gen capt sgt adm rev fr st jr sr gov sgt cpl
maj det insp supt cmdr brig ald atty hon pres supt no vs""".split())
_MARK_STOPS = frozenset("though although because if unless when whenever while before after since until once even".split())
_RELATIVE = frozenset({"who", "which", "that", "whom"})
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


def is_end(t: Token) -> bool:
    """A sentence-ending mark (not the dot of an abbreviation such as "Lt.")."""
    if t.text not in _END:
        return False
    if t.text == "." and t.i > 0:
        prev = t.doc[t.i - 1]
        if not prev.whitespace_ and prev.text.lower() in _ABBREV and t.i + 1 < len(t.doc) \
                and t.doc[t.i + 1].text[:1].isupper() and t.doc[t.i + 1].pos_ == "PROPN":
            return False
        if not prev.whitespace_ and prev.text.lower() == "no" and prev.text[:1] == "N" and t.i + 1 < len(t.doc) \
                and t.doc[t.i + 1].text[:1].isdigit():
            return False  # "Witness No. 3"
    return True


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
        first = True
        while i < len(self.doc) and self.doc[i].idx < limit:
            t = self.doc[i]
            if is_end(t) or (t.text == ";" and toks):
                if toks or (first and is_end(t) and t.text == "." and not self.inside[t.i]):
                    break  # 'beauty". Next sentence' -- the reporter's sentence ended
            elif not (t.is_punct and not toks):
                toks.append(t)
            if not self.inside[t.i]:
                first = False
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
            if is_end(toks[k]):
                toks = toks[k + 1:]
                break
        if not toks and self.starts_paragraph(raw) and raw.paragraph > 0:
            toks = self._intro_line(raw.paragraph - 1)
        return toks

    def _intro_line(self, para: int) -> list[Token]:
        """The last sentence of a paragraph that ends with a colon ("X said:"), or
        with a reporting verb and a comma or nothing ("X commented," / "he said")."""
        lo, hi = self.paras[para]
        toks = [t for t in self.doc[self.tok_at(lo):self.tok_at(hi - 1) + 1] if lo <= t.idx < hi
                and not self.inside[t.i]]
        if not toks or self.inside[self.tok_at(hi - 1)]:
            return []
        if toks[-1].text != ":":
            last = toks[-2] if toks[-1].text == "," and len(toks) > 1 else toks[-1]
            if not is_cue(last, True):
                return []
        for k in range(len(toks) - 2, -1, -1):
            if is_end(toks[k]):
                return toks[k + 1:]
        return toks


# ------------------------------------------------------------------ cues
def is_cue(t: Token, before: bool) -> bool:
    if t.lemma_.lower() not in SPEECH_VERBS or not (t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB")):
        return False
    lemma = t.lemma_.lower()
    if t.dep_ in ("amod", "compound", "nmod", "nsubj", "dobj", "pobj"):
        return False
    if lemma == "continue" and any(c.dep_ in ("xcomp", "dobj") for c in t.children):
        return False
    if lemma in NAMING_VERBS and not before:
        return False
    if lemma == "name" and (t.tag_ != "VBD" or any(c.dep_ == "auxpass" for c in t.children)):
        return False  # "which named her ..." names; "was named ... by" is an honour, not speech
    if _passive(t):
        return False
    if t.i + 1 < len(t.doc) and t.doc[t.i + 1].tag_ == "TO":
        return False  # "X, said to be the richest ...": hearsay about X, not X speaking
    return True


def _passive(t: Token) -> bool:
    """"It was announced", "he has been described as", "Page, said to be": the
    subject is what was said (or said about), not the speaker -- unless a
    "by" agent names the speaker."""
    kids = list(t.children)
    if any(c.dep_ == "agent" for c in kids):
        return False
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in kids):
        return True
    if t.tag_ == "VBN" and any(c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in kids) \
            and not any(c.dep_ == "aux" for c in kids):
        return True  # "Page, said to be one of ..."
    return t.tag_ == "VBN" and t.dep_ in ("acl", "amod") and not any(c.dep_ == "aux" for c in kids)


def _subordinate(t: Token) -> bool:
    """A reporting verb inside an adverbial clause ("even though she conceded")."""
    return any(c.dep_ == "mark" and c.lower_ in _MARK_STOPS for c in t.children)


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
    intro = bool(before) and (before[-1].text in (":", ",") and any(is_cue(t, True) for t in before[-4:])
                              or is_cue(before[-1], True)
                              or (before[-1].text in (":", ",") and _according_to(before) is not None))
    order = (("before", before), ("after", after)) if intro else (("after", after), ("before", before))
    ended = ctx.text[raw.start:raw.end].rstrip().endswith((".", "!", "?", "…"))
    for side, frame in order:
        cands = [t for t in frame if is_cue(t, side == "before")]
        if side == "after":
            lead = ctx.text[raw.end:raw.close_end + 1].strip()[:1] in (",",) or \
                ctx.text[raw.start:raw.end].rstrip().endswith(",")
            cands = [t for t in cands if ((lead and t.i == frame[0].i) or not _reports_other(ctx, t, raw))
                     and not _subordinate(t)]
            if ended:
                cands = [t for t in cands if (t.i - frame[0].i <= 3 or
                                              (_subject_leads(ctx, t, frame) and _main_verb(t)))
                         and not _has_thing_object(ctx, t)]
                if cands and _introduces_next(ctx, raw, frame):
                    cands = []
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


def _main_verb(t: Token) -> bool:
    """The verb of the sentence's main clause (or joined to it by "and")."""
    return t.dep_ == "ROOT" or (t.dep_ == "conj" and t.head.dep_ == "ROOT")


def _has_thing_object(ctx: Context, verb: Token) -> bool:
    """A verb after a finished quote whose direct object is a thing starts a new
    statement of the reporter ("The group welcomed the decision."); an object
    that is a person or organisation is a listener ("he told reporters")."""
    return any(c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN") and not ctx.inside[c.i]
               and not _speaker_like(c) for c in verb.children)


def _introduces_next(ctx: Context, raw: RawQuote, frame: list[Token]) -> bool:
    """The reporter's text after a finished quote ends in "X said," or "X said:"
    right before the next quote: it introduces that quote, not this one."""
    lo, hi = ctx.para_span(raw)
    nxt = [r for r in ctx.raws if raw.close_end <= r.open_start < hi]
    if not nxt or not frame:
        return False
    r = min(nxt, key=lambda q: q.open_start)
    words = [t for t in frame if not t.is_punct]
    if not words:
        return False
    last = words[-1]
    gap = ctx.text[last.idx + len(last.text):r.open_start]
    return gap.strip() in (",", ":")


def _subject_leads(ctx: Context, verb: Token, frame: list[Token]) -> bool:
    """The after-frame is "<subject phrase> <verb>" ("Prime Minister X thundered")."""
    subj = subject_of(ctx, verb)
    return subj is not None and subj.i < verb.i and subj.left_edge.i <= frame[0].i <= subj.i


def _reports_other(ctx: Context, verb: Token, raw: RawQuote) -> bool:
    """A verb after the quote that reports its own clause ("X said the deal ...")."""
    return any(c.dep_ == "ccomp" and c.i > verb.i and c.left_edge.i <= verb.i + 2 and not ctx.inside[c.i]
               for c in verb.children)


def subject_of(ctx: Context, verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, climbing out of clauses."""
    v = verb
    found: list[Token] = []
    for _ in range(4):
        subs = [c for c in v.children if c.dep_ in _SUBJ and not ctx.inside[c.i]]
        if subs:
            subs.sort(key=lambda c: (not _speaker_like(c), abs(c.i - v.i)))
            sub = subs[0]
            if sub.lower_ in _RELATIVE and v.dep_ == "relcl" and not ctx.inside[v.head.i]:
                sub = v.head  # "the magazine, which named her ..." -> the magazine
                if sub_is_who(sub, v):
                    sub = _person_before(ctx, sub) or sub
            found.append(sub)
            if _speaker_like(sub) or v is not verb or v.dep_ not in ("advcl", "xcomp", "conj"):
                break
        elif v.dep_ == "acl" and v.head.pos_ in ("NOUN", "PROPN") and not ctx.inside[v.head.i] \
                and _speaker_like(v.head):
            found.append(v.head)
            break
        if v.dep_ in _CLIMB and v.head.i != v.i and not ctx.inside[v.head.i]:
            v = v.head
            if v.pos_ in ("NOUN", "PROPN") and v.dep_ in ("dobj", "pobj", "attr") and not _speaker_like(v) \
                    and v.head.pos_ in ("VERB", "AUX") and not ctx.inside[v.head.i]:
                v = v.head  # "X downplayed the unrest saying that ..." -- past the object noun
        else:
            break
    if not found:
        return None
    return next((f for f in found if _speaker_like(f)), found[0])


def sub_is_who(head: Token, relcl: Token) -> bool:
    """A "who" clause attached by the parser to a noun that is not a person
    ("a woman outside the bank, who cried ...")."""
    return any(c.lower_ == "who" and c.dep_ in _SUBJ for c in relcl.children) and \
        head.pos_ == "NOUN" and not is_person_noun(head)


def _person_before(ctx: Context, t: Token) -> Token | None:
    """The nearest person noun or person name before ``t`` in its sentence."""
    for x in reversed(ctx.doc[t.sent.start:t.i]):
        if ctx.inside[x.i]:
            continue
        if is_person_noun(x) or (x.pos_ == "PROPN" and x.ent_type_ == "PERSON"):
            while x.dep_ in ("compound", "flat") and x.head.i > x.i:
                x = x.head
            return x
    return None


def _speaker_like(t: Token) -> bool:
    """A token that can head a speaker: a name, a pronoun, a person or organisation noun."""
    if t.pos_ in ("PROPN", "PRON") and t.ent_type_ not in ("DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"):
        return True
    w = t.lemma_.lower()
    return is_person_noun(t) or w in ORG_NOUNS or t.lower_ in ORG_NOUNS


def _positional_subject(ctx: Context, verb: Token, frame: list[Token]) -> Token | None:
    """Fallback when the parse gives no subject: the noun phrase next to the verb."""
    idx = {t.i for t in frame}
    skipped = _skip_relative(ctx, verb, idx)
    if skipped is not None:
        return skipped
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


def _skip_relative(ctx: Context, verb: Token, idx: set[int]) -> Token | None:
    """"X (D-State), who had sought ..., called it": when a comma-closed relative
    clause stands right before the verb, the subject is the noun before the
    clause, not the clause's last noun."""
    if verb.i - 1 not in idx or ctx.doc[verb.i - 1].text != ",":
        return None
    for i in range(verb.i - 2, max(verb.i - 40, -1), -1):
        if i not in idx:
            return None
        t = ctx.doc[i]
        if is_end(t):
            return None
        if t.lower_ in ("who", "which") and i - 1 in idx and ctx.doc[i - 1].text == ",":
            j = i - 2
            if j in idx and ctx.doc[j].text == ")":  # skip a parenthesis: "X (D-State), who"
                while j in idx and ctx.doc[j].text != "(":
                    j -= 1
                j -= 1
            if j not in idx:
                return None
            head = ctx.doc[j]
            if head.pos_ not in ("PROPN", "NOUN"):
                return None
            while head.dep_ in ("compound", "flat") and head.head.i > head.i and head.head.i in idx:
                head = head.head
            return head
    return None


def _title_link(ctx: Context, k: int, j: int) -> bool:
    """"of" inside a capitalised title before a name ("said Minister of the
    Environment Jane Roe"): a title word before it and a capitalised word after it."""
    doc = ctx.doc
    if doc[k].lower_ != "of" or k == j or k + 2 >= len(doc) or doc[k - 1].lower_ not in TITLE_WORDS:
        return False
    nxt = doc[k + 2] if doc[k + 1].lower_ == "the" else doc[k + 1]
    return nxt.text[:1].isupper() and not ctx.inside[nxt.i]


def _inverted_name(ctx: Context, verb: Token, subj: Token | None, frame: list[Token] | None = None) -> Token | None:
    """"..., said Yeager" where the parse took another noun as the subject.

    Only for a verb right next to the quote ("..., said X"); after "told" or
    "asked" the next noun is the listener."""
    if frame and frame[0].i != verb.i:
        return None
    if verb.lemma_.lower() in ("tell", "ask", "inform", "assure", "urge", "warn", "quote"):
        return None
    j = verb.i + 1
    if j >= len(ctx.doc) or ctx.inside[j]:
        return None
    # "said Minister of the Environment Jane Roe": the known person after the title
    if ctx.doc[j].lower_ in TITLE_WORDS and _title_link(ctx, j + 1, j):
        k = j + 3 if ctx.doc[j + 2].lower_ == "the" else j + 2
        while k + 1 < len(ctx.doc) and ctx.doc[k + 1].pos_ == "PROPN" and not ctx.inside[k + 1]:
            k += 1
        person = ctx.registry.resolve(ctx.doc[k].text, ctx.doc[k].idx, org=False)
        if person is not None and not person.org:
            return ctx.doc[k]
    # a person's name within the next few tokens ("said ABC group prexy Paul Lee")
    for k in range(j, min(len(ctx.doc), j + 7)):
        t = ctx.doc[k]
        if ctx.inside[k] or (t.is_punct and t.text != "-") or t.pos_ in ("ADP", "VERB", "AUX") and t.ent_type_ != "PERSON":
            if not (t.pos_ == "VERB" and t.ent_type_ == "" and k > j and ctx.doc[k + 1:k + 2] and
                    ctx.doc[k + 1].ent_type_ == "PERSON") and not _title_link(ctx, k, j):
                break
            continue
        if t.ent_type_ == "PERSON" and (subj is None or subj.ent_type_ != "PERSON"):
            while k + 1 < len(ctx.doc) and ctx.doc[k + 1].ent_type_ == "PERSON" and ctx.doc[k + 1].ent_iob_ == "I":
                k += 1
            return ctx.doc[k]
    t = ctx.doc[j]
    if t.pos_ != "PROPN" and not (t.pos_ == "DET" or t.pos_ == "ADJ" or t.pos_ == "NOUN"):
        return None
    if subj is not None and (subj.pos_ in ("PRON", "PROPN") or is_person_noun(subj)):
        return None
    k = j
    while k + 1 < len(ctx.doc) and ctx.doc[k + 1].pos_ in ("PROPN", "NOUN", "ADJ") and not ctx.inside[k + 1] \
            and "\n" not in ctx.doc[k].whitespace_:
        k += 1
    head = ctx.doc[k]
    if head.pos_ == "PROPN" or is_person_noun(head):
        return head
    return None


def is_person_noun(t: Token) -> bool:
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
    """"X and Y said": further people joined to a name by "and"."""
    if not any(c.dep_ == "cc" and c.lower_ in ("and", "&") for c in head.children):
        return []
    out = []
    for c in head.children:
        if c.dep_ != "conj" or c.pos_ != "PROPN" or ctx.inside[c.i]:
            continue
        if c.ent_type_ == "PERSON" or ctx.registry.resolve(c.text, c.idx, org=False) is not None:
            out.append(c)
    return out


def _quoted_as_saying(ctx: Context, cue: Token) -> Token | None:
    """"X quoted him as saying" / "X was quoted as saying": the quoted person speaks."""
    v = cue
    if v.lemma_.lower() == "say" and v.dep_ in ("pcomp", "advcl", "xcomp") and v.head.lower_ == "as":
        v = v.head.head
    elif v.lemma_.lower() == "say" and v.dep_ == "pcomp":
        v = v.head.head
    if v.lemma_.lower() != "quote":
        return None
    objs = [c for c in v.children if c.dep_ in ("dobj", "nsubjpass") and not ctx.inside[c.i]]
    return objs[0] if objs else None


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
        if subj is None:
            # "X said, joking that ..." -- the other reporting verb's subject
            for other in sorted((t for t in frame if t.i != cue.i and is_cue(t, side == "before")),
                                key=lambda t: abs(t.i - cue.i)):
                subj = subject_of(ctx, other)
                if subj is not None:
                    break
        subj = _inverted_name(ctx, cue, subj, frame) or subj or _positional_subject(ctx, cue, frame)
        quoted = _quoted_as_saying(ctx, cue)
        if quoted is not None:
            subj = quoted
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


def _numbered_designation(ctx: Context, subj: Token) -> tuple[int, int] | None:
    """Character span of a numbered designation the parser split around its subject
    ("Juror No. 12 said": the subject may come out as "No" or as the bare "."), else None."""
    doc = ctx.doc
    i = subj.i
    if subj.text == "." and i > 0 and doc[i - 1].lower_ == "no" and not doc[i - 1].whitespace_:
        i -= 1
    if doc[i].lower_ not in ("no", "no.") or i == 0:
        return None
    j = i + 1
    if j < len(doc) and doc[j].text == "." and doc[i].lower_ == "no":
        j += 1
    if j >= len(doc) or not doc[j].like_num or ctx.inside[j]:
        return None
    k = i
    while k > 0 and doc[k - 1].text[:1].isupper() and doc[k - 1].is_alpha and not ctx.inside[k - 1]:
        k -= 1
    if k == i:
        return None
    return doc[k].idx, doc[j].idx + len(doc[j].text)


def resolve_speaker(ctx: Context, subj: Token, raw: RawQuote, att: Attribution) -> None:
    """Fill speaker, type, role and mention of ``att`` from a subject token."""
    _resolve_speaker(ctx, subj, raw, att)
    if att.speaker is not None and not any(c.isalpha() for c in att.speaker):
        att.speaker, att.speaker_type = None, None   # never a speaker without a letter in it


def _resolve_speaker(ctx: Context, subj: Token, raw: RawQuote, att: Attribution) -> None:
    designation = _numbered_designation(ctx, subj)
    if designation is not None:                       # "Witness No. 3 said"
        att.mention = designation
        att.speaker, att.speaker_type = ctx.text[designation[0]:designation[1]], "named"
        return
    lower = subj.lower_
    pos = raw.open_start if ctx.body_ctx is None else None
    if subj.pos_ == "PRON" or lower in PRONOUNS_MALE | PRONOUNS_FEMALE | PRONOUNS_PLURAL:
        att.mention = (subj.idx, subj.idx + len(subj.text))
        att.speaker_type = "pronoun"
        target = resolve_pronoun(ctx, lower, raw, at=subj.idx)
        if target is not None:
            att.speaker, att.role = target.speaker, target.role
        return
    if subj.pos_ == "NOUN":
        appos = [c for c in subj.children if c.dep_ == "appos" and c.pos_ == "PROPN" and not ctx.inside[c.i]]
        if appos and (appos[0].ent_type_ in ("PERSON", "") or is_person_noun(subj)):
            desc = tokens_text(ctx.doc, mention_tokens(ctx, subj))
            name, role = _named(ctx, appos[0], pos)
            more = _conj_names(ctx, appos[0])
            if more:
                name = " and ".join([name] + [_named(ctx, n, pos)[0] for n in more])
            toks = mention_tokens(ctx, appos[0])
            att.mention = (toks[0].idx, toks[-1].idx + len(toks[-1].text))
            att.speaker, att.speaker_type, att.role = name, "named", role or _strip_det(desc)
            return
    issuer = document_author(ctx, subj)
    if issuer is not None:
        if isinstance(issuer, Token):
            resolve_speaker(ctx, issuer, raw, att)
        else:
            att.speaker, att.speaker_type = issuer, "organisation"
            att.mention = (subj.left_edge.idx, subj.idx + len(subj.text))
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
    if pos is not None and toks[0].lower_ == "the" and subj.pos_ == "NOUN":
        issuer = _document_issuer(ctx, subj, pos) or _described_org(ctx, subj, toks, pos)
        if issuer is not None:
            att.speaker = issuer
            return
    group = _group_speaker(ctx, subj, toks, raw)
    if group is not None:
        att.speaker = group
        return
    att.speaker = _possessive_description(ctx, toks, raw) or desc
    if _is_org(subj, toks):
        att.speaker_type = "organisation"


_GROUP_WORDS = frozenset("pair duo trio two three both couple".split())


def _group_speaker(ctx: Context, subj: Token, toks: list[Token], raw: RawQuote) -> str | None:
    """"the pair said" -> the latest speaker that was several named people;
    "says one" -> one of the latest plural people described ("sources close to X")."""
    words = {t.lower_ for t in toks}
    if ctx.body_ctx is None and words & _GROUP_WORDS and not any(is_person_noun(t) for t in toks):
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
    k = name_toks[-1].i
    if name_toks[-1].lower_ in ("no", "no.") and k + 1 < len(doc):
        num = doc[k + 2] if doc[k + 1].text == "." and k + 2 < len(doc) else doc[k + 1]
        if num.like_num and not ctx.inside[num.i]:
            name = doc.text[name_toks[0].idx:num.idx + len(num.text)]  # "Witness No. 3"
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
    if head is None or head.tag_ == "NNS" or head.lemma_.lower() in _ANONYMOUS or not is_person_noun(head) \
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


_DOC_NOUNS = frozenset("""statement message memorandum memo release letter report communique communiqué
announcement notice bulletin information document note""".split())
_ORG_KINDS = (
    frozenset("paper newspaper daily tabloid weekly journal broadsheet publication magazine".split()),
    frozenset("network broadcaster channel station television tv radio".split()),
    frozenset("agency wire".split()),
)


def _phrase(ctx: Context, head: Token) -> str | None:
    """The text of a named or described issuer ("the Indian government", "the event organisers")."""
    if ctx.inside[head.i] or head.pos_ not in ("NOUN", "PROPN"):
        return None
    if head.pos_ == "NOUN" and not (_is_org(head, [head]) or is_person_noun(head)):
        return None
    toks = [t for t in head.subtree if not ctx.inside[t.i]]
    cut = next((k for k, t in enumerate(toks) if t.text in (",", "(", ";") or t.dep_ in ("relcl", "acl")), len(toks))
    toks = toks[:cut]
    if not toks or len(toks) > 12:
        return None
    if head.pos_ == "PROPN" and not _is_org(head, toks, ctx.registry):
        return _named(ctx, head, None)[0]
    return tokens_text(ctx.doc, toks)


def document_author(ctx: Context, subj: Token) -> Token | str | None:
    """The author named inside a document noun phrase: "a statement by X" /
    "a letter from X" -> X (a token to resolve); "the agency's statement" ->
    the agency; "a Foreign Ministry statement" -> "Foreign Ministry"."""
    if subj.pos_ != "NOUN" or subj.lemma_.lower() not in _DOC_NOUNS:
        return None
    for c in subj.children:
        if ctx.inside[c.i]:
            continue
        if c.dep_ == "prep" and c.lower_ in ("by", "from", "of"):
            objs = [o for o in c.children if o.dep_ == "pobj" and not ctx.inside[o.i]]
            if objs and _speaker_like(objs[0]):
                return objs[0]
        if c.dep_ == "poss" and c.pos_ in ("PROPN", "NOUN") and _speaker_like(c):
            return c
    comp = [c for c in subj.children if c.dep_ == "compound" and c.pos_ == "PROPN" and not ctx.inside[c.i]]
    if comp:
        toks = [t for t in ctx.doc[comp[0].left_edge.i:subj.i] if t.pos_ == "PROPN" or t.text == "-"]
        if toks:
            return tokens_text(ctx.doc, toks)
    return None


def _document_issuer(ctx: Context, subj: Token, pos: int) -> str | None:
    """"The statement said" -> whoever issued the latest statement named earlier:
    "a statement from X", "a message of X", "X said in a statement"."""
    if subj.lemma_.lower() not in _DOC_NOUNS:
        return None
    lo = max(0, ctx.tok_at(pos) - 400)
    for t in reversed(ctx.doc[lo:subj.i]):
        if t.lemma_.lower() not in _DOC_NOUNS or t.pos_ != "NOUN" or ctx.inside[t.i]:
            continue
        for prep in t.children:
            if prep.dep_ == "prep" and prep.lower_ in ("from", "of", "by"):
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        out = _phrase(ctx, obj)
                        if out:
                            return out
        if t.dep_ == "pobj" and t.head.lower_ == "in" and t.head.head.pos_ in ("VERB", "AUX"):
            subj2 = subject_of(ctx, t.head.head)
            if subj2 is not None and subj2.i < t.i:
                out = _phrase(ctx, subj2)
                if out:
                    return out
        if t.dep_ in ("dobj",) and t.head.lemma_.lower() in ("issue", "release", "send", "publish", "post"):
            subj2 = subject_of(ctx, t.head)
            if subj2 is not None:
                out = _phrase(ctx, subj2)
                if out:
                    return out
    return None


def _described_org(ctx: Context, subj: Token, toks: list[Token], pos: int) -> str | None:
    """"the paper" -> the latest organisation introduced as one ("daily X",
    "the newspaper X"); "the ministry" -> the latest organisation with that word in its name."""
    word = subj.lemma_.lower()
    kind = next((k for k in _ORG_KINDS if word in k or subj.lower_ in k), None)
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


def _possessive_description(ctx: Context, toks: list[Token], raw: RawQuote) -> str | None:
    """"her rep" -> "<resolved person>'s rep"."""
    first = toks[0]
    if first.lower_ in ("his", "her", "their") and len(toks) > 1:
        target = resolve_pronoun(ctx, {"his": "he", "her": "she", "their": "they"}[first.lower_], raw, at=first.idx)
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
                           role=(att.role if att else None) or _latest_role(person, int(pos)))
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
    return Attribution(speaker=top.name, speaker_type="pronoun", role=_latest_role(top, pos))


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
    return any(c.dep_ == "relcl" and any(w.lower_ == "who" and w.dep_ in _SUBJ for w in c.children)
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
            continue  # "Canadians", "Democrats": groups, never the antecedent of he/she
        person = ctx.registry.resolve(t.text, t.idx, org=False)
        if person is None or t.lower_ not in person.parts:
            continue
        kind = "subject" if t.dep_ in _SUBJ or (t.dep_ == "appos" and t.head.dep_ in _SUBJ) \
            or _heads_who_clause(t) else "mention"
        events.append((kind, t.idx, None, person))
    # definite descriptions as subjects ("the director was ...") that match a named person
    here = ctx.sent_index(pos)
    for t in ctx.doc[lo:hi + 1]:
        if t.idx >= pos or ctx.inside[t.i] or t.dep_ not in _SUBJ or t.pos_ != "NOUN" or not is_person_noun(t) \
                or ctx.sent_index(t.idx) == here:
            continue
        toks = mention_tokens(ctx, t)
        if toks and toks[0].lower_ == "the":
            person = match_description(ctx, toks, t.idx)
            if person is not None:
                events.append(("subject", t.idx, None, person))
    events.sort(key=lambda e: -e[1])
    return events
