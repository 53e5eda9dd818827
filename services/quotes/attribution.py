"""Attribute a quote: find the reporting cue next to it and resolve its speaker."""
from __future__ import annotations

from .context import Attribution, Context
from .documents import document_author
from .lexicon import DOCUMENT_NOUNS
from .cues import after_frame, before_frame, find_cue, is_cue, read_document
from .labels import colon_sentence, label_attribution
from .marks import RawQuote
from .speakers import resolve_speaker
from .subjects import inverted_name, positional_subject, quoted_as_saying, subject_of


def attribute(ctx: Context, raw: RawQuote, headline: bool = False) -> Attribution:
    """Cue and speaker of one quote."""
    cue, subj, side = find_cue(ctx, raw)
    intro = colon_sentence(ctx, raw) if not headline else None
    if intro is not None and (cue is None or cue.i < ctx.doc[intro.cue_i].sent.start):
        return intro  # "X was blunt: ..." introduces the quote, not a cue of a sentence before
    if cue is None:
        if headline:
            return _headline_colon(ctx, raw)
        return label_attribution(ctx, raw) or _document_source(ctx, raw) or Attribution()
    frame = after_frame(ctx, raw) if side == "after" else before_frame(ctx, raw)
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
        if subj is None and cue.lemma_.lower() == "read":
            subj = read_document(cue)  # "'...,' read a statement issued by X": the document speaks
        subj = inverted_name(ctx, cue, subj, frame) or subj or positional_subject(ctx, cue, frame)
        quoted = quoted_as_saying(ctx, cue)
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



def _document_source(ctx: Context, raw: RawQuote) -> Attribution | None:
    """"In a statement from X, it was confirmed: '...'": with no reporting verb that names a
    speaker, a document introducing the quote ("in a statement/letter from/by X", ending
    right before the quote) speaks for whoever issued it."""
    frame = before_frame(ctx, raw)
    if not frame or frame[-1].text not in (",", ":"):
        return None
    for t in frame:
        if t.dep_ != "pobj" or t.head.lower_ != "in" or t.lemma_.lower() not in DOCUMENT_NOUNS:
            continue
        issuer = document_author(ctx, t)
        if issuer is None:
            continue
        att = Attribution(cue="in a " + t.lower_, cue_i=t.i)
        if isinstance(issuer, str):
            att.speaker, att.speaker_type = issuer, "organisation"
            att.mention = (t.left_edge.idx, t.idx + len(t.text))
        else:
            resolve_speaker(ctx, issuer, raw, att)
        return att if att.speaker is not None else None
    return None
