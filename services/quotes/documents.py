"""A document as the source ("the statement said", "a statement by X"): the person
or organisation that issued it."""
from __future__ import annotations

from spacy.tokens import Token

from .context import Context
from .kinds import is_org, is_person_noun, is_speaker_like
from .lexicon import DOCUMENT_NOUNS, ISSUING_VERBS
from .mentions import name_and_role
from .names import tokens_text
from .subjects import subject_of

def _phrase(ctx: Context, head: Token) -> str | None:
    """The text of a named or described issuer ("the national government", "the event organisers")."""
    if ctx.inside[head.i] or head.pos_ not in ("NOUN", "PROPN"):
        return None
    if head.pos_ == "NOUN" and not (is_org(head, [head]) or is_person_noun(head)):
        return None
    toks = [t for t in head.subtree if not ctx.inside[t.i]]
    cut = next((k for k, t in enumerate(toks) if t.text in (",", "(", ";") or t.dep_ in ("relcl", "acl")), len(toks))
    toks = toks[:cut]
    if not toks or len(toks) > 12:
        return None
    if head.pos_ == "PROPN" and not is_org(head, toks, ctx.registry):
        return name_and_role(ctx, head, None)[0]
    return tokens_text(ctx.doc, toks)


def document_author(ctx: Context, subj: Token) -> Token | str | None:
    """The author named inside a document noun phrase: "a statement by X" /
    "a letter from X" -> X (a token to resolve); "the agency's statement" ->
    the agency; "a Foreign Ministry statement" -> "Foreign Ministry"."""
    if subj.pos_ != "NOUN" or subj.lemma_.lower() not in DOCUMENT_NOUNS:
        return None
    for c in subj.children:
        if ctx.inside[c.i]:
            continue
        if c.dep_ == "prep" and c.lower_ in ("by", "from", "of"):
            objs = [o for o in c.children if o.dep_ == "pobj" and not ctx.inside[o.i]]
            if objs and is_speaker_like(objs[0]):
                return objs[0]
        if c.dep_ == "poss" and c.pos_ in ("PROPN", "NOUN") and is_speaker_like(c):
            return c
        if c.dep_ == "acl" and c.lemma_.lower() in ISSUING_VERBS:  # "a statement issued by X"
            for agent in c.children:
                objs = [o for o in agent.children if agent.dep_ == "agent" and o.dep_ == "pobj"
                        and not ctx.inside[o.i]]
                if objs and is_speaker_like(objs[0]):
                    return objs[0]
    comp = [c for c in subj.children if c.dep_ == "compound" and c.pos_ == "PROPN" and not ctx.inside[c.i]]
    if comp:
        toks = [t for t in ctx.doc[comp[0].left_edge.i:subj.i] if t.pos_ == "PROPN" or t.text == "-"]
        if toks:
            return tokens_text(ctx.doc, toks)
    return None


def document_issuer(ctx: Context, subj: Token, pos: int) -> str | None:
    """"The statement said" -> whoever issued the latest statement named earlier:
    "a statement from X", "a message of X", "X said in a statement"."""
    if subj.lemma_.lower() not in DOCUMENT_NOUNS:
        return None
    return _latest_issuer(ctx, max(0, ctx.tok_at(pos) - 400), subj.i)


def pronoun_document_issuer(ctx: Context, subj: Token) -> str | None:
    """"X released a statement. '...,' it said" -> X: "it" as a reporting subject refers to a
    document named in the sentence before (or its own), and speaks for whoever issued it."""
    sent = subj.sent
    prev = ctx.doc[sent.start - 1].sent if sent.start > 0 else sent
    return _latest_issuer(ctx, prev.start, subj.i)


def _latest_issuer(ctx: Context, lo: int, hi: int) -> str | None:
    """The issuer of the latest document noun among tokens ``lo``..``hi`` that names one."""
    for t in reversed(ctx.doc[lo:hi]):
        if t.lemma_.lower() not in DOCUMENT_NOUNS or t.pos_ != "NOUN" or ctx.inside[t.i]:
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
        if t.dep_ in ("dobj",) and t.head.lemma_.lower() in ISSUING_VERBS:
            subj2 = subject_of(ctx, t.head)
            if subj2 is not None:
                out = _phrase(ctx, subj2)
                if out:
                    return out
    return None
