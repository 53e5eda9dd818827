"""The engine's records in memory, and the tables behind them.

Open stories and their articles are kept warm (``stories``, ``articles``).  A closed story's
records are needed again only when a later article matches or revises it: with loaders
(``story_loader`` / ``article_loader``: id -> JSON record or None, e.g. reading the faust
tables) they are read back from the tables and memory holds only what is open; without loaders
they are kept in memory (``cold_stories``, ``cold_articles``).

A story read from the table is a version-3 head (:mod:`records`) when this code wrote it: a
closed one lists its members (``member_order``), whose article records give it back its
members and aggregates (``members.assemble``); a version 1/2 record holds the whole story.
"""
from __future__ import annotations

from typing import Callable, Optional

from services.aggregator.index import StoryIndex
from services.aggregator.members import assemble
from services.aggregator.records import ArticleRecord, StoryRecord, is_head, persisted_order

Loader = Callable[[str], Optional[dict]]


class RecordStore:
    def __init__(self) -> None:
        self.story_loader: Optional[Loader] = None
        self.article_loader: Optional[Loader] = None
        self.clear()

    def clear(self) -> None:
        """Forget every record (the loaders stay)."""
        self.stories: dict[str, StoryRecord] = {}        # open story records
        self.articles: dict[str, ArticleRecord] = {}     # article records of open stories
        # article id -> (content_hash, story_id); with an article_loader only open stories' articles
        self.seen: dict[str, tuple[str, str]] = {}
        self.cold_stories: dict[str, StoryRecord] = {}
        self.cold_articles: dict[str, ArticleRecord] = {}

    def stored_story(self, sid: str) -> Optional[StoryRecord]:
        """The story record in the table (``story_loader``), if any, with its members and
        aggregates (a head's from its members' article records; nothing is kept in memory)."""
        d = self.story_loader(sid) if self.story_loader else None
        if d is None:
            return None
        story = StoryRecord.from_json(d)
        if not is_head(d):
            return story
        orders = d.get("member_order") or {}      # (an open head is in memory: it has none here)
        recs, legacy = [], False
        for aid in orders:
            rec, written = self.cold_articles.get(aid), None
            if rec is None and self.article_loader:
                written = self.article_loader(aid)
                rec = ArticleRecord.from_json(written) if written is not None else None
            if rec is None or rec.story_id != sid:
                continue
            recs.append(rec)
            legacy = legacy or written is None or persisted_order(written) != orders[aid]
        assemble(story, recs, orders)
        story.legacy = legacy
        return story

    def stored_members(self, sid: str) -> list[str]:
        """The member ids of a story in the table (none parsed beyond its record)."""
        d = self.story_loader(sid) if self.story_loader else None
        if d is None:
            return []
        return list(d.get("member_order") or ()) if is_head(d) else list(d.get("articles") or ())

    def stored_article(self, aid: str) -> Optional[ArticleRecord]:
        """The article record in the table (``article_loader``), if any."""
        d = self.article_loader(aid) if self.article_loader else None
        return ArticleRecord.from_json(d) if d is not None else None

    def load_story(self, sid: str) -> Optional[StoryRecord]:
        """A story's record, to change: an open one, else taken from memory or the table."""
        if sid in self.stories:
            return self.stories[sid]
        rec = self.cold_stories.pop(sid, None)
        if rec is None:
            rec = self.stored_story(sid)
        return rec

    def load_article(self, aid: str) -> Optional[ArticleRecord]:
        """An article's record: a warm one, else taken from memory or the table."""
        rec = self.articles.get(aid) or self.cold_articles.pop(aid, None)
        if rec is None:
            rec = self.stored_article(aid)
        return rec

    def member_records(self, story: StoryRecord) -> Optional[dict[str, ArticleRecord]]:
        """The article records of a story's members (None when one cannot be found)."""
        recs = {}
        for a in story.articles:
            rec = self.articles.get(a) or self.cold_articles.get(a)
            if rec is None:
                rec = self.stored_article(a)
            if rec is None:
                return None
            recs[a] = rec
        return recs

    def place(self, rec: ArticleRecord) -> None:
        """An article record (new, or moved to another open story) is its article's record now."""
        self.articles[rec.article_id] = rec
        self.seen[rec.article_id] = (rec.content_hash, rec.story_id)
        self.cold_articles.pop(rec.article_id, None)

    def keep_closed(self, story: StoryRecord) -> None:
        """A story closed: without a story loader its record stays in memory."""
        if not self.story_loader:
            self.cold_stories[story.story_id] = story

    def id_taken(self, sid: str, index: StoryIndex) -> bool:
        """Whether a story record with this id exists (an empty one too: ``supersede`` leaves one
        for a story that only a lost update created, and its id must not be reused)."""
        return (sid in index.sigs or sid in self.stories or sid in self.cold_stories
                or (self.story_loader is not None and self.story_loader(sid) is not None))
