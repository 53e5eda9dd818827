"""The repairs carried out on the records: a story split in two, two stories merged, members
re-homed to the story they fit better (the checks themselves: :mod:`repairs`).

Like everything in the engine these are pure functions of the order of arrival: a replay splits,
merges and re-homes the same way.  Ties go by article id, then story id.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from services.aggregator.index import StoryIndex
from services.aggregator.lifecycle import Lifecycle
from services.aggregator.members import add_member, blank_story, index_open, iso, latest, rebuild, remove_member
from services.aggregator.params import ClusterParams
from services.aggregator.records import StoryRecord
from services.aggregator.repairs import Repairs, split_due
from services.aggregator.scoring import Scorer
from services.aggregator.signature import ArticleSignature
from services.aggregator.state import central_article
from services.aggregator.store import RecordStore
from services.aggregator.updates import Announcer, Known

Merge = tuple[StoryRecord, StoryRecord, list[str], Known]   # (kept, emptied, moved ids, kept's Known before)


class Regrouper:
    def __init__(self, store: RecordStore, index: StoryIndex, scorer: Scorer, repairs: Repairs,
                 lifecycle: Lifecycle, announcer: Announcer, params: ClusterParams) -> None:
        self.store, self.index, self.scorer, self.repairs = store, index, scorer, repairs
        self.lifecycle, self.announcer, self.params = lifecycle, announcer, params

    # ------------------------------------------------------------ splitting
    def split(self, story: StoryRecord, now: datetime) -> Optional[StoryRecord]:
        """Split ``story`` when it holds two events (``Repairs.bisect``): the larger side
        keeps the story (ties: the side with its first article), the other side becomes a new
        open story with its own id, derived from the story's id and the moved articles.
        Returns the new story's record (its members' article records are moved) or None.

        Why: an article joins the best story *now*; an early article of a sister event that
        joined a story of one or two articles (too little evidence to see a conflict) turns
        the story into a mix, which then looks coherent to every later article.  Re-checking
        the whole story while it is small finds such mixes once each side has a few articles."""
        members = story.articles
        if not split_due(len(members), self.params):
            return None
        recs = self.store.member_records(story)
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
        while self.store.id_taken(new_id, self.index):   # e.g. the empty record of a split published, then lost
            n += 1
            new_id = "st-" + hashlib.sha1(f"{base}|{n}".encode()).hexdigest()[:12]
        new = blank_story(new_id, "open", now, now)
        new.seq = story.seq
        by_order = lambda ids: sorted((recs[a] for a in ids),  # noqa: E731
                                      key=lambda r: (members[r.article_id].order, r.article_id))
        moving = [rec.moved_to(new.story_id) for rec in by_order(leave)]
        staying = by_order(keep)
        rebuild(story, staying)
        rebuild(new, moving)
        new.version = 1
        for rec in moving + staying:
            self.store.place(rec)
        return new

    # ------------------------------------------------------------ merging
    def merge(self, story: StoryRecord, sig: ArticleSignature, now: datetime) -> Optional[Merge]:
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
        sid, p, store = story.story_id, self.params, self.store
        if not 2 <= len(story.articles) <= p.merge_max_members:
            return None
        mine = None
        cands = [c for c in self.index.candidates(sig, limit=p.merge_candidates)
                 if c != sid and (o := store.stories.get(c)) is not None and o.status == "open"
                 and 1 <= len(o.articles) <= p.merge_max_members]
        bounds = self.scorer.bounds.upper(sig, self.scorer.article_view(sig), cands)   # all at once
        for cand, bound in zip(cands, bounds):
            other = store.stories[cand]
            if not self.scorer.reaches(sig, cand, p.match_threshold, bound):
                continue
            mine = mine or store.member_records(story)
            theirs = store.member_records(other)
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
        before = self.announcer.snapshot(keep)
        moved = sorted(gone.articles)
        order = gone.articles
        for old in sorted(gone_recs.values(), key=lambda r: (order[r.article_id].order, r.article_id)):
            rec = old.moved_to(keep.story_id)
            add_member(keep, rec)
            store.place(rec)
        keep.event_time = latest((keep.event_time, gone.event_time))
        keep.central = central_article(keep)
        if keep is not story:
            keep.version += 1
            keep.updated_at = iso(now)
        rebuild(gone, [])
        gone.merged_into = keep.story_id
        self.lifecycle.left(gone, iso(now))       # emptied: closed, out of the index and of memory
        index_open(self.index, keep)
        return keep, gone, moved, before

    # ------------------------------------------------------------ re-homing
    def rehome(self, story: StoryRecord, aid: str, now: datetime, before: dict[str, Known]) -> dict[str, list[str]]:
        """Move the members of ``story`` (which ``aid`` just joined, at a split-check size) that
        fit another open story better (``Repairs.misplaced``) into it.  Returns target
        story id -> moved article ids; ``before`` gets each target's quote ids and entity names
        before the move (for its delta).  The arriving article stays: its placement has just
        been decided."""
        if not split_due(len(story.articles), self.params):
            return {}
        store = self.store
        recs = store.member_records(story)
        if recs is None:
            return {}
        sid = story.story_id

        def allowed(c: str) -> bool:
            other = store.stories.get(c)
            return other is not None and other.status == "open" and c in self.index.members

        moves = self.repairs.misplaced(sid, {a: r.signature for a, r in recs.items()}, aid,
                                       self.params.match_threshold, allowed)
        if not moves:
            return {}
        out: dict[str, list[str]] = {}
        for m, tsid in sorted(moves.items()):
            target = store.stories[tsid]
            if tsid not in before:
                before[tsid] = self.announcer.snapshot(target)
            old = recs[m]
            remove_member(story, old)
            rec = old.moved_to(tsid)
            add_member(target, rec)
            store.place(rec)
            out.setdefault(tsid, []).append(m)
        for tsid in out:
            target = store.stories[tsid]
            target.version += 1
            target.updated_at = iso(now)
            target.event_time = latest(a.event_time for a in target.articles.values())
            target.central = central_article(target)
            index_open(self.index, target)
        return out                              # (``remove_member`` re-picked the story's central article)
