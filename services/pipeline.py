"""Pure glue of the three per-article stages, shared by the faust agents, the
``storystream extract`` command, the evaluations and the benchmark.

annotate (one spaCy pass, batched) -> quotes / entities (no model run).
"""
from __future__ import annotations

from typing import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from schemas.models import Article, ArticleAnnotation, ArticleEntities, ArticleMeta, ArticleQuotes
from services.common.nlp import MODEL_NAME, doc_from_bytes, doc_to_bytes, load_nlp, parse_articles


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


def quotes_from_docs(meta: ArticleMeta, title: Doc, body: Doc) -> ArticleQuotes:
    from services.quotes.extract import extract_quotes
    return ArticleQuotes(article=meta, quotes=extract_quotes(body, title))


def entities_from_docs(meta: ArticleMeta, title: Doc, body: Doc) -> ArticleEntities:
    from services.entities.extract import extract_entities
    from services.entities.features import article_dates, content_terms, lead_sentence
    dates, own = article_dates(body, meta.published, not_after=meta.published or meta.produced_at)
    return ArticleEntities(
        article=meta,
        entities=extract_entities(body, title),
        lead=lead_sentence(body),
        terms=content_terms(body),
        dates=dates,
        own_date=own,
        tokens=len(title) + len(body),
    )


def quotes_result(annotation: ArticleAnnotation) -> ArticleQuotes:
    title, body = docs_of(annotation)
    return quotes_from_docs(annotation.article, title, body)


def entities_result(annotation: ArticleAnnotation) -> ArticleEntities:
    title, body = docs_of(annotation)
    return entities_from_docs(annotation.article, title, body)


def extract_articles(articles: Sequence[Article], nlp: Language | None = None,
                     batch_size: int = 32) -> list[tuple[ArticleQuotes, ArticleEntities]]:
    """Both extractions for each article with one NLP pass (``storystream extract``)."""
    nlp = nlp or load_nlp()
    docs = parse_articles([(a.title, a.body) for a in articles], nlp, batch_size=batch_size)
    out = []
    for a, (t, b) in zip(articles, docs):
        meta = a.meta()
        out.append((quotes_from_docs(meta, t, b), entities_from_docs(meta, t, b)))
    return out


__all__ = ["MODEL_NAME", "annotate_articles", "docs_of", "quotes_result", "entities_result",
           "extract_articles", "quotes_from_docs", "entities_from_docs"]
