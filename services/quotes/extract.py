"""Direct-quote extraction with speakers from an already parsed article.

Pipeline (pure functions over spaCy docs; only DocBin-safe token attributes):

1. :mod:`.marks` finds quoted stretches by their marks in the raw text.
2. Stretches that name a work or are scare quotes are dropped (:mod:`.filters`).
3. Each quote gets a reporting cue and speaker from the reporter's text next to
   it (:mod:`.attribution`: the cue from :mod:`.cues`, the speaker token from
   :mod:`.subjects`): "..., X said" / "X said: ..." / "according to X".
4. Speaker mentions are resolved (:mod:`.speakers`) to canonical names from the
   article's registry (:mod:`.names`), or through :mod:`.descriptions`,
   :mod:`.documents` and :mod:`.pronouns`; quotes without a cue inherit their
   neighbour's speaker.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from schemas.models import QuoteMention, Span
from services.common.doc_text import text_of

from .attribution import attribute
from .context import Attribution, Context
from .cues import is_cue
from .documents import document_author
from .filters import embedded_fragment, is_not_quote, is_shouting, is_title_case, quote_kind, title_is_title_case
from .kinds import is_person_noun
from .lexicon import NAMING_VERBS
from .marks import RawQuote, find_quotes
from .names import build_registry
from .speakers import resolve_speaker
from .subjects import subject_of


def extract_quotes(body: Doc, title: Doc | None = None) -> list[QuoteMention]:
    """All direct quotes of an article: body quotes plus headline quotes."""
    registry = build_registry(body, title)
    raws = find_quotes(text_of(body))
    ctx = Context(body, registry, raws)
    title_at = _title_in_body(text_of(body), text_of(title) if title is not None else "")
    title_case = title_is_title_case(text_of(title)) if title is not None else False

    kept: list[tuple[RawQuote, str, Attribution]] = []
    for raw in raws:
        in_title = title_at is not None and title_at[0] <= raw.open_start < title_at[1]
        if is_shouting(text_of(body), raw) and not in_title:
            continue
        if is_not_quote(ctx, raw, headline=in_title, title_case_line=in_title and title_case):
            continue
        att = attribute(ctx, raw)
        kind = "headline" if in_title else quote_kind(ctx, raw)
        if in_title and title_case and not _headline_fragment_ok(text_of(body), raw.start, raw.end, att,
                                                                 skip=title_at):
            continue
        if kind == "partial" and att.cue is None and _is_scare_quote(text_of(body)[raw.start:raw.end]):
            continue
        if kind == "partial" and embedded_fragment(ctx, raw, att.cue_i):
            continue
        kept.append((raw, kind, att))
        ctx.attributed.append((raw, att))

    _fill_continuations(ctx, kept)
    quotes = [_to_mention(text_of(body), raw, kind, att, title_at) for raw, kind, att in kept]
    if title is not None and title_at is None:
        quotes = _title_quotes(title, ctx, kept) + quotes
    return quotes


# ---------------------------------------------------------------- helpers
def _title_in_body(text: str, title: str) -> tuple[int, int] | None:
    """Where the title is repeated near the top of the body (pasted web pages)."""
    t = title.strip()
    if len(t) < 8:
        return None
    pos = text.find(t, 0, 2000)
    return (pos, pos + len(t)) if pos >= 0 else None


def _headline_fragment_ok(text: str, start: int, end: int, att: Attribution, body: str | None = None,
                          skip: tuple[int, int] | None = None) -> bool:
    """In a Title Case headline a capitalised quoted fragment may be a film or
    book title: keep it only when the headline has a reporting cue or the body
    uses the same words in lower case ("'Out Of Reach'" ... "out of reach")."""
    frag = text[start:end]
    if att.cue is not None or not is_title_case(frag):
        return True
    hay = body if body is not None else text
    for m in re.finditer(re.escape(frag.strip(" .,;:!?")), hay, flags=re.I):
        if skip is not None and skip[0] <= m.start() < skip[1]:
            continue
        if not is_title_case(m.group()):
            return True
    return False


def _is_scare_quote(text: str) -> bool:
    """A short fragment with no attribution reads as a scare quote."""
    return len(text.split()) <= 4


def _to_mention(text: str, raw: RawQuote, kind: str, att: Attribution,
                title_at: tuple[int, int] | None) -> QuoteMention:
    start, end = raw.start, raw.end
    if kind == "headline" and title_at is not None:
        start, end = start - title_at[0], end - title_at[0]
    mention = None
    if att.mention is not None:
        a, b = att.mention
        mention = Span(text=text[a:b], start=a, end=b)
    return QuoteMention(text=text[raw.start:raw.end], start=start, end=end, kind=kind,
                        speaker=att.speaker, speaker_type=att.speaker_type, speaker_role=att.role,
                        speaker_mention=mention, cue=att.cue)


def _fill_continuations(ctx: Context, kept: list[tuple[RawQuote, str, Attribution]]) -> None:
    """Quotes with no cue take the speaker of a neighbouring quote of the same
    speech -- unless the reporter's sentence right before the quote introduces
    someone else ("Jo Smith, 17, also heard the blast. "At first I ...")."""
    for k, (raw, kind, att) in enumerate(kept):
        if att.speaker is not None or att.cue is not None:
            continue
        intro = _introduced_speaker(ctx, raw) if kind == "full" else None
        if intro is not None and intro.speaker is not None:
            att.speaker, att.role, att.mention = intro.speaker, intro.role, intro.mention
            att.speaker_type = "continuation"
            continue
        donor = _neighbour(ctx, kept, k)
        if donor is not None:
            att.speaker, att.role = donor.speaker, donor.role
            att.speaker_type = "continuation"


def _introduced_speaker(ctx: Context, raw: RawQuote) -> Attribution | None:
    """The subject of the reporter's sentence that ends right before a cue-less
    quote, when it is a person (named, described or a pronoun)."""
    lo, _ = ctx.para_span(raw)
    start = lo
    for r in ctx.raws:
        if lo <= r.close_end <= raw.open_start:
            start = max(start, r.close_end)
    toks = [t for t in ctx.doc[ctx.tok_at(start):ctx.tok_at(raw.open_start) + 1]
            if start <= t.idx < raw.open_start and not ctx.inside[t.i]]
    if not [t for t in toks if not t.is_punct]:
        if start > lo or raw.paragraph == 0 or not ctx.starts_paragraph(raw):
            return None
        # a quote opening its paragraph: the previous paragraph's last sentence, if it is reporter text
        plo, phi = ctx.paras[raw.paragraph - 1]
        if any(plo <= r.close_end <= phi and not ctx.text[r.close_end:phi].strip(" .") for r in ctx.raws) \
                or any(r.unclosed and plo <= r.open_start < phi for r in ctx.raws):
            return None
        toks = [t for t in ctx.doc[ctx.tok_at(plo):ctx.tok_at(max(phi - 1, plo)) + 1]
                if plo <= t.idx < phi and not ctx.inside[t.i]]
        if any(ctx.inside[t.i] for t in ctx.doc[ctx.tok_at(plo):ctx.tok_at(max(phi - 1, plo)) + 1]
               if t.idx >= (toks[-1].idx if toks else phi)):
            return None
    if not toks:
        return None
    toks = _drop_verbless_lead(toks)
    # the last reporter sentence, which must end right before the quote (not "X said that")
    if not toks or toks[-1].text not in (".", "!", "?") or toks[-1].pos_ != "PUNCT":
        return None
    sent = toks[:-1]
    for j in range(len(sent) - 1, -1, -1):
        if sent[j].text in (".", "!", "?") and sent[j].pos_ == "PUNCT":
            sent = sent[j + 1:]
            break
    if not sent or len(sent) > 80 or sent[-1].text in (":",):
        return None
    ids = {t.i for t in sent}
    if any(a.cue_i in ids for _, a in ctx.attributed):
        return None  # the sentence attributes an earlier quote ("...," X said. "...")
    reported = _reporting_verb(sent)
    if reported is not None:
        # indirect speech right before the quote ("He said the road was closed." /
        # "..., a ministry statement said."): the quote goes on with the same source
        subj = subject_of(ctx, reported)
        if subj is not None and subj.i in ids and (_personal(ctx, subj) or document_author(ctx, subj)):
            att = Attribution()
            resolve_speaker(ctx, subj, raw, att)
            if att.speaker is not None:
                return att
    roots = [t for t in sent if t.head.i not in ids or t.head.i == t.i]
    verbs = [t for t in roots if t.pos_ in ("VERB", "AUX")]
    if not verbs or len(sent) > 40:
        return None
    subj = subject_of(ctx, verbs[0])
    if subj is None or subj.i not in ids or not _personal(ctx, subj):
        return None
    att = Attribution()
    resolve_speaker(ctx, subj, raw, att)
    if att.speaker_type not in ("named", "pronoun", "description"):
        return None
    return att


def _drop_verbless_lead(toks: list):
    """Drop a short verbless lead-in of the quote's own sentence ("Later that day, "...")
    so that the reporter's previous sentence is the one before the quote."""
    for j in range(len(toks) - 1, -1, -1):
        if toks[j].text in (".", "!", "?") and toks[j].pos_ == "PUNCT":
            lead = toks[j + 1:]
            if lead and len(lead) <= 8 and lead[-1].text == "," and not any(t.pos_ in ("VERB", "AUX") for t in lead):
                return toks[:j + 1]
            return toks
    return toks


def _reporting_verb(sent: list):
    """The reporting verb of a sentence of indirect speech: a main verb with a
    reported clause ("He said the road was closed.") or a closing
    "..., a ministry statement said." (a verb among the last tokens, no object)."""
    ids = {t.i for t in sent}
    cands = [t for t in sent if (t.head.i == t.i or t.head.i not in ids) and t.pos_ in ("VERB", "AUX")
             and any(c.dep_ == "ccomp" for c in t.children)][:1]
    tail = [t for t in sent[-4:] if t.pos_ in ("VERB", "AUX")]
    if tail and (tail[-1].head.i == tail[-1].i or tail[-1].head.head.i == tail[-1].head.i) \
            and not any(c.dep_ == "dobj" for c in tail[-1].children):
        cands.append(tail[-1])
    for v in cands:
        if is_cue(v, False) and v.lemma_.lower() not in NAMING_VERBS:
            return v
    return None


def _personal(ctx: Context, t) -> bool:
    """A subject that can be a quoted person: a named person, a personal pronoun, a person noun."""
    if t.pos_ == "PRON":
        return t.lower_ in ("he", "she")
    if t.pos_ == "PROPN":
        return t.ent_type_ == "PERSON" or ctx.registry.resolve(t.text, t.idx, org=False) is not None
    return is_person_noun(t) and t.tag_ != "NNS"


def _neighbour(ctx: Context, kept, k: int) -> Attribution | None:
    raw = kept[k][0]
    same_para = [(j, a) for j, (r, _, a) in enumerate(kept) if r.paragraph == raw.paragraph and j != k
                 and a.speaker is not None]
    before = [a for j, a in same_para if j < k]
    after = [a for j, a in same_para if j > k]
    if before:
        return before[-1]
    if after and not ctx.sentence_break_between(raw, kept[k + 1][0], limit=2):
        return after[0]
    # the paragraph opens with this quote and the previous paragraph was speech
    if k > 0 and ctx.starts_paragraph(raw):
        prev_raw, _, prev_att = kept[k - 1]
        if prev_att.speaker is not None and prev_raw.paragraph >= raw.paragraph - 1:
            return prev_att
    if after:
        return after[0]
    # an unclosed quote continues in the next paragraph(s): take the speech's speaker
    j = k
    while kept[j][0].unclosed and j + 1 < len(kept) and kept[j + 1][0].paragraph == kept[j][0].paragraph + 1 \
            and ctx.starts_paragraph(kept[j + 1][0]):
        j += 1
        if kept[j][2].speaker is not None:
            return kept[j][2]
    return None


def _title_quotes(title: Doc, ctx: Context, kept) -> list[QuoteMention]:
    """Quotes printed in the headline, attributed from the headline or the body."""
    tctx = Context(title, ctx.registry, find_quotes(text_of(title)), body_ctx=ctx)
    title_case = title_is_title_case(text_of(title))
    out = []
    for raw in tctx.raws:
        if is_not_quote(tctx, raw, headline=True, title_case_line=title_case):
            continue
        att = attribute(tctx, raw, headline=True)
        if title_case and not _headline_fragment_ok(text_of(title), raw.start, raw.end, att, body=ctx.text):
            continue
        if att.speaker is None:
            att = _speaker_from_body(text_of(title)[raw.start:raw.end], kept, ctx.text) or att
        out.append(QuoteMention(text=text_of(title)[raw.start:raw.end], start=raw.start, end=raw.end,
                                kind="headline", speaker=att.speaker, speaker_type=att.speaker_type,
                                speaker_role=att.role, speaker_mention=None, cue=att.cue))
    return out


def _speaker_from_body(text: str, kept, body_text: str) -> Attribution | None:
    """The speaker of the body quote that contains the headline's words."""
    needle = " ".join(text.lower().split()).strip(" .,;:!?")
    for raw, _, att in kept:
        hay = " ".join(body_text[raw.start:raw.end].lower().split())
        if att.speaker and needle and needle in hay:
            return Attribution(speaker=att.speaker, speaker_type=att.speaker_type, role=att.role)
    return None
