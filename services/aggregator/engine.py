"""The aggregator's pure engine: article in, story update out.  No Kafka.

State.  Everything persistent is a typed record (:mod:`records`), persisted as JSON:

* story record (table ``stories``): metadata, version, status, member articles,
  entity aggregate (``entities.add_entities``), quote groups (``quotes``), and
  the clustering signature (``signature.StorySignature``);
* article record (table ``story-articles``): story id, content hash and the
  article's contribution (entities, quote variants, clustering signature), so a
  revision subtracts exactly what the old version added.

``restore(stories, articles)`` rebuilds the in-memory indices from those records (their JSON
form); an ``Update`` carries the records to persist in their JSON form.

Time.  Story idleness is measured in *event time*: the watermark is the
latest ``published`` (else ``produced_at``, else ``now``) of any article seen;
a story whose newest article is older than ``watermark - close_after_seconds``
is closed by ``expire``.  ``now`` only stamps ``created_at``/``updated_at``.

Closed stories.  ``expire_updates`` (``expire`` returns just the ids) closes
idle stories, bumps their version and returns their closed states; the index
keeps a light signature of each (top entities and terms) so that a later
matching article reopens it.  The full record is then needed again: set
``engine.story_loader`` / ``engine.article_loader`` (``id -> JSON record | None``,
e.g. reading the faust tables) and the engine forgets closed records;
without loaders it keeps them in memory (``_cold_*``).

Reopen window.  A closed story stays matchable only while its newest article is
within ``reopen_after_seconds`` (event time) of the watermark; beyond that it
leaves the index for good and a late article about it starts a new story.  The
index's document frequencies count the articles of indexed stories only (open
stories and closed ones inside the window), so idf reflects recent news and the
index's memory is bounded by what is open plus the window.  With an
``article_loader``, ``seen`` also forgets the articles of closed stories: the
duplicate / revision check falls back to the loader (exactly as idempotent).
The rule is a pure function of the records and the watermark, so ``restore``
rebuilds the same index.

Revisions.  A revised article (same id, new content hash) is subtracted from
its story and matched again.  When it lands in another story, ``moved_from``
names the story it left, ``extra_states`` carries that story's new state and
``extra_records`` its record, which must be persisted like ``story_record``.

Splits.  After an article joins a story, a small story is re-checked for two events
(``Repairs.bisect``; ``repairs.split_due`` says when).  On a split the larger side
keeps the story id and the other side becomes a new open story: ``split_into`` names it,
``extra_states``/``extra_records`` carry the other side's state and record, and
``extra_articles`` the moved article records (other than this article's), all to be
persisted.  The kept story's delta lists the moved articles in ``articles_removed``, the new
story's in ``articles_moved_in`` (``articles_added`` only ever names arriving articles).  Like
everything here it is a pure function of the order of arrival, so a replay splits the same way.

Merges.  The converse: one event's first reports can start two stories (their own angles,
nothing shared yet).  After an article joins a story (and no split), the open stories it also
matches are checked (``Repairs.mutual``); when the two are one, the larger keeps its id
and the other's articles move into it (``articles_moved_in``), the other is left empty and
closed with ``merged_into`` set (``articles_removed``: its members as last published);
``merged_from`` names it, ``extra_states``/``extra_records``/``extra_articles`` carry its
state, record and the moved article records.  A merge needs a mutual score of at least
``merge_threshold``, and ``Repairs.bisect`` never splits two sides that close, so neither
undoes the other.  The other story may be a single early report (see ``_merge``).

Re-homing.  After an article joins a story at a split-check size (and no split or merge), each
other member that scores higher against another open story than against the rest of its own,
and below ``merge_threshold`` against the rest (``Repairs.misplaced``), moves there: ``rehomed`` maps each such story to the moved ids,
``extra_states``/``extra_records`` carry its state (``articles_moved_in``, version + 1) and
record, ``extra_articles`` the moved article records; the story's own delta lists them in
``articles_removed``.  This catches a report that came before its own event's story had
grown and sits alone among a sister event's reports, which the split cannot (a side needs
``split_min_side`` reports).
"""
from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Optional

from schemas.models import ArticleEntities, ArticleQuotes, StoryDelta, StoryState

from services.aggregator import entities as en
from services.aggregator import quotes as qu
from services.aggregator.index import StoryIndex
from services.aggregator.params import ClusterParams
from services.aggregator.repairs import Repairs, split_due
from services.aggregator.records import ArticleRecord, Member, StoryRecord
from services.aggregator.scoring import Scorer
from services.aggregator.signature import ArticleSignature, StorySignature, article_signature, light_signature
from services.aggregator.state import central_article, entity_names, render


@dataclass
class EngineConfig:
    params: ClusterParams = field(default_factory=ClusterParams)   # every tuned value of clustering
    max_list_items: int = 50
    close_after_seconds: float = 3 * 24 * 3600
    # closed stories older than this (event time, vs the watermark) can no longer be reopened
    reopen_after_seconds: float = 30 * 24 * 3600


@dataclass
class Update:
    story_id: str
    state: StoryState
    story_record: dict                 # records in their JSON form (``to_json``), to persist
    article_record: dict
    moved_from: Optional[str] = None
    extra_states: list[StoryState] = field(default_factory=list)
    # story records to persist with ``extra_states`` (the story a revised article left, the
    # other side of a split)
    extra_records: list[dict] = field(default_factory=list)
    # a split: the new story's id, and the article records it moved (other than this article's)
    split_into: Optional[str] = None
    extra_articles: list[dict] = field(default_factory=list)
    # a merge: the story merged into this one (its state, emptied, is in ``extra_states``; the
    # article records it moved, other than this article's, in ``extra_articles``)
    merged_from: Optional[str] = None
    # members moved to the stories they fit better: story id -> moved article ids (those
    # stories' states and records are in ``extra_states``/``extra_records``, the moved article
    # records in ``extra_articles``)
    rehomed: dict[str, list[str]] = field(default_factory=dict)


def _utc(dt: Optional[datetime]) -> Optional[datetime]:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _iso(dt: Optional[datetime]) -> Optional[str]:
    return _utc(dt).isoformat() if dt is not None else None


def _blank_story(sid: str, status: str, now: datetime, event: datetime) -> StoryRecord:
    """A story record with no article yet."""
    return StoryRecord(story_id=sid, status=status, created_at=_iso(now), updated_at=_iso(now),
                       event_time=_iso(event))


class StoryEngine:
    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.story_loader: Optional[Callable[[str], Optional[dict]]] = None
        self.article_loader: Optional[Callable[[str], Optional[dict]]] = None
        self._reset()

    def _reset(self) -> None:
        self.index = StoryIndex(self.config.params)
        self.scorer = Scorer(self.index, self.config.params)
        self.repairs = Repairs(self.scorer, self.config.params)
        self.stories: dict[str, StoryRecord] = {}       # open story records
        self.articles: dict[str, ArticleRecord] = {}    # article records of open stories
        # article id -> (content_hash, story_id); with an article_loader only open stories' articles
        self.seen: dict[str, tuple[str, str]] = {}
        self._cold_stories: dict[str, StoryRecord] = {}
        self._cold_articles: dict[str, ArticleRecord] = {}
        self.watermark: Optional[datetime] = None
        self._names: dict[str, set] = {}         # story id -> merged entity names at its last render
        self._closed_at: dict[str, str] = {}     # closed story id in the index -> its event_time
        self._closed_heap: list[tuple[datetime, str, str]] = []   # (event time, event_time iso, story id)

    # ------------------------------------------------------------ persistence
    def restore(self, stories: Iterable[dict], articles: Iterable[dict]) -> list[dict]:
        """Rebuild the in-memory indices from the persisted records.

        The two tables are written one after the other, so a worker killed in between can
        leave a story record that disagrees with the article records (an article counted in
        the story but not recorded as merged, or the reverse).  The article records are the
        source of truth: such a story is recomputed from its members' contributions.
        Returns the repaired story records (JSON, to be written back to the table).
        """
        self._reset()
        articles = [ArticleRecord.from_json(a) for a in articles]
        stories = [StoryRecord.from_json(s) for s in stories]
        stories, repaired = self._reconcile(stories, articles)
        for s in stories:
            if s.articles:
                self._see_time(datetime.fromisoformat(s.event_time))
        limit = self._reopen_limit()
        for s in stories:
            if not s.articles:                      # emptied by a revision that moved its article
                self._cold_stories[s.story_id] = s
                continue
            if s.status == "open":
                self.stories[s.story_id] = s
                self._index_open(s)
            else:
                self._cold_stories[s.story_id] = s
                if limit is None or datetime.fromisoformat(s.event_time) >= limit:
                    self._index_closed(s)
        for a in articles:
            if a.story_id in self.stories or not self.article_loader:
                self.seen[a.article_id] = (a.content_hash, a.story_id)
            if a.story_id in self.index.sigs:       # open, or closed within the reopen window
                self.index.observe(a.signature)
            (self.articles if a.story_id in self.stories else self._cold_articles)[a.article_id] = a
        if self.story_loader:
            self._cold_stories.clear()
        if self.article_loader:
            self._cold_articles.clear()
        return repaired

    def _reconcile(self, stories: list[StoryRecord], articles: list[ArticleRecord]
                   ) -> tuple[list[StoryRecord], list[dict]]:
        members: dict[str, list[ArticleRecord]] = {}
        for a in articles:
            members.setdefault(a.story_id, []).append(a)
        repaired = []
        out = []
        for st in stories:
            recs = members.get(st.story_id, [])
            if set(st.articles) == {r.article_id for r in recs}:
                out.append(st)
                continue
            fixed = st.copy()
            if recs and fixed.merged_into:
                fixed.merged_into = None
                fixed.status = "open"    # a merge whose article records were never written
            self._rebuild(fixed, self._in_order(recs))
            fixed.seq += 1
            out.append(fixed)
            repaired.append(fixed.to_json())
        known = {st.story_id for st in stories}
        for sid in sorted(set(members) - known):
            # article records naming a story whose record never reached the table (a kill
            # between the writes of a split or of a new story): the story is rebuilt from them
            recs = self._in_order(members[sid])
            first = datetime.fromisoformat(recs[0].first_seen)
            fixed = _blank_story(sid, "open", first, first)
            self._rebuild(fixed, recs)
            fixed.version = 1
            out.append(fixed)
            repaired.append(fixed.to_json())
        return out, repaired

    @staticmethod
    def _in_order(recs: list[ArticleRecord]) -> list[ArticleRecord]:
        """Article records in the order they were first seen."""
        return sorted(recs, key=lambda r: (r.first_seen, r.article_id))

    def assignments(self) -> dict[str, str]:
        """article id -> story id of every article seen (with an ``article_loader``: of every
        article of an open story; the others are in the article table)."""
        return {aid: sid for aid, (_, sid) in self.seen.items()}

    def _stored_story(self, sid: str) -> Optional[StoryRecord]:
        """The story record in the table (``story_loader``), if any."""
        d = self.story_loader(sid) if self.story_loader else None
        return StoryRecord.from_json(d) if d is not None else None

    def _stored_article(self, aid: str) -> Optional[ArticleRecord]:
        """The article record in the table (``article_loader``), if any."""
        d = self.article_loader(aid) if self.article_loader else None
        return ArticleRecord.from_json(d) if d is not None else None

    def _load_story(self, sid: str) -> Optional[StoryRecord]:
        if sid in self.stories:
            return self.stories[sid]
        rec = self._cold_stories.pop(sid, None)
        if rec is None:
            rec = self._stored_story(sid)
        return rec

    def _load_article(self, aid: str) -> Optional[ArticleRecord]:
        rec = self.articles.get(aid) or self._cold_articles.pop(aid, None)
        if rec is None:
            rec = self._stored_article(aid)
        return rec

    def _see_time(self, t: datetime) -> None:
        if self.watermark is None or t > self.watermark:
            self.watermark = t

    # ------------------------------------------------------------ reopen window
    def _reopen_limit(self) -> Optional[datetime]:
        if self.watermark is None:
            return None
        return self.watermark - timedelta(seconds=self.config.reopen_after_seconds)

    def _index_closed(self, story: StoryRecord) -> None:
        """Index a closed story's light signature until it leaves the reopen window."""
        sid = story.story_id
        light = story.light or light_signature(story.signature, self.config.params)
        self.index.put(sid, light, closed=True)
        self._closed_at[sid] = story.event_time
        heapq.heappush(self._closed_heap, (datetime.fromisoformat(story.event_time), story.event_time, sid))

    def _unindex(self, sid: str) -> None:
        self.index.drop(sid)
        self._closed_at.pop(sid, None)

    def _prune(self) -> None:
        """Closed stories beyond the reopen window leave the index, and their articles its
        document frequencies."""
        limit = self._reopen_limit()
        heap = self._closed_heap
        while heap and limit is not None and heap[0][0] < limit:
            _, iso, sid = heapq.heappop(heap)
            if self._closed_at.get(sid) != iso or sid not in self.index.closed:
                continue                               # stale entry (reopened or re-timed)
            self._unindex(sid)
            rec = self._cold_stories.get(sid) or self._stored_story(sid)
            for aid in (rec.articles if rec is not None else ()):
                a = self._cold_articles.get(aid) or self._stored_article(aid)
                if a is not None and a.story_id == sid:
                    self.index.observe(a.signature, -1)
        if len(heap) > 64 and len(heap) > 2 * len(self._closed_at):   # drop stale entries
            self._closed_heap = [e for e in heap if self._closed_at.get(e[2]) == e[1]]
            heapq.heapify(self._closed_heap)

    # ------------------------------------------------------------ processing
    def process(self, quotes: ArticleQuotes, entities: ArticleEntities, now: datetime) -> Update | None:
        meta = entities.article
        aid, chash = meta.article_id, meta.content_hash
        prev = self.seen.get(aid)
        if prev is None and self.article_loader:           # an article of a closed story?
            stored = self._stored_article(aid)
            if stored is not None:
                prev = (stored.content_hash, stored.story_id)
        if prev is not None and prev[0] == chash:
            return None
        now = _utc(now)
        event = _utc(meta.published) or _utc(meta.produced_at) or now
        self._see_time(event)
        self._prune()

        old_story, first_seen, before = None, _iso(now), {}
        if prev is not None:                                   # a revision: take the old version out
            old_rec = self._load_article(aid)
            old_story = self._load_story(prev[1])
            if old_rec is not None and old_story is not None:
                before[old_story.story_id] = self._snapshot(old_story)
                first_seen = old_rec.first_seen
                indexed = old_story.story_id in self.index.sigs
                self._subtract(old_story, old_rec)
                if indexed:                                    # else beyond the reopen window
                    self.index.observe(old_rec.signature, -1)
                    if old_story.status == "closed":
                        self._unindex(old_story.story_id)   # re-indexed by _left if it stays closed
                    self._reindex(old_story)
            else:
                old_story = None

        sig = article_signature(entities, quotes, self.config.params)
        self.index.observe(sig)
        sid, score = self.scorer.best(sig)
        story = None
        if sid is not None and score >= self.config.params.match_threshold:
            story = old_story if old_story is not None and old_story.story_id == sid else self._load_story(sid)
        if story is None:
            story = self._new_story(aid, chash, now, event)
        elif story.status == "closed":
            self._reopen(story)
        self._closed_at.pop(story.story_id, None)
        self.stories[story.story_id] = story

        quotes_before, ents_before = before.get(story.story_id) or self._snapshot(story)
        sid = story.story_id
        rec = self._article_record(aid, chash, story.story_id, first_seen, event, quotes, entities, sig, story)
        self._add(story, rec)
        story.version += 1
        story.updated_at = _iso(now)
        story.event_time = max(story.event_time, _iso(event), key=datetime.fromisoformat)
        story.central = central_article(story)
        self.articles[aid] = rec
        self.seen[aid] = (chash, story.story_id)
        split = self._split(story, now)
        rehomed: dict[str, list[str]] = {}
        targets_before: dict[str, tuple[set, set]] = {}
        if split is None and (old_story is None or old_story.story_id == story.story_id):
            merge = self._merge(story, sig, now)
            if merge is not None:
                return self._merged_update(aid, story, merge, quotes_before, ents_before)
            rehomed = self._rehome(story, aid, now, targets_before)
        rec = self.articles[aid]                # (a split replaces the records it moves)
        self._index_open(story)
        if split is None:
            home, other = story, None
        else:
            self._index_open(split)
            self.stories[split.story_id] = split
            home, other = (split, story) if aid in split.articles else (story, split)
        removed = (sorted(split.articles) if split is not None
                   else sorted(a for moved in rehomed.values() for a in moved))
        if home is story:
            delta = {"articles_added": [aid], "articles_removed": removed,
                     "quotes_added": [g["quote_id"] for g in story.quotes if g["quote_id"] not in quotes_before]}
            ents_known = ents_before
        else:                                   # the split's new story: everything in it is new to it
            delta = {"articles_added": [aid], "articles_moved_in": sorted(set(home.articles) - {aid}),
                     "quotes_added": [g["quote_id"] for g in home.quotes]}
            ents_known = set()
        names: set = set()
        state = render(home, self.config.max_list_items, None, names_out=names)
        self._names[home.story_id] = names
        state.delta = StoryDelta(**delta, entities_added=sorted(names - ents_known))
        update = Update(story_id=home.story_id, state=state, story_record=home.to_json(),
                        article_record=rec.to_json())
        if other is not None:
            if other is split:
                odelta = {"articles_moved_in": sorted(split.articles),
                          "quotes_added": [g["quote_id"] for g in split.quotes]}
                oknown: set = set()
            else:
                odelta, oknown = {"articles_removed": removed}, ents_before
            onames: set = set()
            ostate = render(other, self.config.max_list_items, None, names_out=onames)
            self._names[other.story_id] = onames
            ostate.delta = StoryDelta(**odelta, entities_added=sorted(onames - oknown))
            update.extra_states.append(ostate)
            update.extra_records.append(other.to_json())
        if split is not None:
            update.split_into = split.story_id
            update.extra_articles = [self.articles[a].to_json() for a in sorted(split.articles) if a != aid]
        for tsid, moved in sorted(rehomed.items()):
            target = self.stories[tsid]
            q_known, e_known = targets_before[tsid]
            tnames: set = set()
            tstate = render(target, self.config.max_list_items, None, names_out=tnames)
            self._names[tsid] = tnames
            tstate.delta = StoryDelta(articles_moved_in=moved,
                                      quotes_added=[g["quote_id"] for g in target.quotes if g["quote_id"] not in q_known],
                                      entities_added=sorted(tnames - e_known))
            update.extra_states.append(tstate)
            update.extra_records.append(target.to_json())
            update.extra_articles.extend(self.articles[a].to_json() for a in moved)
        update.rehomed = rehomed
        if old_story is not None and old_story.story_id != story.story_id:
            self._left(old_story, now)
            update.moved_from = old_story.story_id
            names_left: set = set()
            update.extra_states.append(render(old_story, self.config.max_list_items, {"articles_removed": [aid]},
                                              names_out=names_left))
            self._names[old_story.story_id] = names_left
            update.extra_records.append(old_story.to_json())
        return update

    # ------------------------------------------------------------ merging
    def _merge(self, story: StoryRecord, sig: ArticleSignature, now: datetime
               ) -> Optional[tuple[StoryRecord, StoryRecord, list[str], tuple]]:
        """Merge ``story`` (which the article ``sig`` just joined) with an open story the article
        bridges it to, when the two are one (``Repairs.mutual``).  ``story`` has 2 to
        ``merge_max_members`` articles (a story the article has just started is its placement's
        decision), the other 1 to ``merge_max_members`` (a single early report is taken in once
        the story it missed has grown).  The larger keeps its id (ties: the one with the older
        first article, then the smaller id); the other's articles move into it and it is left
        empty and closed, with ``merged_into`` set.  Returns (kept, emptied, moved article ids, the
        kept story's quote ids and entity names before) or None.

        Why: an event's first reports can start two stories (their own angles, nothing shared
        yet), and each then grows on its own; the split cannot join them.  An article that
        matches both shows it, and the check is cheap while the stories are small."""
        sid = story.story_id
        p = self.config.params
        if not 2 <= len(story.articles) <= p.merge_max_members:
            return None
        mine = None
        for cand in self.index.candidates(sig, limit=p.merge_candidates):
            other = self.stories.get(cand)
            if (cand == sid or other is None or other.status != "open"
                    or not 1 <= len(other.articles) <= p.merge_max_members
                    or self.scorer.score(sig, self.index.sigs[cand], self.index.top.get(cand))
                    < self.config.params.match_threshold):
                continue
            mine = mine or self._member_records(story)
            theirs = self._member_records(other)
            if mine is None or theirs is None:
                return None
            if self.repairs.mutual([r.signature for r in mine.values()],
                                   [r.signature for r in theirs.values()]) >= p.merge_threshold:
                break
        else:
            return None

        def seniority(st: StoryRecord) -> tuple:
            return (-len(st.articles), min(a.event_time for a in st.articles.values()), st.story_id)
        keep, gone, gone_recs = ((story, other, theirs) if seniority(story) <= seniority(other)
                                 else (other, story, mine))
        before = self._snapshot(keep)
        moved = sorted(gone.articles)
        order = gone.articles
        for old in sorted(gone_recs.values(), key=lambda r: (order[r.article_id].order, r.article_id)):
            rec = old.moved_to(keep.story_id)
            self._add(keep, rec)
            self.articles[rec.article_id] = rec
            self.seen[rec.article_id] = (rec.content_hash, keep.story_id)
            self._cold_articles.pop(rec.article_id, None)
        keep.event_time = max(keep.event_time, gone.event_time, key=datetime.fromisoformat)
        keep.central = central_article(keep)
        if keep is not story:
            keep.version += 1
            keep.updated_at = _iso(now)
        self._rebuild(gone, [])
        gone.merged_into = keep.story_id
        self._left(gone, now)                   # emptied: closed, out of the index and of memory
        self._index_open(keep)
        return keep, gone, moved, before

    def _merged_update(self, aid: str, story: StoryRecord, merge: tuple, quotes_before: set,
                       ents_before: set) -> Update:
        """The update of a merge: the kept story's state (the arriving article in
        ``articles_added``, the other story's in ``articles_moved_in``) and the emptied one's
        (``articles_removed``: its members as last published, ``merged_into``)."""
        keep, gone, moved, (q_keep, e_keep) = merge
        q_known, e_known = (quotes_before, ents_before) if keep is story else (q_keep, e_keep)
        carried = [a for a in moved if a != aid]
        names: set = set()
        state = render(keep, self.config.max_list_items, None, names_out=names)
        self._names[keep.story_id] = names
        state.delta = StoryDelta(articles_added=[aid], articles_moved_in=carried,
                                 quotes_added=[g["quote_id"] for g in keep.quotes if g["quote_id"] not in q_known],
                                 entities_added=sorted(names - e_known))
        update = Update(story_id=keep.story_id, state=state, story_record=keep.to_json(),
                        article_record=self.articles[aid].to_json(), merged_from=gone.story_id)
        update.extra_states.append(render(gone, self.config.max_list_items, {"articles_removed": carried}))
        update.extra_records.append(gone.to_json())
        update.extra_articles = [self.articles[a].to_json() for a in carried]
        return update

    # ------------------------------------------------------------ re-homing
    def _rehome(self, story: StoryRecord, aid: str, now: datetime,
                before: dict[str, tuple[set, set]]) -> dict[str, list[str]]:
        """Move the members of ``story`` (which ``aid`` just joined, at a split-check size) that
        fit another open story better (``Repairs.misplaced``) into it.  Returns target
        story id -> moved article ids; ``before`` gets each target's quote ids and entity names
        before the move (for its delta).  The arriving article stays: its placement has just
        been decided."""
        if not split_due(len(story.articles), self.config.params):
            return {}
        recs = self._member_records(story)
        if recs is None:
            return {}
        sid = story.story_id

        def allowed(c: str) -> bool:
            other = self.stories.get(c)
            return other is not None and other.status == "open" and c in self.index.members

        moves = self.repairs.misplaced(sid, {a: r.signature for a, r in recs.items()}, aid,
                                       self.config.params.match_threshold, allowed)
        if not moves:
            return {}
        out: dict[str, list[str]] = {}
        for m, tsid in sorted(moves.items()):
            target = self.stories[tsid]
            if tsid not in before:
                before[tsid] = self._snapshot(target)
            old = recs[m]
            self._subtract(story, old)
            rec = old.moved_to(tsid)
            self._add(target, rec)
            self.articles[m] = rec
            self.seen[m] = (rec.content_hash, tsid)
            self._cold_articles.pop(m, None)
            out.setdefault(tsid, []).append(m)
        for tsid in out:
            target = self.stories[tsid]
            target.version += 1
            target.updated_at = _iso(now)
            target.event_time = max((a.event_time for a in target.articles.values()),
                                    key=datetime.fromisoformat)
            target.central = central_article(target)
            self._index_open(target)
        return out                              # (``_subtract`` re-picked the story's central article)

    def _member_records(self, story: StoryRecord) -> Optional[dict[str, ArticleRecord]]:
        """The article records of a story's members (None when one cannot be found)."""
        recs = {}
        for a in story.articles:
            rec = self.articles.get(a) or self._cold_articles.get(a)
            if rec is None:
                rec = self._stored_article(a)
            if rec is None:
                return None
            recs[a] = rec
        return recs

    # ------------------------------------------------------------ splitting
    def _split(self, story: StoryRecord, now: datetime) -> Optional[StoryRecord]:
        """Split ``story`` when it holds two events (``Repairs.bisect``): the larger side
        keeps the story (ties: the side with its first article), the other side becomes a new
        open story with its own id, derived from the story's id and the moved articles.
        Returns the new story's record (its members' article records are moved) or None.

        Why: an article joins the best story *now*; an early article of a sister event that
        joined a story of one or two articles (too little evidence to see a conflict) turns
        the story into a mix, which then looks coherent to every later article.  Re-checking
        the whole story while it is small finds such mixes once each side has a few articles."""
        members = story.articles
        if not split_due(len(members), self.config.params):
            return None
        recs = self._member_records(story)
        if recs is None:
            return None
        parts = self.repairs.bisect({a: r.signature for a, r in recs.items()})
        if parts is None:
            return None
        first = min(members, key=lambda a: (members[a].order, a))
        a_side, b_side, _ = parts
        keep, leave = ((a_side, b_side) if (len(a_side), first in a_side) > (len(b_side), first in b_side)
                       else (b_side, a_side))
        base = story.story_id + "|" + ",".join(sorted(leave))
        new_id = "st-" + hashlib.sha1(base.encode()).hexdigest()[:12]
        n = 0
        while self._id_taken(new_id):   # e.g. the empty record of a split published, then lost
            n += 1
            new_id = "st-" + hashlib.sha1(f"{base}|{n}".encode()).hexdigest()[:12]
        new = _blank_story(new_id, "open", now, now)
        new.seq = story.seq
        by_order = lambda ids: sorted((recs[a] for a in ids),  # noqa: E731
                                      key=lambda r: (members[r.article_id].order, r.article_id))
        moving = [rec.moved_to(new.story_id) for rec in by_order(leave)]
        staying = by_order(keep)
        self._rebuild(story, staying)
        self._rebuild(new, moving)
        new.version = 1
        for rec in moving + staying:
            self.articles[rec.article_id] = rec
            self.seen[rec.article_id] = (rec.content_hash, rec.story_id)
            self._cold_articles.pop(rec.article_id, None)
        return new

    def _rebuild(self, story: StoryRecord, recs: list[ArticleRecord]) -> None:
        """Recompute a story's aggregates from its member records (in this order; no records:
        an empty story that keeps its event time)."""
        qu.forget(story.quotes)
        story.articles, story.entities, story.quotes, story.signature = {}, {}, [], StorySignature()
        for rec in recs:
            self._add(story, rec)
        if recs:
            story.event_time = max((r.event_time for r in recs), key=datetime.fromisoformat)
        story.central = central_article(story)

    def supersede(self, sid: str, version: int, now: datetime) -> Update:
        """Re-state story ``sid`` from the engine's records with ``version`` (which must exceed
        any version published before), an empty delta.

        After a restart this replaces a published state the tables never recorded (the
        aggregator publishes before it persists; a kill in between leaves a state whose
        article may then be re-processed into another story).  A story the tables do not
        know at all becomes an empty closed record, which also keeps its id from being
        reused by a new story."""
        story = self._load_story(sid)
        if story is None:
            story = _blank_story(sid, "closed", _utc(now), _utc(now))
        if sid not in self.stories and not self.story_loader:
            self._cold_stories[sid] = story            # (loading took it out)
        story.version = max(story.version, version)
        story.updated_at = _iso(_utc(now))
        names: set = set()
        state = render(story, self.config.max_list_items, {}, names_out=names)
        if story.status == "open":
            self._names[sid] = names
        return Update(story_id=sid, state=state, story_record=story.to_json(), article_record={})

    def _snapshot(self, story: StoryRecord) -> tuple[set, set]:
        """Quote ids and entity names before a change (names cached from the last render)."""
        names = self._names.get(story.story_id)
        if names is None:
            names = entity_names(story)
        return {g["quote_id"] for g in story.quotes}, set(names)

    def _reopen(self, story: StoryRecord) -> None:
        """A matching article reopens a closed story; its members' records come back warm."""
        story.status = "open"
        story.light = None
        for aid in story.articles:
            if aid in self._cold_articles:
                self.articles[aid] = self._cold_articles.pop(aid)

    def _left(self, story: StoryRecord, now: datetime) -> None:
        """Bookkeeping for the story a revised article moved out of."""
        sid = story.story_id
        story.version += 1
        story.updated_at = _iso(now)
        if not story.articles:
            story.status = "closed"                  # emptied by the move
            self._unindex(sid)
        elif story.status == "closed":
            story.light = light_signature(story.signature, self.config.params)
            limit = self._reopen_limit()
            if sid in self.index.sigs or limit is None or datetime.fromisoformat(story.event_time) >= limit:
                self._index_closed(story)
            else:
                self._unindex(sid)
        if story.status == "closed":
            self.stories.pop(sid, None)
            self._names.pop(sid, None)
            qu.forget(story.quotes)
            if not self.story_loader:
                self._cold_stories[sid] = story

    def _new_story(self, aid: str, chash: str, now: datetime, event: datetime) -> StoryRecord:
        sid = "st-" + hashlib.sha1(aid.encode()).hexdigest()[:12]
        if self._id_taken(sid):
            sid = "st-" + hashlib.sha1(f"{aid}|{chash}".encode()).hexdigest()[:12]
        return _blank_story(sid, "open", now, event)

    def _id_taken(self, sid: str) -> bool:
        """Whether a story record with this id exists (an empty one too: ``supersede`` leaves
        one for a story that only a lost update created, and its id must not be reused)."""
        return (sid in self.index.sigs or sid in self.stories or sid in self._cold_stories
                or (self.story_loader is not None and self.story_loader(sid) is not None))

    def _article_record(self, aid, chash, sid, first_seen, event, quotes, entities, sig, story) -> ArticleRecord:
        m = entities.article
        variants = qu.article_variants(aid, quotes.quotes, first_seen, story.seq)
        story.seq += len(quotes.quotes)
        return ArticleRecord(article_id=aid, story_id=sid, content_hash=chash, first_seen=first_seen,
                             event_time=_iso(event), title=m.title, outlet=m.outlet, url=m.url,
                             published=_iso(m.published), lead=entities.lead,
                             entities=en.article_entities(entities), quotes=variants, signature=sig)

    # ------------------------------------------------------------ contributions
    def _add(self, story: StoryRecord, rec: ArticleRecord) -> None:
        aid = rec.article_id
        story.seq += 1
        story.articles[aid] = Member(title=rec.title, outlet=rec.outlet, url=rec.url, published=rec.published,
                                     first_seen=rec.first_seen, lead=rec.lead, order=story.seq,
                                     event_time=rec.event_time, entity_keys=sorted(rec.signature.entities),
                                     title_words=rec.signature.title)
        en.add_entities(story.entities, rec.entities, aid, +1)
        story.signature.add(rec.signature, +1)
        for v in rec.quotes:
            qu.add_variant(story.quotes, dict(v))

    def _subtract(self, story: StoryRecord, rec: ArticleRecord) -> None:
        aid = rec.article_id
        story.articles.pop(aid, None)
        en.add_entities(story.entities, rec.entities, aid, -1)
        story.signature.add(rec.signature, -1)
        story.quotes = qu.remove_article(story.quotes, aid)
        story.central = central_article(story)
        times = [a.event_time for a in story.articles.values()]
        if times:
            story.event_time = max(times, key=datetime.fromisoformat)

    def _index_open(self, story: StoryRecord) -> None:
        self.index.put(story.story_id, story.signature,
                       members=[(a.entity_keys, a.title_words) for a in story.articles.values()])

    def _reindex(self, story: StoryRecord) -> None:
        if story.articles:
            self._index_open(story)
        else:
            self.index.drop(story.story_id)

    # ------------------------------------------------------------ closing
    def expire(self, now: datetime) -> list[str]:
        return [u.story_id for u in self.expire_updates(now)]

    def expire_updates(self, now: datetime) -> list[Update]:
        """Close idle stories; one Update (status closed, version bumped) per closed story."""
        if self.watermark is None:
            return []
        limit = self.watermark - timedelta(seconds=self.config.close_after_seconds)
        out = []
        self._prune()
        for sid in sorted(s for s, r in self.stories.items() if datetime.fromisoformat(r.event_time) < limit):
            story = self.stories.pop(sid)
            qu.forget(story.quotes)
            story.status = "closed"
            story.version += 1
            story.updated_at = _iso(_utc(now))
            story.light = light_signature(story.signature, self.config.params)
            self._index_closed(story)
            self._names.pop(sid, None)
            members = [self.articles.pop(aid) for aid in list(story.articles) if aid in self.articles]
            if not self.story_loader:
                self._cold_stories[sid] = story
            if not self.article_loader:
                self._cold_articles.update((a.article_id, a) for a in members)
            else:
                for aid in story.articles:
                    self.seen.pop(aid, None)
            state = render(story, self.config.max_list_items, {})
            out.append(Update(story_id=sid, state=state, story_record=story.to_json(),
                              article_record={}))
        return out
