"""The entities extractor as a spaCy pipeline component.

    nlp.add_pipe("storystream_entities")    # after a parser and NER (en_core_web_sm)
    doc._.entities                          # list[schemas.models.EntityMention], canonical names
    doc._.lead, doc._.terms                 # the lead sentence, content lemmas with counts
    doc._.dates, doc._.own_date             # dates the text mentions, the article's own date

The component reads the title from ``doc._.title_doc`` (its full names canonicalise the body's
short forms) and the publication time from ``doc._.article`` (relative dates resolve against it,
and no own date lies after it), when they are attached (:mod:`services.common.article_doc`).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from services.common import article_doc  # noqa: F401  (registers the title_doc/article extensions)
from services.entities.extract import extract_entities
from services.entities.features import article_dates, content_terms, lead_sentence

OUTPUTS = ("entities", "lead", "terms", "dates", "own_date")
for _name in OUTPUTS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

__all__ = ["EntitiesComponent", "OUTPUTS", "make_entities_component"]


class EntitiesComponent:
    """Sets ``doc._.entities``, ``lead``, ``terms``, ``dates`` and ``own_date``."""

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.article
        published = meta.published if meta is not None else None
        not_after = (meta.published or meta.produced_at) if meta is not None else None
        doc._.dates, doc._.own_date = article_dates(doc, published, not_after=not_after)
        doc._.entities = extract_entities(doc, doc._.title_doc)
        doc._.lead = lead_sentence(doc)
        doc._.terms = content_terms(doc)
        return doc


@Language.factory("storystream_entities")
def make_entities_component(nlp: Language, name: str) -> EntitiesComponent:
    return EntitiesComponent()
