"""Resolve a speaker token into the speaker of a quote: a named person (with the
role given with the name or in apposition: "the director, Jane Roe"), several
people, an organisation, a document's issuer, a pronoun's antecedent or a
description."""
from __future__ import annotations

import re

from spacy.tokens import Token

from .acronyms import expand_acronym
from .context import Attribution, Context
from .descriptions import described_org, group_speaker, match_description
from .documents import document_author, document_issuer, pronoun_document_issuer
from .kinds import is_org, is_person_noun
from .lexicon import PRONOUNS_FEMALE, PRONOUNS_MALE, PRONOUNS_PLURAL, TITLE_WORDS
from .marks import RawQuote
from .mentions import mention_tokens, name_and_role
from .names import tokens_text
from .pronouns import possessive_description, resolve_pronoun


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
        elif lower == "it":
            issuer = pronoun_document_issuer(ctx, subj)
            if issuer is not None:
                person = ctx.registry.resolve(issuer, pos, org=False)
                att.speaker, att.speaker_type = issuer, "named" if person is not None else "organisation"
        return
    if subj.pos_ == "NOUN":
        appos = [c for c in subj.children if c.dep_ == "appos" and c.pos_ == "PROPN" and not ctx.inside[c.i]]
        if appos and (appos[0].ent_type_ in ("PERSON", "") or is_person_noun(subj)):
            desc = tokens_text(ctx.doc, mention_tokens(ctx, subj))
            name, role = name_and_role(ctx, appos[0], pos)
            more = _conj_names(ctx, appos[0])
            if more:
                name = " and ".join([name] + [name_and_role(ctx, n, pos)[0] for n in more])
            toks = mention_tokens(ctx, appos[0])
            att.mention = (toks[0].idx, toks[-1].idx + len(toks[-1].text))
            att.speaker, att.speaker_type, att.role = name, "named", role or _strip_det(desc)
            return
    person = _person_closing_org(ctx, subj)
    if person is not None:                           # "Acme Corp. deputy director Jo Roe told"
        _resolve_speaker(ctx, person, raw, att)
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
        resolved = [name_and_role(ctx, n, pos)[0] for n in names]
        att.speaker, att.speaker_type = " and ".join(resolved), "named"
        return
    if subj.pos_ == "PROPN" and not is_org(subj, toks, ctx.registry):
        name, role = name_and_role(ctx, subj, pos)
        att.speaker, att.speaker_type = name, "named"
        att.role = role
        return
    if subj.pos_ == "PROPN" or (is_org(subj, toks) and any(t.pos_ == "PROPN" for t in toks)):
        att.speaker = expand_acronym(ctx.text, _strip_det(tokens_text(ctx.doc, toks)))
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
        issuer = document_issuer(ctx, subj, pos) or described_org(ctx, subj, toks, pos)
        if issuer is not None:
            att.speaker = issuer
            return
    group = group_speaker(ctx, subj, toks, raw)
    if group is not None:
        att.speaker = group
        return
    att.speaker = possessive_description(ctx, toks, raw) or desc
    if is_org(subj, toks):
        att.speaker_type = "organisation"


def _person_closing_org(ctx: Context, subj: Token) -> Token | None:
    """The person named at the end of an organisation-headed subject: "Acme Corp. deputy
    director Jo Roe told ..." often parses with the organisation as the head and the person
    as an apposition or a prepositional object inside it; the organisation there only
    premodifies the person's role, so the person speaks.  The name must be a PERSON entity
    that ends the subject phrase, right after a role noun or a title.  Likewise a person noun
    joined to a named role ("actress and former reporter Jo Roe checked in"), with no
    preposition between them ("the lawyer for singer Jo Roe" is not Jo Roe)."""
    person_head = subj.pos_ == "NOUN" and is_person_noun(subj)
    if not (person_head or (subj.pos_ == "PROPN" and is_org(subj, [subj], ctx.registry))):
        return None
    last = subj.right_edge
    if last.i <= subj.i or ctx.inside[last.i] or last.ent_type_ != "PERSON" or last.pos_ != "PROPN":
        return None
    first = last
    while first.i - 1 > subj.i and ctx.doc[first.i - 1].pos_ == "PROPN" and not ctx.inside[first.i - 1]:
        first = ctx.doc[first.i - 1]  # the whole name (the entity may have missed its first part)
    role = ctx.doc[first.i - 1]
    if role.i <= subj.i or ctx.inside[role.i] or not (is_person_noun(role) or role.lower_ in TITLE_WORDS):
        return None
    if person_head and any(t.pos_ == "ADP" or t.is_punct for t in ctx.doc[subj.i + 1:first.i]):
        return None
    return last


def _numbered_designation(ctx: Context, subj: Token) -> tuple[int, int] | None:
    """Character span of a numbered designation the parser split around its subject
    ("Witness No. 12 said": the subject may come out as "No" or as the bare "."), else None."""
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


def _strip_det(text: str) -> str:
    return re.sub(r"^(the|a|an)\s+", "", text, flags=re.I)
