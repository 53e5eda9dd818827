"""The quotes extractor as a spaCy pipeline component.

    nlp.add_pipe("storystream_quotes")      # after a parser and NER (en_core_web_sm)
    doc._.quotes                            # list[schemas.models.QuoteMention]

The component reads the article's title from ``doc._.title_doc`` when it is attached
(:mod:`services.common.article_doc`); headline quotes come from it.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from services.common import article_doc  # noqa: F401  (registers the title_doc/article extensions)
from services.quotes.extract import extract_quotes

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)

__all__ = ["QuotesComponent", "make_quotes_component"]


class QuotesComponent:
    """Sets ``doc._.quotes``: the article's direct quotes with their speakers."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = extract_quotes(doc, doc._.title_doc)
        return doc


@Language.factory("storystream_quotes")
def make_quotes_component(nlp: Language, name: str) -> QuotesComponent:
    return QuotesComponent()
