"""Named entities of one article with canonical names.

Pure function of the parsed docs (no model calls): works on docs rebuilt from
DocBin bytes because it reads only text, offsets, tags, lemmas, sentence
starts and entity labels.

Pipeline (linear in the number of tokens):

1. candidates (:mod:`services.entities.candidates`): spaCy entities minus
   numeric types, split, trimmed, extended and junk dropped; a person's name with a
   nickname inside ('Vincent "The Chin" Gigante') one candidate however the tagger cut it
   (:mod:`services.entities.nicknames`);
2. headline fragments (:mod:`services.entities.headlines`): spans inside
   title-case / all-caps lines are kept only when the same name also occurs in
   running text;
3. recurring names (:mod:`services.entities.recurrence`): untagged recurrences
   of a name the article already uses (and bare surnames of its full names)
   become mentions; recurrences of a one-word name confirmed only by two
   taggings are *word recurrences*: they join the entity of their surface as
   marked mentions and decide nothing (names, types, aliases, in_title and the
   entity list are those of the other candidates), so story clustering, which
   leaves marked mentions aside, sees exactly what it saw without them; the title's names
   where the body repeats them untagged are marked the same way;
4. conservative type fixes (:mod:`services.entities.entity_types`);
5. alias pairs read from the text (:mod:`services.entities.aliases`:
   parenthesised acronyms, "also known as", blended nicknames; "Nick Surname" of a
   nicknamed name);
6. canonical names via :func:`services.entities.clustering.cluster_names`;
7. ``in_title`` by clustering the title's names together with the body's;
8. names the tagger never found (:mod:`services.entities.untagged`): a run of proper nouns
   recurring untagged in running text; its mentions are marked, in the entity of the same
   surface or in entities of their own after the others (entity output only).
"""
from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc

from schemas.models import EntityMention, EntitySpan
from services.common.doc_text import text_of
from services.entities.aliases import nickname_aliases, text_aliases
from services.entities.canonical import canonical_key
from services.entities.candidates import (NUMERIC_TYPES, Candidate, clean_entity, drop_bylines, extend_right,
                                         is_junk, trim)
from services.entities.clustering import Mention, cluster_names
from services.entities.entity_types import entity_type, fix_type, mark_quoted
from services.entities.headlines import RunningNames, headline_token_mask
from services.entities.nicknames import nickname_spans, nickname_surname_aliases
from services.entities.untagged import untagged_names
from services.entities.recurrence import add_defined_acronyms, propagate_names, title_recurrences

__all__ = ["body_candidates", "entity_ranges", "extract_entities", "title_candidates"]


def extract_entities(body: Doc, title: Doc | None = None) -> list[EntityMention]:
    """Canonical named entities of an article, with their body mentions."""
    headline = headline_token_mask(body)
    everything = body_candidates(body, headline)
    cands = [c for c in everything if not c.word_recurrence]
    if not cands:
        return []
    heads = title_candidates(title, body, cands) if title is not None and len(title) else []
    # the title comes first in the article: its full names canonicalise body short forms
    mentions = [Mention(c.text, c.label) for c in heads] + [Mention(c.text, c.label) for c in cands]
    mapping = cluster_names(mentions, text_aliases(body, cands) + nickname_aliases([*heads, *cands])
                            + nickname_surname_aliases([*heads, *cands]))
    entities = _group(cands, mapping, heads)
    _mark_in_title(entities, mapping, heads, text_of(title) if heads else "")
    recurrences = [c for c in everything if c.word_recurrence]
    if heads:   # the title's names where the body repeats them untagged: marked like word recurrences
        recurrences += title_recurrences(body, title, heads, everything, headline)
    _add_marked(entities, recurrences, mapping)
    _add_marked(entities, untagged_names(body, everything + recurrences, headline), mapping, own_entities=True)
    return entities


def body_candidates(doc: Doc, headline: list[bool] | None = None) -> list[Candidate]:
    """Cleaned, validated, type-fixed candidate mentions of a body, in text order (``headline``:
    its :func:`headline_token_mask`, if already made)."""
    headline_sents = headline if headline is not None else headline_token_mask(doc)
    cands = []
    for start, end, label, nicknamed in entity_ranges(doc):
        if not nicknamed:
            end, label = extend_right(doc, start, end, label, headline_sents)
        for cand in _range_candidates(doc, start, end, label, nicknamed):
            cand.headline = headline_sents[cand.tok_start]
            cands.append(cand)
    cands = drop_bylines(doc, cands)
    names = RunningNames(doc, cands)
    cands = [v for c in cands if (v := names.validate(doc, c)) is not None]
    cands = add_defined_acronyms(doc, cands)
    cands = propagate_names(doc, cands, headline_sents)
    counted = [c for c in cands if not c.word_recurrence]   # word recurrences decide nothing
    person_words = {c.text for c in counted if c.label == "PERSON" and c.tok_end - c.tok_start == 1}
    surnames = {doc[c.tok_end - 1].text for c in counted if c.label == "PERSON" and c.tok_end - c.tok_start >= 2}
    for cand in cands:
        cand.label = fix_type(doc, cand, person_words, surnames)
        mark_quoted(doc, cand)
    return cands


def title_candidates(doc: Doc, body: Doc | None = None, body_cands: list[Candidate] | None = None) -> list[Candidate]:
    """Cleaned candidates of a title, validated like headline lines against the body's names."""
    cands = []
    for start, end, label, nicknamed in entity_ranges(doc):
        cands.extend(_range_candidates(doc, start, end, label, nicknamed))
    if body is None or body_cands is None:
        return cands
    names = RunningNames(body, body_cands)
    out = []
    for c in cands:
        c.headline = True
        v = names.validate(doc, c)
        if v is not None:
            mark_quoted(doc, v)
            out.append(v)
    return out


def entity_ranges(doc: Doc) -> list[tuple[int, int, str, bool]]:
    """``(start, end, label, nicknamed)`` token ranges of the tagger's entities (numeric types
    left out), in text order, with each person name that has a nickname inside
    (:func:`nickname_spans`) as one PERSON range (``nicknamed``) in place of the pieces the
    tagger cut it into; an entity reaching out of such a name keeps its parts outside it."""
    spans = nickname_spans(doc)
    out = [(s.start, s.end, "PERSON", True) for s in spans]
    for ent in doc.ents:
        if ent.label_ in NUMERIC_TYPES:
            continue
        inside = [s for s in spans if s.start < ent.end and ent.start < s.end]
        if not inside:
            out.append((ent.start, ent.end, ent.label_, False))
            continue
        if ent.start < inside[0].start:
            out.append((ent.start, inside[0].start, ent.label_, False))
        if inside[-1].end < ent.end:
            out.append((inside[-1].end, ent.end, ent.label_, False))
    out.sort()
    return out


def _range_candidates(doc: Doc, start: int, end: int, label: str, nicknamed: bool) -> list[Candidate]:
    """:func:`clean_entity`'s candidates of one range; a nicknamed name is only trimmed (its
    quote marks are not possessives, nor its brackets a boundary)."""
    if not nicknamed:
        return clean_entity(doc, start, end, label)
    cand = trim(doc, start, end, label)
    return [cand] if cand is not None and not is_junk(cand) else []


# ----------------------------------------------------------------- grouping
def _group(cands: list[Candidate], mapping: dict[str, str], heads: list[Candidate] = ()) -> list[EntityMention]:
    """One EntityMention per canonical name, in order of first mention.

    ``heads`` (title candidates) only lend their quote-mark evidence to the type.
    """
    order: list[str] = []
    spans: dict[str, list[EntitySpan]] = {}
    types: dict[str, Counter] = {}
    for c in cands:
        name = mapping.get(c.text)
        if not name:
            continue
        if name not in spans:
            order.append(name)
            spans[name], types[name] = [], Counter()
        spans[name].append(EntitySpan(text=c.text, start=c.start, end=c.end))
        types[name][c.label] += 1
    named = [c for c in cands if c.text in mapping]
    titles = {mapping[c.text] for c in [*cands, *heads] if c.quoted and c.text in mapping}
    return [EntityMention(name=n, type=entity_type(n, spans[n], types[n], named, n in titles),
                          mentions=spans[n])
            for n in order]


def _add_marked(entities: list[EntityMention], marked: list[Candidate], mapping: dict[str, str],
                own_entities: bool = False) -> None:
    """Marked mentions (``word_recurrence``: they decide nothing), in the entity of their
    surface, in text order.  A word recurrence or a title name's recurrence repeats the surface
    of candidates the tagger found, so its surface is mapped whenever theirs is.  A name the
    tagger never found (``own_entities``) may have no such entity: it gets one of its own, after
    the others, all of its mentions marked."""
    by_name = {e.name: e for e in entities}
    own: dict[str, EntityMention] = {}
    for c in marked:
        ent = by_name.get(mapping.get(c.text, ""))
        if ent is None:
            if not own_entities:
                continue
            key = canonical_key(c.text) or c.text
            ent = own.get(key)
            if ent is None:
                ent = own[key] = EntityMention(name=c.text, type=c.label, mentions=[])
                entities.append(ent)
        ent.mentions.append(EntitySpan(text=c.text, start=c.start, end=c.end, word_recurrence=True))
    for ent in entities:
        if any(m.word_recurrence for m in ent.mentions):
            ent.mentions.sort(key=lambda m: m.start)


def _mark_in_title(entities: list[EntityMention], mapping: dict[str, str],
                   title: list[Candidate], title_text: str) -> None:
    """Flag entities named in the title: by a title entity, or by a body surface found there verbatim."""
    title_names = {mapping.get(c.text) for c in title} - {None}
    for ent in entities:
        if ent.name in title_names:
            ent.in_title = True
        elif title_text:
            surfaces = {m.text for m in ent.mentions} | {ent.name}
            # (the plain substring test first: the pattern can only match where the surface occurs)
            ent.in_title = any(t in title_text and re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", title_text)
                               for t in surfaces)
