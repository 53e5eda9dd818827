"""Storystream topic contracts.

Pydantic v2 models for the key and value of every topic.  Services depend on
this package; it depends on nothing but pydantic.  ``python -m schemas.export``
writes the JSON Schema files kept beside the models (``schemas/json/``).
"""
from schemas.topics import TOPICS, TopicContract
from schemas.models import (
    SCHEMA_VERSION,
    Article,
    ArticleAnnotation,
    ArticleEntities,
    ArticleKey,
    ArticleMeta,
    ArticleQuotes,
    DeadLetter,
    EntityMention,
    EntitySpan,
    QuoteMention,
    Span,
    StoryKey,
    StoryState,
)

__all__ = [
    "SCHEMA_VERSION", "TOPICS", "TopicContract", "Article", "ArticleAnnotation",
    "ArticleEntities", "ArticleKey", "ArticleMeta", "ArticleQuotes", "DeadLetter",
    "EntityMention", "EntitySpan", "QuoteMention", "Span", "StoryKey", "StoryState",
]
