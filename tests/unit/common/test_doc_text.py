"""``text_of``: a Doc's text built once, equal to ``doc.text``, never shipped with the parse."""
from __future__ import annotations

import spacy

from services.common.doc_text import text_of
from services.common.nlp import doc_from_bytes, doc_to_bytes


def _doc():
    return spacy.blank("en")("The harbour master said the  ferry\nwould sail at dawn. ")


def test_the_text_is_the_docs_text_and_built_once():
    doc = _doc()
    assert doc._.storystream_text is None
    first = text_of(doc)
    assert first == doc.text
    assert text_of(doc) is first                      # kept, not rebuilt
    assert doc._.storystream_text is first


def test_the_kept_text_does_not_travel_with_the_shipped_parse():
    doc = _doc()
    text_of(doc)
    back = doc_from_bytes(doc_to_bytes(doc))
    assert back._.storystream_text is None
    assert text_of(back) == doc.text
