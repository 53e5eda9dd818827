"""A ``Doc``'s text, built once.

spaCy's ``Doc.text`` joins every token's text (creating a ``Token`` object per token) on each
access, so code that reads it once per mention, name or date costs mentions x tokens: on a
full-length article that was most of the quote and entity extractors' CPU.  :func:`text_of`
keeps the text in the extension ``doc._.storystream_text`` after the first access.  The text of
a ``Doc`` never changes (retokenising keeps it), and the shipped parse is written without user
data (``services.common.nlp.doc_to_bytes``), so the cache never travels between services.
"""
from __future__ import annotations

from spacy.tokens import Doc

__all__ = ["text_of"]

if not Doc.has_extension("storystream_text"):
    Doc.set_extension("storystream_text", default=None)


def text_of(doc: Doc) -> str:
    """``doc.text``, computed on the first call and kept with the doc."""
    text = doc._.storystream_text
    if text is None:
        text = doc._.storystream_text = doc.text
    return text
