"""The records an update persists (issue 19, item 5: "changelog writes proportional to the
change, not to the story"): the head of each story it changed (:meth:`StoryRecord.to_json`,
bounded) and the article records whose story or order it changed, each with its order.

A legacy story (read from a version 1/2 record, or repaired: its members' article records may
lack their order) written open also rewrites its members' article records, once: from then on
a restore rebuilds it from its members' records (``members.assemble``).
"""
from __future__ import annotations

from typing import Optional

from services.aggregator.records import StoryRecord
from services.aggregator.store import RecordStore
from services.aggregator.updates import Update


class Writes:
    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self.migrations: list[dict] = []      # member records of legacy stories written open

    def begin(self) -> None:
        """Before an update is made."""
        self.migrations.clear()

    def story(self, story: StoryRecord) -> dict:
        """A story's record to persist (its head)."""
        if story.legacy and story.status == "open":
            store = self.store
            for aid in sorted(story.articles):
                rec = store.articles.get(aid) or store.cold_articles.get(aid) or store.stored_article(aid)
                if rec is not None:
                    self.migrations.append(rec.to_json(order=story.articles[aid].order))
            story.legacy = False
        return story.to_json()

    def article(self, aid: str, story: StoryRecord) -> dict:
        """A (warm) article record to persist, with its order in ``story``."""
        return self.store.articles[aid].to_json(order=story.articles[aid].order)

    def done(self, update: Optional[Update]) -> Optional[Update]:
        """The update, carrying the member records ``story`` rewrote (those it does not carry)."""
        if update is not None and self.migrations:
            carried = {update.article_record.get("article_id")} | {a["article_id"] for a in update.extra_articles}
            update.extra_articles = [m for m in self.migrations if m["article_id"] not in carried] + update.extra_articles
        self.migrations.clear()
        return update
