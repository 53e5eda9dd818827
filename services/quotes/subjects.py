"""The token that names who speaks: the grammatical subject of a reporting verb
(climbing out of clauses), an inverted "..., said X", a noun phrase next to the
verb when the parse gives no subject, or the person quoted "as saying"."""
from __future__ import annotations

from spacy.tokens import Token

from .context import Context, is_end
from .kinds import SUBJECT_DEPS, is_person_noun, is_speaker_like
from .lexicon import DOCUMENT_NOUNS, LISTENER_VERBS, NAMING_VERBS, TITLE_WORDS

_RELATIVE = frozenset({"who", "which", "that", "whom"})
# Dependency labels of clauses a reporting verb can sit in; the subject may be the head's.
_CLIMB = ("xcomp", "advcl", "conj", "pcomp", "acl", "prep", "ccomp", "relcl")


def subject_of(ctx: Context, verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, climbing out of clauses."""
    v = verb
    found: list[Token] = []
    for _ in range(4):
        subs = [c for c in v.children if c.dep_ in SUBJECT_DEPS and not ctx.inside[c.i]]
        if subs:
            subs.sort(key=lambda c: (not is_speaker_like(c), abs(c.i - v.i)))
            sub = subs[0]
            if sub.lower_ in _RELATIVE and v.dep_ == "relcl" and not ctx.inside[v.head.i]:
                sub = v.head  # "the magazine, which named her ..." -> the magazine
                if sub_is_who(sub, v):
                    sub = _person_before(ctx, sub) or sub
            found.append(sub)
            if is_speaker_like(sub):
                break
            # a clause climbed into whose subject is a thing that cannot speak ("officials tried to calm
            # fears that the crisis was spreading, insisting ...") is not the speaker's: climb on
            if (v is verb and v.dep_ not in ("advcl", "xcomp", "conj")) or (v is not verb and not mute_noun(sub)):
                break
        elif v.dep_ == "acl" and v.head.pos_ in ("NOUN", "PROPN") and not ctx.inside[v.head.i] \
                and is_speaker_like(v.head):
            found.append(v.head)
            break
        if v.dep_ in _CLIMB and v.head.i != v.i and not ctx.inside[v.head.i]:
            v = v.head
            if v.pos_ in ("NOUN", "PROPN") and v.dep_ in ("dobj", "pobj", "attr") and not is_speaker_like(v) \
                    and v.head.pos_ in ("VERB", "AUX") and not ctx.inside[v.head.i]:
                v = v.head  # "X downplayed the unrest saying that ..." -- past the object noun
        else:
            break
    if not found:
        return None
    return next((f for f in found if is_speaker_like(f)), found[0])


def mute_noun(t: Token) -> bool:
    """A common noun for a thing that cannot speak: not a person or organisation noun, not a
    document ("the report said" speaks for its issuer)."""
    return t.pos_ == "NOUN" and not is_speaker_like(t) and t.lemma_.lower() not in DOCUMENT_NOUNS


def sub_is_who(head: Token, relcl: Token) -> bool:
    """A "who" clause attached by the parser to a noun that is not a person
    ("a woman outside the bank, who cried ...")."""
    return any(c.lower_ == "who" and c.dep_ in SUBJECT_DEPS for c in relcl.children) and \
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


def positional_subject(ctx: Context, verb: Token, frame: list[Token]) -> Token | None:
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


def inverted_name(ctx: Context, verb: Token, subj: Token | None, frame: list[Token] | None = None) -> Token | None:
    """"..., said Okafor" where the parse took another noun as the subject.

    Only for a verb right next to the quote ("..., said X"); after "told" or
    "asked" the next noun is the listener."""
    if frame and frame[0].i != verb.i and not _closing_inversion(ctx, verb, frame):
        return None
    if verb.lemma_.lower() in LISTENER_VERBS:
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
    # a person's name within the next few tokens ("said studio group chief Tomas Brandt")
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


def _closing_inversion(ctx: Context, verb: Token, frame: list[Token]) -> bool:
    """"... will be 'a long delay' for residents, warned the union.": a reporting verb after a
    comma with no subject of its own, followed only by a noun phrase to the end of the
    sentence -- the quotative inversion closing a sentence that carries a quote."""
    if verb.i == 0 or ctx.doc[verb.i - 1].text != "," or any(c.dep_ in SUBJECT_DEPS for c in verb.children):
        return False
    if verb.lemma_.lower() in NAMING_VERBS or not any(ctx.inside[t.i] for t in ctx.doc[verb.sent.start:verb.i]):
        return False  # "..., called the plan 'a mess'" names; the quote must come before the verb
    rest = [t for t in frame if t.i > verb.i]
    return bool(rest) and not any(t.pos_ in ("VERB", "AUX") or t.text == "," for t in rest)


def quoted_as_saying(ctx: Context, cue: Token) -> Token | None:
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
