"""Reporting cues: which verbs report speech, where the reporter's text around a
quote lies (its frames), and which cue in them introduces the quote."""
from __future__ import annotations

from spacy.tokens import Token

from .context import Context, is_end
from .kinds import is_speaker_like
from .lexicon import DOCUMENT_NOUNS, NAMING_VERBS, SPEECH_VERBS, SUBORDINATING_CONJUNCTIONS
from .marks import RawQuote
from .subjects import mute_noun, subject_of

def is_cue(t: Token, before: bool) -> bool:
    """A reporting verb that can be the cue of a quote next to it (``before``: the verb comes
    before the quote).  Not a verb used as a noun or modifier, not a passive ("it was announced"),
    not hearsay ("said to be"), and a naming verb ("called it ...") only before the quote."""
    if not (t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB")):
        return False
    if t.lemma_.lower() == "read" and read_document(t) is not None:
        return True  # "the statement read", "'...,' read a statement issued by X"
    if t.lemma_.lower() not in SPEECH_VERBS:
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


def read_document(t: Token) -> Token | None:
    """The document a form of "read" reports ("the letter read", "read a statement"), else None:
    a document's text "reads" as what it says."""
    for c in t.children:
        if c.dep_ in ("nsubj", "dobj") and c.pos_ == "NOUN" and c.lemma_.lower() in DOCUMENT_NOUNS:
            return c
    return None


def _passive(t: Token) -> bool:
    """"It was announced", "he has been described as", "Lund, said to be": the
    subject is what was said (or said about), not the speaker -- unless a
    "by" agent names the speaker."""
    kids = list(t.children)
    if any(c.dep_ == "agent" for c in kids):
        return False
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in kids):
        return True
    if t.tag_ == "VBN" and any(c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in kids) \
            and not any(c.dep_ == "aux" for c in kids):
        return True  # "Lund, said to be one of ..."
    return t.tag_ == "VBN" and t.dep_ in ("acl", "amod") and not any(c.dep_ == "aux" for c in kids)


def _subordinate(t: Token) -> bool:
    """A reporting verb inside an adverbial clause ("even though she conceded")."""
    return any(c.dep_ == "mark" and c.lower_ in SUBORDINATING_CONJUNCTIONS for c in t.children)


def _according_to(toks: list[Token]) -> Token | None:
    """The object of "according to" among ``toks`` (the source it names), else None."""
    for t in toks:
        if t.lower_ == "according" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to":
            objs = [c for c in t.doc[t.i + 1].children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    return None


# ------------------------------------------------------------------ frames
def after_frame(ctx: Context, raw: RawQuote) -> list[Token]:
    """Reporter's tokens after the quote, up to the next quote or sentence end."""
    lo, hi = ctx.para_span(raw)
    nxt = [r.open_start for r in ctx.raws if r.open_start >= raw.close_end and r.open_start < hi]
    limit = min(nxt) if nxt else hi
    toks = []
    i = ctx.tok_at(raw.close_end)
    if i < len(ctx.doc) and ctx.doc[i].idx < raw.close_end:
        i += 1
    first = True
    while i < len(ctx.doc) and ctx.doc[i].idx < limit:
        t = ctx.doc[i]
        if is_end(t) or (t.text == ";" and toks):
            if toks or (first and is_end(t) and t.text == "." and not ctx.inside[t.i]):
                break  # 'beauty". Next sentence' -- the reporter's sentence ended
        elif not (t.is_punct and not toks):
            toks.append(t)
        if not ctx.inside[t.i]:
            first = False
        i += 1
    return [t for t in toks if not ctx.inside[t.i]]


def before_frame(ctx: Context, raw: RawQuote) -> list[Token]:
    """Reporter's tokens of the sentence before the quote (after any earlier quote)."""
    lo, hi = ctx.para_span(raw)
    start = lo
    for r in ctx.raws:
        if lo <= r.close_end <= raw.open_start and (
                ctx.text[r.start:r.end].rstrip().endswith((".", "!", "?", "…"))
                or not ctx.text[r.close_end:raw.open_start].strip()):
            start = max(start, r.close_end)
    toks = [ctx.doc[i] for i in range(ctx.tok_at(start), ctx.tok_at(raw.open_start) + 1)
            if start <= ctx.doc[i].idx < raw.open_start and not ctx.inside[i]]
    for k in range(len(toks) - 1, -1, -1):
        if is_end(toks[k]):
            toks = toks[k + 1:]
            break
    if not toks and ctx.starts_paragraph(raw) and raw.paragraph > 0:
        toks = _intro_line(ctx, raw.paragraph - 1)
    return toks


def _intro_line(ctx: Context, para: int) -> list[Token]:
    """The last sentence of a paragraph that ends with a colon ("X said:"), or
    with a reporting verb and a comma or nothing ("X commented," / "he said")."""
    lo, hi = ctx.paras[para]
    toks = [t for t in ctx.doc[ctx.tok_at(lo):ctx.tok_at(hi - 1) + 1] if lo <= t.idx < hi
            and not ctx.inside[t.i]]
    if not toks or ctx.inside[ctx.tok_at(hi - 1)]:
        return []
    if toks[-1].text != ":":
        last = toks[-2] if toks[-1].text == "," and len(toks) > 1 else toks[-1]
        if not is_cue(last, True):
            return []
    for k in range(len(toks) - 2, -1, -1):
        if is_end(toks[k]):
            return toks[k + 1:]
    return toks


# ------------------------------------------------------------------ the cue of a quote
def find_cue(ctx: Context, raw: RawQuote) -> tuple[Token | None, Token | None, str]:
    """(cue token, speaker token or None, side) for a quote."""
    after = after_frame(ctx, raw)
    before = before_frame(ctx, raw)
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
        if side == "before":
            cands = [t for t in cands if not _reports_own_clause(ctx, t, raw)] or cands
        cands = [t for t in cands if not _mute_subject(ctx, t)] or cands
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
               and not is_speaker_like(c) for c in verb.children)


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


def _reports_own_clause(ctx: Context, verb: Token, raw: RawQuote) -> bool:
    """A verb before the quote in an inserted clause with its own indirect speech ("X told the
    paper after the hearing -- where Y said the site was safe -- '...'"): its reported clause
    ends before the quote and a dash or closing parenthesis closes the insertion, so it does
    not introduce the quote; another reporting verb of the frame does.  ("Y said the breach
    was old: '...'" -- a colon -- goes on with Y.)"""
    for c in verb.children:
        if c.dep_ != "ccomp" or c.i < verb.i:
            continue
        last = c.right_edge
        while last.is_punct and last.i > c.i:
            last = ctx.doc[last.i - 1]  # the parser may hang the closing dash on the clause
        end = last.idx + len(last.text)
        gap = ctx.text[end:raw.open_start]
        if end <= raw.open_start and any(m in gap for m in "—–)") and not gap.strip(" \t\n—–),"):
            return True
    return False


def _mute_subject(ctx: Context, verb: Token) -> bool:
    """A reporting verb whose subject is a thing that cannot speak ("if the data suggested
    ..."): neither a name, a pronoun, a person or organisation noun nor a document.  A verb
    whose own subject is "who" has a person for its subject, whatever the tagger made of the
    antecedent ("Moon Jae-in, who said" may leave "in" a common noun)."""
    if any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ == "who" for c in verb.children):
        return False
    subj = subject_of(ctx, verb)
    return subj is not None and mute_noun(subj)
