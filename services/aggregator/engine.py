"""The aggregator's pure engine: article in, story update out.  No Kafka.

State.  Everything persistent is a typed record (:mod:`records`), persisted as JSON:

* story record (table ``stories``): in memory metadata, version, status, member articles,
  entity aggregate (``entities.add_entities``), quote groups (``quotes``), and
  the clustering signature (``signature.StorySignature``); persisted as a head of bounded
  size (:mod:`records`, version 3): an update's write does not grow with the story;
* article record (table ``story-articles``): story id, content hash, its order in its story and
  the article's contribution (entities, quote variants, clustering signature), so a
  revision subtracts exactly what the old version added (:mod:`members`), and a story's
  members and aggregates are rebuilt from its members' records (``members.assemble``).

``restore(stories, articles)`` rebuilds the in-memory indices from those records (their JSON
form); an ``Update`` carries the records to persist in their JSON form (:mod:`writes`).

Time and closing (:mod:`lifecycle`).  ``expire_updates`` (``expire`` returns just the ids)
closes stories idle in event time, bumps their version and returns their closed states; a
closed story stays matchable through its light signature while it is inside the reopen window.
``now`` only stamps ``created_at``/``updated_at``.  Closed records are read back through
``story_loader`` / ``article_loader`` (``id -> JSON record | None``, e.g. reading the faust
tables; :mod:`store`); without loaders the engine keeps them in memory.  With an
``article_loader``, ``seen`` also forgets the articles of closed stories: the duplicate /
revision check falls back to the loader (exactly as idempotent).

Revisions.  A revised article (same id, new content hash) is subtracted from
its story and matched again.  When it lands in another story, ``moved_from``
names the story it left, ``extra_states`` carries that story's new state and
``extra_records`` its record, which must be persisted like ``story_record``.

Splits.  After an article joins a story, a small story is re-checked for two events
(``Repairs.bisect``; ``repairs.split_due`` says when).  On a split the larger side
keeps the story id and the other side becomes a new open story: ``split_into`` names it,
``extra_states``/``extra_records`` carry the other side's state and record, and
``extra_articles`` the article records of both sides (other than this article's: a split
renumbers the members of both), all to be persisted.  The kept story's delta lists the moved articles in ``articles_removed``, the new
story's in ``articles_moved_in`` (``articles_added`` only ever names arriving articles).

Merges.  The converse: one event's first reports can start two stories (their own angles,
nothing shared yet).  After an article joins a story (and no split), the open stories it also
matches are checked (``Repairs.mutual``); when the two are one, the larger keeps its id
and the other's articles move into it (``articles_moved_in``), the other is left empty and
closed with ``merged_into`` set (``articles_removed``: its members as last published);
``merged_from`` names it, ``extra_states``/``extra_records``/``extra_articles`` carry its
state, record and the moved article records.  A merge needs a mutual score of at least
``merge_threshold``, and ``Repairs.bisect`` never splits two sides that close, so neither
undoes the other.  The other story may be a single early report (``Regrouper.merge``).

Re-homing.  After an article joins a story at a split-check size (and no split or merge), each
other member that scores higher against another open story than against the rest of its own,
and below ``merge_threshold`` against the rest (``Repairs.misplaced``), moves there:
``rehomed`` maps each such story to the moved ids, ``extra_states``/``extra_records`` carry its
state (``articles_moved_in``, version + 1) and record, ``extra_articles`` the moved article
records; the story's own delta lists them in ``articles_removed``.  This catches a report that
came before its own event's story had grown and sits alone among a sister event's reports,
which the split cannot (a side needs ``split_min_side`` reports).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Optional

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes

from services.aggregator.caps import StateCaps
from services.aggregator.index import StoryIndex
from services.aggregator.learned import rescue
from services.aggregator.lifecycle import Lifecycle
from services.aggregator.members import (add_member, article_record, blank_story, index_open, iso, latest,
                                         from_tables, remove_member, utc)
from services.aggregator.params import ClusterParams
from services.aggregator.records import ArticleRecord, StoryRecord, persisted_order
from services.aggregator.regroup import Merge, Regrouper
from services.aggregator.repairs import Repairs
from services.aggregator.scoring import BoundsMemo, Scorer, StoryView
from services.aggregator.signature import ArticleSignature, article_signature
from services.aggregator.state import central_article
from services.aggregator.store import RecordStore
from services.aggregator.updates import Announcer, Known, Update, quotes_added
from services.aggregator.validate import check_article
from services.aggregator.writes import Writes

__all__ = ["EngineConfig", "StoryEngine", "Update"]


@dataclass
class EngineConfig:
    params: ClusterParams = field(default_factory=ClusterParams)   # every tuned value of clustering
    max_list_items: int = 50           # longest list (articles, quotes, entities ...) in a state
    caps: StateCaps = field(default_factory=StateCaps)   # membership and per-quote lists (caps.py: why)
    close_after_seconds: float = 3 * 24 * 3600   # a story idle this long (event time) closes
    # closed stories older than this (event time, vs the watermark) can no longer be reopened
    reopen_after_seconds: float = 30 * 24 * 3600
    # a ``published`` further ahead of the wall clock than this is not the article's event time
    # (lifecycle.Lifecycle.event_time).  Not fitted: a day covers the furthest time zone (UTC+14)
    # written as UTC plus clock skew; the issue that asked for it names a day.
    max_ahead_seconds: float = 24 * 3600


@dataclass
class _Revision:
    """What a revised article's old version left: the story it was in (None: not found), the
    first time the article was seen, and the stories' quote ids and entity names before."""
    old_story: Optional[StoryRecord]
    first_seen: str
    before: dict[str, Known]


class _StoreAttribute:
    """An attribute of the engine that is its record store's."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, engine, owner=None):
        return self if engine is None else getattr(engine.store, self.name)

    def __set__(self, engine, value) -> None:
        setattr(engine.store, self.name, value)


class StoryEngine:
    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.store = RecordStore()
        self.writes = Writes(self.store)    # the records an update persists
        self._reset()

    def _reset(self) -> None:
        params = self.config.params
        self.index = StoryIndex(params)
        self.scorer = Scorer(self.index, params)
        self.repairs = Repairs(self.scorer, params)
        self.store.clear()
        self.announcer = Announcer(self.config.max_list_items, self.config.caps)
        self.lifecycle = Lifecycle(self.index, self.store, self.announcer, params, self.config.reopen_after_seconds,
                                   self.config.max_ahead_seconds)
        self.regrouper = Regrouper(self.store, self.index, self.scorer, self.repairs, self.lifecycle,
                                   self.announcer, params)

    # the record store's (see :mod:`store`): the loaders of closed records, the open stories and
    # their articles, the versions seen
    story_loader = _StoreAttribute()
    article_loader = _StoreAttribute()
    stories = _StoreAttribute()
    articles = _StoreAttribute()
    seen = _StoreAttribute()

    @property
    def watermark(self) -> Optional[datetime]:
        return self.lifecycle.watermark

    def view(self, sid: str) -> Optional[StoryRecord]:
        """A story to render (not to change): an open one, else from memory or the table."""
        store = self.store
        return store.stories.get(sid) or store.cold_stories.get(sid) or store.stored_story(sid)

    def assignments(self) -> dict[str, str]:
        """article id -> story id of every article seen (with an ``article_loader``: of every
        article of an open story; the others are in the article table)."""
        return {aid: sid for aid, (_, sid) in self.store.seen.items()}

    # ------------------------------------------------------------ persistence
    def restore(self, stories: Iterable[dict], articles: Iterable[dict]) -> list[dict]:
        """Rebuild the in-memory indices from the persisted records (their JSON form, any
        version; a head's members and aggregates from its members' article records).  A story
        record that disagrees with its article records is recomputed from them
        (:func:`members.from_tables`).  Returns the repaired story records (JSON, to be written
        back to the table)."""
        self._reset()
        store, lifecycle = self.store, self.lifecycle
        arts, orders = [], {}
        for a in articles:
            arts.append(ArticleRecord.from_json(a))
            orders[a["article_id"]] = persisted_order(a)
        recs, repaired = from_tables(stories, arts, orders)
        repaired_json = [r.to_json() for r in repaired]
        for s in recs:
            if s.articles:
                lifecycle.see(datetime.fromisoformat(s.event_time))
        for s in recs:
            if not s.articles:                      # emptied by a revision that moved its article
                store.cold_stories[s.story_id] = s
            elif s.status == "open":
                store.stories[s.story_id] = s
                index_open(self.index, s)
            else:
                store.cold_stories[s.story_id] = s
                if lifecycle.within_window(s):
                    lifecycle.index_closed(s)
        for a in arts:
            if a.story_id in store.stories or not store.article_loader:
                store.seen[a.article_id] = (a.content_hash, a.story_id)
            if a.story_id in self.index.sigs:       # open, or closed within the reopen window
                self.index.observe(a.signature)
            (store.articles if a.story_id in store.stories else store.cold_articles)[a.article_id] = a
        if store.story_loader:
            store.cold_stories.clear()
        if store.article_loader:
            store.cold_articles.clear()
        return repaired_json

    # ------------------------------------------------------------ processing
    def process(self, quotes: ArticleQuotes, entities: ArticleEntities, now: datetime) -> Update | None:
        """Place an article (a new one, or a revision of one seen before) and repair what its
        arrival shows; None for an article seen before with the same content.  An article the
        engine cannot take raises ``BadMessage`` before any state changes (:mod:`validate`)."""
        check_article(quotes, entities)               # before anything changes (raises BadMessage)
        self.writes.begin()
        return self.writes.done(self._process(quotes, entities, now))

    def _process(self, quotes: ArticleQuotes, entities: ArticleEntities, now: datetime) -> Update | None:
        meta = entities.article
        aid, chash = meta.article_id, meta.content_hash
        prev = self._seen_version(aid)
        if prev is not None and prev[0] == chash:
            return None
        now = utc(now)
        event = self.lifecycle.event_time(meta.published, meta.produced_at, now)
        sig = article_signature(entities, quotes, self.config.params, when=event)
        self.lifecycle.see(event)
        self.lifecycle.prune()
        revision = self._take_out(aid, prev, now)
        old_story = revision.old_story
        self.index.observe(sig)
        story = self._place(sig, meta, revision, now, event)
        known = revision.before.get(story.story_id) or self.announcer.snapshot(story)
        self._join(story, article_record(aid, chash, story.story_id, revision.first_seen, event, quotes, entities,
                                         sig, story), now, event)
        split = self.regrouper.split(story, now)
        rehomed: dict[str, list[str]] = {}
        targets_before: dict[str, Known] = {}
        if split is None and (old_story is None or old_story.story_id == story.story_id):
            merge = self.regrouper.merge(story, sig, now)
            if merge is not None:
                return self._merged_update(aid, story, merge, known)
            rehomed = self.regrouper.rehome(story, aid, now, targets_before)
        index_open(self.index, story)
        if split is not None:
            index_open(self.index, split)
            self.store.stories[split.story_id] = split
        removed = (sorted(split.articles) if split is not None
                   else sorted(a for moved in rehomed.values() for a in moved))
        update = self._placed_update(aid, story, split, removed, known)
        self._rehomed_states(update, rehomed, targets_before)
        if old_story is not None and old_story.story_id != story.story_id:
            self._moved_out(update, aid, old_story, now)
        return update

    def _seen_version(self, aid: str) -> Optional[tuple[str, str]]:
        """(content hash, story id) of the version of this article seen before, if any."""
        prev = self.store.seen.get(aid)
        if prev is None and self.store.article_loader:           # an article of a closed story?
            stored = self.store.stored_article(aid)
            if stored is not None:
                prev = (stored.content_hash, stored.story_id)
        return prev

    def _take_out(self, aid: str, prev: Optional[tuple[str, str]], now: datetime) -> _Revision:
        """A revision: take the old version out of its story (and the index)."""
        revision = _Revision(None, iso(now), {})
        if prev is None:
            return revision
        old_rec = self.store.load_article(aid)
        old_story = self.store.load_story(prev[1])
        if old_rec is None or old_story is None:
            return revision
        revision.old_story = old_story
        revision.before[old_story.story_id] = self.announcer.snapshot(old_story)
        revision.first_seen = old_rec.first_seen
        indexed = old_story.story_id in self.index.sigs
        remove_member(old_story, old_rec)
        if indexed:                                    # else beyond the reopen window
            self.index.observe(old_rec.signature, -1)
            if old_story.status == "closed":
                self.lifecycle.unindex(old_story.story_id)   # re-indexed by ``left`` if it stays closed
            if old_story.articles:
                index_open(self.index, old_story)
            else:
                self.index.drop(old_story.story_id)
        return revision

    def _place(self, sig: ArticleSignature, meta: ArticleMeta, revision: _Revision, now: datetime,
               event: datetime) -> StoryRecord:
        """The story the article joins: the best one when it scores ``match_threshold``, else the
        learned rescue's (:mod:`learned`), if any (a closed one reopens); else a new one."""
        views: dict[str, StoryView] = {}     # story views and bounds shared by both (no ``observe`` between)
        bounds: BoundsMemo = {}
        sid, score = self.scorer.best(sig, views=views, at_least=self.config.params.match_threshold, bounds=bounds)
        if sid is None or score < self.config.params.match_threshold:
            sid = rescue(self.scorer, sig, views, bounds)   # the learned second chance (None: a new story)
        old = revision.old_story
        story = None if sid is None else old if old is not None and old.story_id == sid else self.store.load_story(sid)
        if story is None:
            story = self._new_story(meta.article_id, meta.content_hash, now, event)
        elif story.status == "closed":
            self.lifecycle.reopen(story)
        self.lifecycle.closed_at.pop(story.story_id, None)
        self.store.stories[story.story_id] = story
        return story

    def _join(self, story: StoryRecord, rec: ArticleRecord, now: datetime, event: datetime) -> None:
        add_member(story, rec)
        story.version += 1
        story.updated_at = iso(now)
        story.event_time = latest((story.event_time, iso(event)))
        story.central = central_article(story)
        self.store.place(rec)

    def _new_story(self, aid: str, chash: str, now: datetime, event: datetime) -> StoryRecord:
        sid = "st-" + hashlib.sha1(aid.encode()).hexdigest()[:12]
        if self.store.id_taken(sid, self.index):
            sid = "st-" + hashlib.sha1(f"{aid}|{chash}".encode()).hexdigest()[:12]
        return blank_story(sid, "open", now, event)

    # ------------------------------------------------------------ updates
    def _placed_update(self, aid: str, story: StoryRecord, split: Optional[StoryRecord], removed: list[str],
                       known: Known) -> Update:
        """The update of a placement: the state of the story the article is in, and of the other
        side when the story was split (``removed``: the articles that left ``story``)."""
        quotes_before, ents_before = known
        rec = self.store.articles[aid]                # (a split replaces the records it moves)
        home, other = (story, None) if split is None else (split, story) if aid in split.articles else (story, split)
        if home is story:
            state = self.announcer.announce(story, {"articles_added": [aid], "articles_removed": removed,
                                                    "quotes_added": quotes_added(story, quotes_before)}, ents_before)
        else:                                   # the split's new story: everything in it is new to it
            state = self.announcer.announce(home, {"articles_added": [aid],
                                                   "articles_moved_in": sorted(set(home.articles) - {aid}),
                                                   "quotes_added": quotes_added(home, set())}, set())
        update = Update(story_id=home.story_id, state=state, story_record=self.writes.story(home),
                        article_record=rec.to_json(order=home.articles[aid].order))
        if split is not None:                   # the other side of the split
            if other is split:
                ostate = self.announcer.announce(split, {"articles_moved_in": sorted(split.articles),
                                                         "quotes_added": quotes_added(split, set())}, set())
            else:
                ostate = self.announcer.announce(story, {"articles_removed": removed}, ents_before)
            update.extra_states.append(ostate)
            update.extra_records.append(self.writes.story(other))
            update.split_into = split.story_id
            update.extra_articles = [self.writes.article(a, side) for side in (split, story)
                                     for a in sorted(side.articles) if a != aid]
        return update

    def _rehomed_states(self, update: Update, rehomed: dict[str, list[str]], before: dict[str, Known]) -> None:
        """The states and records of the stories that members moved to (re-homing)."""
        for tsid, moved in sorted(rehomed.items()):
            target = self.store.stories[tsid]
            q_known, e_known = before[tsid]
            update.extra_states.append(self.announcer.announce(
                target, {"articles_moved_in": moved, "quotes_added": quotes_added(target, q_known)}, e_known))
            update.extra_records.append(self.writes.story(target))
            update.extra_articles.extend(self.writes.article(a, target) for a in moved)
        update.rehomed = rehomed

    def _moved_out(self, update: Update, aid: str, old_story: StoryRecord, now: datetime) -> None:
        """A revision moved the article to another story: the state of the story it left."""
        self.lifecycle.left(old_story, iso(now))
        update.moved_from = old_story.story_id
        update.extra_states.append(self.announcer.restate(old_story, {"articles_removed": [aid]}))
        update.extra_records.append(self.writes.story(old_story))

    def _merged_update(self, aid: str, story: StoryRecord, merge: Merge, known: Known) -> Update:
        """The update of a merge: the kept story's state (the arriving article in
        ``articles_added``, the other story's in ``articles_moved_in``) and the emptied one's
        (``articles_removed``: its members as last published, ``merged_into``)."""
        keep, gone, moved, known_keep = merge
        q_known, e_known = known if keep is story else known_keep
        carried = [a for a in moved if a != aid]
        state = self.announcer.announce(keep, {"articles_added": [aid], "articles_moved_in": carried,
                                               "quotes_added": quotes_added(keep, q_known)}, e_known)
        update = Update(story_id=keep.story_id, state=state, story_record=self.writes.story(keep),
                        article_record=self.writes.article(aid, keep), merged_from=gone.story_id)
        update.extra_states.append(self.announcer.restate(gone, {"articles_removed": carried}, remember=False))
        update.extra_records.append(self.writes.story(gone))
        update.extra_articles = [self.writes.article(a, keep) for a in carried]
        return update

    # ------------------------------------------------------------ re-stating, closing
    def supersede(self, sid: str, version: int, now: datetime) -> Update:
        """Re-state story ``sid`` from the engine's records with ``version`` (which must exceed
        any version published before), an empty delta.

        After a restart this replaces a published state the tables never recorded (the
        aggregator publishes before it persists; a kill in between leaves a state whose
        article may then be re-processed into another story).  A story the tables do not
        know at all becomes an empty closed record, which also keeps its id from being
        reused by a new story."""
        story = self.store.load_story(sid)
        if story is None:
            story = blank_story(sid, "closed", utc(now), utc(now))
        if sid not in self.store.stories:
            self.store.keep_closed(story)            # (loading took it out)
        story.version = max(story.version, version)
        story.updated_at = iso(utc(now))
        state = self.announcer.restate(story, {}, remember=story.status == "open")
        self.writes.begin()
        return self.writes.done(Update(story_id=sid, state=state, story_record=self.writes.story(story),
                                       article_record={}))

    def expire(self, now: datetime) -> list[str]:
        return [u.story_id for u in self.expire_updates(now)]

    def expire_updates(self, now: datetime) -> list[Update]:
        """Close idle stories; one Update (status closed, version bumped) per closed story."""
        watermark = self.lifecycle.watermark
        if watermark is None:
            return []
        limit = watermark - timedelta(seconds=self.config.close_after_seconds)
        out = []
        self.lifecycle.prune()
        for sid in sorted(s for s, r in self.store.stories.items() if datetime.fromisoformat(r.event_time) < limit):
            story = self.store.stories[sid]
            self.lifecycle.close(story, iso(utc(now)))
            state = self.announcer.restate(story, {}, remember=False)
            out.append(Update(story_id=sid, state=state, story_record=self.writes.story(story), article_record={}))
        return out
