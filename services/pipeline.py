"""The Storystream pipeline: spaCy's model (the one NLP pass) and the two Storystream components.

- The annotator runs the model over titles and bodies in batches and ships the parse as
  ``DocBin`` bytes (:func:`annotate_articles`).
- The quotes and entities stages rebuild the ``Doc`` from those bytes (no model run), attach the
  title and the article metadata (:mod:`services.common.article_doc`) and run their component
  (:func:`quotes_result`, :func:`entities_result`).
- ``storystream extract`` and the evaluations do all of it in one process
  (:func:`extract_articles`).

The components are registered spaCy factories (``storystream_quotes``, ``storystream_entities``;
entry points in pyproject.toml), so ``spacy.load("en_core_web_sm")`` plus ``nlp.add_pipe`` gives
any spaCy user the same extraction on plain text.
"""
from __future__ import annotations

import functools
from typing import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from schemas.models import Article, ArticleAnnotation, ArticleEntities, ArticleMeta, ArticleQuotes
from services.common.article_doc import attach
from services.common.nlp import MODEL_NAME, doc_from_bytes, doc_to_bytes, load_nlp, parse_articles
from services.entities.component import make_entities_component  # noqa: F401  (registers the factory)
from services.quotes.component import make_quotes_component  # noqa: F401  (registers the factory)

QUOTES, ENTITIES = "storystream_quotes", "storystream_entities"


@functools.lru_cache(maxsize=4)
def components(*names: str) -> Language:
    """A model-free pipeline of Storystream components, run on already parsed ``Doc`` s."""
    nlp = spacy.blank("en")
    for name in names:
        nlp.add_pipe(name)
    return nlp


def annotate_articles(articles: Sequence[Article], nlp: Language | None = None,
                      batch_size: int = 32) -> list[ArticleAnnotation]:
    """One batched NLP pass over the titles and bodies of ``articles``."""
    nlp = nlp or load_nlp()
    docs = parse_articles([(a.title, a.body) for a in articles], nlp, batch_size=batch_size)
    return [
        ArticleAnnotation(article=a.meta(), spacy_model=f"{nlp.meta.get('name')}-{nlp.meta.get('version')}",
                          title_doc=doc_to_bytes(t), body_doc=doc_to_bytes(b), tokens=len(t) + len(b))
        for a, (t, b) in zip(articles, docs)
    ]


def docs_of(annotation: ArticleAnnotation) -> tuple[Doc, Doc]:
    return doc_from_bytes(annotation.title_doc), doc_from_bytes(annotation.body_doc)


def _run(names: tuple[str, ...], meta: ArticleMeta, title: Doc, body: Doc) -> Doc:
    return components(*names)(attach(body, title, meta))


def _quotes(meta: ArticleMeta, body: Doc) -> ArticleQuotes:
    return ArticleQuotes(article=meta, quotes=body._.quotes)


def _entities(meta: ArticleMeta, title: Doc, body: Doc) -> ArticleEntities:
    return ArticleEntities(article=meta, entities=body._.entities, lead=body._.lead, terms=body._.terms,
                           dates=body._.dates, own_date=body._.own_date, tokens=len(title) + len(body))


def quotes_from_docs(meta: ArticleMeta, title: Doc, body: Doc) -> ArticleQuotes:
    return _quotes(meta, _run((QUOTES,), meta, title, body))


def entities_from_docs(meta: ArticleMeta, title: Doc, body: Doc) -> ArticleEntities:
    return _entities(meta, title, _run((ENTITIES,), meta, title, body))


def quotes_result(annotation: ArticleAnnotation) -> ArticleQuotes:
    return quotes_from_docs(annotation.article, *docs_of(annotation))


def entities_result(annotation: ArticleAnnotation) -> ArticleEntities:
    return entities_from_docs(annotation.article, *docs_of(annotation))


def extract_articles(articles: Sequence[Article], nlp: Language | None = None,
                     batch_size: int = 32) -> list[tuple[ArticleQuotes, ArticleEntities]]:
    """Both extractions for each article with one NLP pass (``storystream extract``)."""
    nlp = nlp or load_nlp()
    docs = parse_articles([(a.title, a.body) for a in articles], nlp, batch_size=batch_size)
    out = []
    for a, (t, b) in zip(articles, docs):
        meta = a.meta()
        body = _run((QUOTES, ENTITIES), meta, t, b)
        out.append((_quotes(meta, body), _entities(meta, t, body)))
    return out


__all__ = ["ENTITIES", "MODEL_NAME", "QUOTES", "annotate_articles", "components", "docs_of",
           "entities_from_docs", "entities_result", "extract_articles", "quotes_from_docs", "quotes_result"]
