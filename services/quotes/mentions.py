"""The mention of a speaker in the text: the tokens of its noun phrase, and the
canonical name and role a proper-noun mention stands for."""
from __future__ import annotations

from spacy.tokens import Token

from services.common.doc_text import text_of

from .context import Context
from .names import Person, clean_name_tokens, role_before, tokens_text


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


def name_and_role(ctx: Context, subj: Token, pos: int | None) -> tuple[str, str | None]:
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
            name = text_of(doc)[name_toks[0].idx:num.idx + len(num.text)]  # "Witness No. 3"
    role_toks = [t for t in toks if t.i < name_toks[0].i]
    role = tokens_text(doc, role_toks).strip() or None
    person = ctx.registry.resolve(name, pos, org=False)
    if person is not None:
        if role is None:
            role = latest_role(person, pos)
        return person.name, role
    return name, role


def latest_role(person: Person, pos: int | None) -> str | None:
    """The role last given with ``person`` before ``pos`` (any position when ``pos`` is None)."""
    roles = [r for r, p in person.roles if pos is None or p <= pos]
    return roles[-1] if roles else None
