"""Topic names and their key/value contracts."""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from schemas.models import (
    Article, ArticleAnnotation, ArticleEntities, ArticleKey, ArticleQuotes, DeadLetter, FeedItem, FeedKey,
    FeedState, StoryKey, StoryState,
)


@dataclass(frozen=True)
class TopicContract:
    name: str
    key: type[BaseModel]
    value: type[BaseModel]
    compacted: bool = False
    doc: str = ""


TOPICS: dict[str, TopicContract] = {
    c.name: c
    for c in (
        TopicContract("articles", ArticleKey, Article, doc="raw articles from the producer"),
        TopicContract("article-annotations", ArticleKey, ArticleAnnotation,
                      doc="one spaCy pass per article, shared by the extractors"),
        TopicContract("article-quotes", ArticleKey, ArticleQuotes, doc="quotes with speakers per article"),
        TopicContract("article-entities", ArticleKey, ArticleEntities, doc="canonical entities per article"),
        TopicContract("story-state", StoryKey, StoryState, compacted=True,
                      doc="latest state of each story (compacted)"),
        TopicContract("dead-letters", ArticleKey, DeadLetter,
                      doc="refused messages with reason and origin; key is best effort"),
        TopicContract("feed-state", FeedKey, FeedState, compacted=True,
                      doc="the feeds worker's polling state per feed (compacted)"),
        TopicContract("feed-items", ArticleKey, FeedItem, compacted=True,
                      doc="the feeds worker's seen items (compacted)"),
    )
}
