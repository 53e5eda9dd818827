"""Message models.  Every value carries ``schema_version``.

Version policy: additive, optional fields keep the version; removing or
re-typing a field bumps ``SCHEMA_VERSION`` and the exported files.
"""
from __future__ import annotations

import email.utils
from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")


class _Value(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION


# ---------------------------------------------------------------- keys
class ArticleKey(_Model):
    """Key of every per-article message (articles, annotations, quotes, entities)."""

    article_id: str = Field(min_length=1, max_length=512)


class StoryKey(_Model):
    """Key of story-state messages: one story's updates stay on one partition."""

    story_id: str = Field(min_length=1, max_length=128)


# ---------------------------------------------------------------- articles
class ArticleMeta(_Model):
    """What downstream stages need to know about an article without its body."""

    article_id: str = Field(min_length=1, max_length=512)
    title: str
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[datetime] = None
    content_hash: str = Field(description="sha256 of the normalised title and body")
    produced_at: Optional[datetime] = Field(default=None, description="when the producer sent it")


def rfc822_or_iso(value: Any) -> Any:
    """An RFC 822 date string (RSS ``pubDate``, HTTP and e-mail headers: ``Tue, 05 Dec 2026
    14:03:00 GMT``) as a datetime; anything else is left to pydantic (ISO 8601)."""
    if isinstance(value, str) and value.strip()[:1].isalpha():
        try:
            return email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return value
    return value


class Article(_Value):
    """Value of the ``articles`` topic."""

    article_id: str = Field(min_length=1, max_length=512)
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[datetime] = Field(default=None, description="ISO 8601 (RFC 822 is accepted on input)")
    content_hash: str
    source: Optional[str] = Field(default=None, description="where the producer read it (file:line, feed URL, push)")
    produced_at: Optional[datetime] = None
    authors: list[str] = Field(default_factory=list, description="bylines, as the source gives them")
    language: Optional[str] = Field(default=None, description="language tag the source declares (e.g. en)")

    _published_rfc822 = field_validator("published", mode="before")(rfc822_or_iso)

    def meta(self) -> ArticleMeta:
        return ArticleMeta(
            article_id=self.article_id, title=self.title, outlet=self.outlet, url=self.url,
            published=self.published, content_hash=self.content_hash, produced_at=self.produced_at,
        )


class ArticleAnnotation(_Value):
    """Value of ``article-annotations``: the single NLP pass, shared by both extractors.

    ``title_doc``/``body_doc`` are spaCy ``DocBin`` bytes (tokens, tags, POS,
    dependencies, lemmas, entities, sentences) of the title and the body exactly
    as given, so extractors rebuild the parse without running a model.
    """

    article: ArticleMeta
    spacy_model: str
    title_doc: bytes
    body_doc: bytes
    tokens: int = Field(ge=0)


# ---------------------------------------------------------------- extraction
class Span(_Model):
    text: str
    start: int = Field(ge=0, description="character offset into the body (or title for headline quotes)")
    end: int = Field(ge=0)


class QuoteMention(_Model):
    """One direct quote in one article."""

    text: str = Field(description="what stands between the quote marks")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: Literal["full", "partial", "headline"]
    speaker: Optional[str] = Field(default=None, description="canonical speaker name, null if unknown")
    speaker_type: Optional[Literal["named", "description", "pronoun", "continuation", "organisation"]] = None
    speaker_role: Optional[str] = Field(default=None, description="title or role given with the speaker")
    speaker_mention: Optional[Span] = None
    cue: Optional[str] = Field(default=None, description="the reporting verb or phrase")


class EntitySpan(Span):
    """One mention of an entity: its text and character offsets into the body."""

    model_config = ConfigDict(from_attributes=True)

    word_recurrence: bool = Field(
        default=False, exclude_if=lambda v: not v,   # written only when true: other messages stay as they were
        description="a mention found by recurrence, not tagged (a one-word name the tagger found "
                    "twice or more in running text, a title's name repeated in the body, a run of "
                    "proper nouns recurring untagged): an entity mention that story clustering and "
                    "story entity counts leave aside; an entity all of whose mentions are marked is "
                    "entity output only")


class EntityMention(_Model):
    """One canonical entity of one article with all its mentions."""

    name: str
    type: str
    mentions: list[EntitySpan]
    in_title: bool = False

    def counted_mentions(self) -> list[EntitySpan]:
        """Its mentions less the word recurrences: what story clustering and story counts weigh."""
        return [m for m in self.mentions if not m.word_recurrence]


class ArticleQuotes(_Value):
    """Value of ``article-quotes``."""

    article: ArticleMeta
    quotes: list[QuoteMention]


class ArticleEntities(_Value):
    """Value of ``article-entities``; also carries what clustering needs from the parse."""

    article: ArticleMeta
    entities: list[EntityMention]
    lead: str = Field(default="", description="the body's lead sentence")
    terms: dict[str, int] = Field(default_factory=dict, description="content lemma counts")
    dates: list[str] = Field(default_factory=list, description="ISO dates found in the text")
    own_date: Optional[str] = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="the article's own date (dateline or reported event day): the latest day-precise date "
                    "its lead mentions, not in a future-tense clause nor after publication")
    tokens: int = Field(default=0, ge=0)


# ---------------------------------------------------------------- stories
class StoryArticle(_Model):
    article_id: str
    title: str
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[datetime] = None
    first_seen: datetime


class StoryEntity(_Model):
    name: str
    type: str
    aliases: list[str]
    mentions: int
    articles: int
    in_headlines: int = 0
    quoted: bool = False
    rank: int = 0


class StorySpeaker(_Model):
    name: str
    roles: list[str] = Field(default_factory=list)
    quotes: int
    articles: int


class QuoteVariant(_Model):
    article_id: str
    text: str
    kind: Literal["full", "partial", "headline"]


class StoryQuote(_Model):
    quote_id: str
    text: str
    speaker: Optional[str] = None
    kind: Literal["full", "partial", "headline"]
    article_ids: list[str] = Field(description="articles carrying the quote, first by arrival, capped (see articles_total)")
    variants: list[QuoteVariant] = Field(
        description="its wordings, by arrival, capped: each distinct wording's first variant is kept "
                    "before repeats (see variants_total)")
    first_seen: datetime
    articles_total: Optional[int] = Field(
        default=None, ge=0, description="how many articles carry the quote (true count; "
                                        "absent in states written before the cap: len(article_ids))")
    variants_total: Optional[int] = Field(
        default=None, ge=0, description="how many wordings (variants) the quote has (true count; "
                                        "absent in states written before the cap: len(variants))")


class StoryTotals(_Model):
    articles: int
    quotes: int
    entities: int
    speakers: int


class StoryDelta(_Model):
    articles_added: list[str] = Field(default_factory=list)
    quotes_added: list[str] = Field(default_factory=list)
    entities_added: list[str] = Field(default_factory=list)
    articles_removed: list[str] = Field(
        default_factory=list,
        description="member articles that left the story in this update: moved by a revision, "
                    "split off into a new story, merged into another story or re-homed to one "
                    "(whose delta lists them in articles_moved_in)")
    articles_moved_in: list[str] = Field(
        default_factory=list,
        description="member articles that came from another story in this update without arriving "
                    "anew (a split, a merge or re-homing); articles_added names only arriving articles")


class StoryState(_Value):
    """Value of ``story-state`` (compacted, keyed by story id)."""

    story_id: str
    version: int = Field(ge=1)
    status: Literal["open", "closed"] = "open"
    merged_into: Optional[str] = Field(
        default=None,
        description="set when this story turned out to be part of another one: its articles moved "
                    "there (this state lists them in delta.articles_removed, the other story's in "
                    "delta.articles_moved_in); this story is then closed and empty")
    created_at: datetime
    updated_at: datetime
    headline: str
    summary: str = ""
    articles: list[StoryArticle] = Field(description="newest first, capped (see totals)")
    article_ids: list[str] = Field(
        default_factory=list,
        description="the story's membership: every member article id (sorted) up to a large cap "
                    "(5,000 by default); beyond it the oldest and the newest members, and "
                    "totals.articles (always true) is larger than this list; delta names every "
                    "membership change")
    outlets: list[str]
    entities: list[StoryEntity]
    speakers: list[StorySpeaker]
    quotes: list[StoryQuote]
    totals: StoryTotals
    delta: StoryDelta


# ---------------------------------------------------------------- feeds worker state
class FeedKey(_Model):
    """Key of ``feed-state``: the feed's URL as configured (its identity, kept after a move)."""

    feed_url: str = Field(min_length=1, max_length=2048)


class FeedState(_Value):
    """Value of ``feed-state`` (compacted): how and when one feed is polled.

    Written by the worker that owns the feed after each poll, on the partition of its host
    (``services/feeds/ownership.py``); read back in full by the next owner."""

    feed_url: str
    url: str = Field(description="where the feed is fetched now: a 301/308 moves it")
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    interval_s: float = Field(gt=0, description="the adaptive polling interval")
    next_poll_at: datetime
    last_polled_at: Optional[datetime] = None
    last_status: Optional[int] = None
    errors: int = Field(default=0, ge=0, description="consecutive failed polls (back-off)")
    last_error: Optional[str] = None
    gone: bool = Field(default=False, description="answered 410 Gone: no longer polled")
    updated_at: datetime


class FeedItem(_Value):
    """Value of ``feed-items`` (compacted, key ``ArticleKey``): one item a feed listed, so that a
    restarted or second feeds worker neither publishes it again nor misses it."""

    article_id: str = Field(min_length=1, max_length=512)
    url: str
    feed_url: str
    entry_fingerprint: str = Field(description="hash of the feed entry (link, id, title, dates): a change "
                                               "makes the page be fetched again")
    status: Literal["published", "refused", "pending"]
    content_hash: Optional[str] = Field(default=None, description="of the article last published")
    page_etag: Optional[str] = None
    page_last_modified: Optional[str] = None
    attempts: int = Field(default=0, ge=0, description="failed fetches of a pending item")
    reason: Optional[str] = None
    first_seen: datetime
    last_seen: datetime


# ---------------------------------------------------------------- dead letters
class DeadLetter(_Value):
    """Value of ``dead-letters``: the original bytes and why they were refused."""

    reason: str
    error_type: str
    service: str
    source_topic: Optional[str] = None
    partition: Optional[int] = None
    offset: Optional[int] = None
    original_key: Optional[bytes] = None
    original_value: Optional[bytes] = None
    failed_at: datetime
