"""Event time, closing and the reopen window.

Story idleness is measured in *event time*: the watermark is the latest ``published`` (else
``produced_at``, else ``now``) of any article seen; the engine closes a story whose newest
article is older than ``watermark - close_after_seconds``.

An implausible date is kept in the article but is not its event time (:meth:`Lifecycle.event_time`):
a ``published`` more than ``max_ahead_seconds`` ahead of the wall clock (a typo, ``2099``, a
hostile record) would move the watermark years on and close every open story, and one before
:data:`EARLIEST_EVENT` would take the window arithmetic below ``datetime.min``.  Such an article
takes the watermark as its event time (it moves no clock); before any watermark, ``produced_at``
or the wall clock.

A closed story stays matchable only while its newest article is within ``reopen_after_seconds``
(event time) of the watermark: the index keeps a light signature of it, and a matching article
reopens it.  Beyond that it leaves the index for good (and its articles the document
frequencies) and a late article about it starts a new story.  The rule is a pure function of the
records and the watermark, so a restore rebuilds the same index.
"""
from __future__ import annotations

import heapq
from datetime import datetime, timedelta, timezone
from typing import Optional

from services.aggregator import quotes as qu
from services.aggregator.index import StoryIndex
from services.aggregator.members import utc
from services.aggregator.params import ClusterParams
from services.aggregator.records import StoryRecord
from services.aggregator.signature import light_signature
from services.aggregator.store import RecordStore
from services.aggregator.updates import Announcer


# Not fitted: a sanity bound, not a clustering rule.  No news archive the service reads predates
# it, and it keeps ``watermark - window`` far from ``datetime.min`` (year 1: OverflowError).
EARLIEST_EVENT = datetime(1900, 1, 1, tzinfo=timezone.utc)


def plausible(t: Optional[datetime], latest_ok: datetime) -> Optional[datetime]:
    """``t`` in UTC when it lies between :data:`EARLIEST_EVENT` and ``latest_ok``, else None."""
    if t is None:
        return None
    try:
        t = utc(t)
    except (OverflowError, ValueError):           # e.g. 9999-12-31T23:00-05:00 in UTC
        return None
    return t if EARLIEST_EVENT <= t <= latest_ok else None


class Lifecycle:
    def __init__(self, index: StoryIndex, store: RecordStore, announcer: Announcer, params: ClusterParams,
                 reopen_after_seconds: float, max_ahead_seconds: float = 24 * 3600) -> None:
        self.index, self.store, self.announcer, self.params = index, store, announcer, params
        self.reopen_after_seconds = reopen_after_seconds
        self.max_ahead_seconds = max_ahead_seconds
        self.watermark: Optional[datetime] = None
        self.closed_at: dict[str, str] = {}      # closed story id in the index -> its event_time
        self._heap: list[tuple[datetime, str, str]] = []   # (event time, event_time iso, story id)

    def event_time(self, published: Optional[datetime], produced_at: Optional[datetime],
                   now: datetime) -> datetime:
        """An article's event time: ``published`` when plausible (not before
        :data:`EARLIEST_EVENT`, at most ``max_ahead_seconds`` ahead of ``now``, the wall clock);
        an article without one: ``produced_at`` when plausible.  Otherwise the watermark (the
        article moves no clock), or before any article ``now``.  Pure: nothing changes."""
        latest_ok = now + timedelta(seconds=self.max_ahead_seconds)
        first = plausible(published, latest_ok)
        if first is not None:
            return first
        if published is None and (second := plausible(produced_at, latest_ok)) is not None:
            return second
        return self.watermark if self.watermark is not None else now

    def see(self, t: datetime) -> None:
        """An article's event time moves the watermark on (never back)."""
        if self.watermark is None or t > self.watermark:
            self.watermark = t

    def reopen_limit(self) -> Optional[datetime]:
        if self.watermark is None:
            return None
        return self.watermark - timedelta(seconds=self.reopen_after_seconds)

    def within_window(self, story: StoryRecord) -> bool:
        limit = self.reopen_limit()
        return limit is None or datetime.fromisoformat(story.event_time) >= limit

    def index_closed(self, story: StoryRecord) -> None:
        """Index a closed story's light signature until it leaves the reopen window."""
        sid = story.story_id
        light = story.light or light_signature(story.signature, self.params)
        self.index.put(sid, light, closed=True)
        self.closed_at[sid] = story.event_time
        heapq.heappush(self._heap, (datetime.fromisoformat(story.event_time), story.event_time, sid))

    def unindex(self, sid: str) -> None:
        self.index.drop(sid)
        self.closed_at.pop(sid, None)

    def prune(self) -> None:
        """Closed stories beyond the reopen window leave the index, and their articles its
        document frequencies."""
        limit = self.reopen_limit()
        heap, store = self._heap, self.store
        while heap and limit is not None and heap[0][0] < limit:
            _, iso, sid = heapq.heappop(heap)
            if self.closed_at.get(sid) != iso or sid not in self.index.closed:
                continue                               # stale entry (reopened or re-timed)
            self.unindex(sid)
            rec = store.cold_stories.get(sid)
            for aid in (rec.articles if rec is not None else store.stored_members(sid)):
                a = store.cold_articles.get(aid) or store.stored_article(aid)
                if a is not None and a.story_id == sid:
                    self.index.observe(a.signature, -1)
        if len(heap) > 64 and len(heap) > 2 * len(self.closed_at):   # drop stale entries
            self._heap = [e for e in heap if self.closed_at.get(e[2]) == e[1]]
            heapq.heapify(self._heap)

    def reopen(self, story: StoryRecord) -> None:
        """A matching article reopens a closed story; its members' records come back warm (from
        memory, else the table: the same memory as a restore of the open story)."""
        story.status = "open"
        story.light = None
        store = self.store
        for aid in story.articles:
            rec = store.cold_articles.pop(aid, None) or store.stored_article(aid)
            if rec is not None and rec.story_id == story.story_id:
                store.place(rec)

    def close(self, story: StoryRecord, updated_at: str) -> None:
        """Close an idle open story: its light signature is indexed, its records leave memory
        (with loaders: the tables have them)."""
        store, sid = self.store, story.story_id
        store.stories.pop(sid)
        qu.forget(story.quotes)
        story.status = "closed"
        story.version += 1
        story.updated_at = updated_at
        story.light = light_signature(story.signature, self.params)
        self.index_closed(story)
        self.announcer.forget(sid)
        members = [store.articles.pop(aid) for aid in list(story.articles) if aid in store.articles]
        store.keep_closed(story)
        if not store.article_loader:
            store.cold_articles.update((a.article_id, a) for a in members)
        else:
            for aid in story.articles:
                store.seen.pop(aid, None)

    def left(self, story: StoryRecord, updated_at: str) -> None:
        """Bookkeeping for a story that lost articles (a revision moved one out, a merge emptied
        it): an emptied story closes and leaves the index; a closed one is indexed anew."""
        sid = story.story_id
        story.version += 1
        story.updated_at = updated_at
        if not story.articles:
            story.status = "closed"                  # emptied by the move
            self.unindex(sid)
        elif story.status == "closed":
            story.light = light_signature(story.signature, self.params)
            if sid in self.index.sigs or self.within_window(story):
                self.index_closed(story)
            else:
                self.unindex(sid)
        if story.status == "closed":
            self.store.stories.pop(sid, None)
            self.announcer.forget(sid)
            qu.forget(story.quotes)
            self.store.keep_closed(story)
