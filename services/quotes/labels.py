"""Speakers given as a label, not with a reporting verb: round-ups and transcripts.

* ``Ana Sorel, Brenton Growers Union: "..."`` -- a name (and an affiliation
  after a comma) then a colon, the quote on the same line;
* ``Ana Sorel, Brenton Growers Union`` on its own line, the quote opening the
  next line;
* ``SOREL: "..."`` -- a transcript's capitalised speaker label;
* ``Ana Sorel, the union's lawyer, was blunt: "..."`` -- a sentence ending in a colon
  right before the quote, without a reporting verb: its subject speaks.

The quote must end its line.  The label must be a name: its part before the first comma lies in one PERSON
or ORG entity (a transcript label written in capitals may be any capitalised
word that is not a place or a date), has no verb and only capitalised words.
A label line before the quote must not end like a sentence or a quotation.
"""
from __future__ import annotations

import re

from spacy.tokens import Token

from .context import Attribution, Context
from .kinds import is_speaker_like
from .marks import RawQuote
from .speakers import resolve_speaker
from .subjects import subject_of

__all__ = ["colon_sentence", "label_attribution"]

#: The longest label read as "name, affiliation" (not fitted: a name and a short affiliation
#: fit in a dozen words; anything longer is running text, whose verbs are cues).
_MAX_LABEL_WORDS = 12
_COLON_LABEL_RE = re.compile(r"[ \t]*([^\n:\"“”]+?)[ \t]*:[ \t]*")
_SENTENCE_END = tuple(".!?;\"“”'’»")
_NAME_TYPES = ("PERSON", "ORG")
_NOT_SPEAKER_TYPES = ("GPE", "LOC", "DATE", "TIME", "CARDINAL", "ORDINAL", "NORP", "EVENT", "WORK_OF_ART")


def label_attribution(ctx: Context, raw: RawQuote) -> Attribution | None:
    """The attribution a label, or a sentence ending in a colon, before the quote gives."""
    return _label(ctx, raw) or colon_sentence(ctx, raw)


def colon_sentence(ctx: Context, raw: RawQuote) -> Attribution | None:
    """"Jane Roe, the union's lawyer, was blunt: \"...\"": a sentence that ends in a colon
    right before the quote introduces it, and its subject (a person or an organisation)
    is the speaker."""
    k = raw.open_start
    while k > 0 and ctx.text[k - 1] in " \t\r\n":
        k -= 1
    if k == 0 or ctx.text[k - 1] != ":":
        return None
    colon = ctx.doc[ctx.tok_at(k - 1)]
    if colon.text != ":" or ctx.inside[colon.i]:
        return None
    # the verb of the clause before the colon (the parser may join the quote to its sentence)
    root = ctx.doc[colon.i - 1] if colon.i > 0 else colon
    while root.head.i != root.i and root.head.i < colon.i and not ctx.inside[root.head.i]:
        root = root.head
    if root.pos_ not in ("VERB", "AUX") or root.sent.start > colon.i - 1:
        return None
    subj = subject_of(ctx, root)
    if subj is None or subj.pos_ == "PRON" or not is_speaker_like(subj):
        return None
    att = Attribution(cue=":", cue_i=colon.i)
    resolve_speaker(ctx, subj, raw, att)
    return att if att.speaker else None


def _label(ctx: Context, raw: RawQuote) -> Attribution | None:
    """The attribution a label before the quote gives, or None when there is no label."""
    text = ctx.text
    rest_end = text.find("\n", raw.close_end)
    if text[raw.close_end:rest_end if rest_end >= 0 else len(text)].strip(" \t.,;!?"):
        return None  # the quote must end its line: "Label: "..." Headline words" is a title
    line_start = text.rfind("\n", 0, raw.open_start) + 1
    prefix = text[line_start:raw.open_start]
    if prefix.strip():
        m = _COLON_LABEL_RE.fullmatch(prefix)
        if m is None:
            return None
        span, transcript_ok = (line_start + m.start(1), line_start + m.end(1)), True
    else:
        span, transcript_ok = _line_above(text, line_start), False
        if span is None:
            return None
    found = _label_name(ctx, *span, transcript_ok=transcript_ok)
    if found is None:
        return None
    first, head = found
    att = Attribution(cue=":", cue_i=head.i)
    name = ctx.text[first.idx:head.idx + len(head.text)]
    if name.isupper():  # a transcript label "SOREL": the article's full name of it, else "Sorel"
        person = ctx.registry.resolve(name, raw.open_start)
        att.speaker = person.name if person is not None else name.title()
        att.mention = (first.idx, head.idx + len(head.text))
    else:
        resolve_speaker(ctx, head, raw, att)
    if att.speaker is None:
        return None
    if att.speaker_type in (None, "description"):
        att.speaker_type = "named"  # a label is a name (the tagger may read a capitalised one as a noun)
    return att


def _line_above(text: str, line_start: int) -> tuple[int, int] | None:
    """Span of the non-empty line above ``line_start`` (blank lines skipped), without a trailing
    colon, unless it reads as the end of a sentence or a quotation."""
    end = line_start
    while end > 0 and text[end - 1] in "\n\r \t":
        end -= 1
    if end == 0:
        return None
    start = text.rfind("\n", 0, end) + 1
    line = text[start:end]
    if line.endswith(_SENTENCE_END):
        return None
    return start, start + len(line.rstrip(" :"))


def _label_name(ctx: Context, start: int, end: int, *, transcript_ok: bool) -> tuple[Token, Token] | None:
    """The first and the head token of the name a label ``text[start:end]`` gives, else None."""
    label = ctx.text[start:end]
    if not label or len(label.split()) > _MAX_LABEL_WORDS:
        return None
    comma = label.find(",")
    name_end = start + comma if comma >= 0 else end
    toks = [t for t in ctx.doc if start <= t.idx < name_end and not t.is_space]
    if not toks or any(ctx.inside[t.i] for t in toks):
        return None
    if any(t.pos_ in ("VERB", "AUX") and not t.text.isupper() for t in toks):
        return None
    if not all(t.text[:1].isupper() or t.is_punct for t in toks):
        return None
    head = next((t for t in reversed(toks) if t.is_alpha), None)
    if head is None:
        return None
    ents = {t.ent_type_ for t in toks}
    same_entity = len({(t.ent_iob_ == "B", t.ent_type_) for t in toks[1:]} - {(False, head.ent_type_)}) == 0
    if len(ents) == 1 and head.ent_type_ in _NAME_TYPES and same_entity:
        return toks[0], head
    shouted = all(t.text.isupper() for t in toks if t.is_alpha)
    if transcript_ok and shouted and not ents & set(_NOT_SPEAKER_TYPES) and len(toks) <= 3:
        return toks[0], head
    return None
