"""The aggregator's durability protocol, over three Mapping-like tables (the faust tables in the
agent, plain dicts in the tests): ``stories`` and ``articles`` (the engine's records, JSON) and
``pending`` (article id -> content hash -> the join half seen so far).

* Restore: the engine is rebuilt from the tables; a story record a kill left inconsistent is
  repaired and written back.  The aggregator publishes a story's state before it persists the
  change, so a kill in between leaves a published version newer than the table: such stories
  (and the repaired ones) are re-stated above the newest published version, so no stale state
  keeps listing an article the restarted worker may place elsewhere.
* Publish, then persist: a worker stopped or killed in between re-processes the article after a
  restart (re-publishing the same state) instead of remembering an article whose state never
  reached story-state (nor drops the first half of its join).
* Refuse or roll back: an article the engine refuses (``BadMessage``, checked before any state
  changes) is dead-lettered with its reason; any other failure dead-letters it and rebuilds the
  engine from the tables, so its memory never holds half an article.
* Expire: a pending half whose twin does not come within a configured time (its extractor
  dead-lettered the other half, say) is dropped and dead-lettered, naming what never arrived.
* Settle: the pending half of a joined article is dropped only once its article record is on
  the broker (``settle`` after a producer flush), else a kill that lets the deletion reach the
  changelog but not the record loses the article (its other half's offset is committed).

Nothing here awaits: each method runs to its end between two awaits of the agent, so a
cancellation never splits the table writes of one message.  The agent's one await in the
protocol is the flush between ``settle_mark`` and ``settle``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping, MutableMapping, Optional, Union

import structlog

from schemas.models import ArticleEntities, ArticleQuotes, StoryState
from services.aggregator.engine import StoryEngine, Update
from services.aggregator.join import KINDS, SINCE, join_step
from services.aggregator.records import member_count
from services.common.codec import BadMessage

Result = Union[ArticleQuotes, ArticleEntities]


@dataclass(frozen=True)
class Expired:
    """A pending half whose twin never came: the article version, when its first half arrived,
    and the halves that did (kind -> payload)."""
    article_id: str
    content_hash: str
    since: str
    halves: dict

    @property
    def missing(self) -> list[str]:
        return [k for k in KINDS if k not in self.halves]

    def reason(self, max_age_seconds: float) -> str:
        return (f"article {self.article_id!r} (content_hash {self.content_hash[:16]}...): its "
                f"{' and '.join(sorted(self.halves))} result arrived at {self.since}, its "
                f"{' and '.join(self.missing)} result never arrived within {max_age_seconds:g} s")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Durability:
    def __init__(self, engine: StoryEngine, stories: MutableMapping, articles: MutableMapping,
                 pending: MutableMapping, publish: Callable[[StoryState], None], log=None,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.engine, self.stories, self.articles, self.pending = engine, stories, articles, pending
        self.publish, self.clock = publish, clock
        self.log = log if log is not None else structlog.get_logger("storystream.aggregator")
        # closed stories and their articles live only in the tables; the engine loads them on demand
        engine.story_loader = lambda story_id: stories.get(story_id)
        engine.article_loader = lambda article_id: articles.get(article_id)
        self.restored = False
        # (article id, content hash) merged, whose pending halves are dropped only once the
        # article record is on the broker (see ``settle``)
        self.unsettled: list[tuple[str, str]] = []

    # ------------------------------------------------------------ restore
    def restore(self, published: Mapping[str, int]) -> None:
        """Restore the engine from the tables (once): repair, re-state, collect unsettled halves.
        ``published``: story id -> the newest version on story-state."""
        if self.restored:
            return
        engine, stories, articles = self.engine, self.stories, self.articles
        repaired = self._load()
        now = self.clock()
        restate = {sid: v for sid, v in published.items()
                   if v > ((stories.get(sid) or {}).get("version") or 0)}
        for record in repaired:
            sid = record["story_id"]
            restate[sid] = max(restate.get(sid, 0), published.get(sid, 0), record["version"])
        for sid, version in sorted(restate.items()):
            update = engine.supersede(sid, version + 1, now)
            stories[sid] = update.story_record
            for record in update.extra_articles:   # a repaired story's members, renumbered
                articles[record["article_id"]] = record
            self.publish(update.state)
        # halves of articles already merged whose settling a kill prevented
        for article_id, entry in list(self.pending.items()):
            done = articles.get(article_id)
            if entry and done and done.get("content_hash") in entry:
                self.unsettled.append((article_id, done["content_hash"]))
        self.restored = True
        self.log.info("aggregator.restored", stories=len(stories), articles=len(articles),
                      repaired=[r["story_id"] for r in repaired], restated=sorted(restate))

    def _load(self) -> list[dict]:
        """Rebuild the engine from the tables; write back (and return) the story records it
        repaired (left inconsistent by a kill between two table writes)."""
        repaired = self.engine.restore(*self._restorable())
        for record in repaired:
            self.stories[record["story_id"]] = record
        return repaired

    def _restorable(self) -> tuple[list[dict], list[dict]]:
        """The records the engine keeps after a restore: open stories, closed ones inside the
        reopen window (of the newest event time in the table) and their articles.  The tables
        are scanned, but the records of older stories are neither parsed nor held (the engine
        reads them through its loaders when a revision or a late report needs one), so memory
        after a restart follows the open stories, not every story ever stored."""
        times = [datetime.fromisoformat(v["event_time"]) for v in self.stories.values()
                 if member_count(v) and v.get("event_time")]
        if not times:
            return [v for v in self.stories.values() if v], [v for v in self.articles.values() if v]
        limit = max(times) - timedelta(seconds=self.engine.config.reopen_after_seconds)
        del times
        stories = [v for v in self.stories.values() if v and (
            v.get("status") == "open" or (member_count(v) and datetime.fromisoformat(v["event_time"]) >= limit))]
        keep = {v["story_id"] for v in stories}
        return stories, [a for a in self.articles.values() if a and a.get("story_id") in keep]

    # ------------------------------------------------------------ one result
    def receive(self, kind: str, result: Result, dead_letter: Callable[[Exception], None]) -> Optional[Update]:
        """One decoded half (``kind``: "quotes" or "entities") of an article, after ``restore``.
        Returns the engine's update when the article was merged; ``dead_letter`` gets the error
        when the engine fails on it."""
        meta = result.article
        aid, chash = meta.article_id, meta.content_hash
        bound = self.log.bind(article_id=aid)
        done = self.articles.get(aid)
        if done and done.get("content_hash") == chash:
            bound.info("article.duplicate_ignored", kind=kind)
            self.unsettled.append((aid, chash))
            return None
        entry, joined = join_step(self.pending.get(aid), kind, chash, result.model_dump(mode="json"),
                                  since=self.clock().isoformat())
        if joined is None:
            self.pending[aid] = entry
            bound.info("article.half_pending", kind=kind)   # (an article never joined is traceable)
            return None
        try:
            update = self.engine.process(ArticleQuotes.model_validate(joined[0]),
                                         ArticleEntities.model_validate(joined[1]), self.clock())
        except BadMessage as exc:           # refused before the engine changed anything
            dead_letter(exc)
            bound.warning("article.refused", reason=str(exc))
            self.unsettled.append((aid, chash))
            return None
        except Exception as exc:
            dead_letter(exc)
            bound.exception("article.aggregation_failed")
            # the engine may have stopped half-way through the article: roll its memory back to
            # the tables (nothing of this article was written to them)
            self._load()
            self.unsettled.append((aid, chash))
            return None
        if update is None:
            bound.info("article.duplicate_ignored", kind=kind)
            self.unsettled.append((aid, chash))
            return None
        for extra in update.extra_states:
            self.publish(extra)
        self.publish(update.state)
        self.stories[update.story_id] = update.story_record
        for record in update.extra_records:  # the story a revised article left, a split's or merge's other
            self.stories[record["story_id"]] = record
        for record in update.extra_articles:  # the articles a split or merge moved (not this one)
            self.articles[record["article_id"]] = record
        self.articles[aid] = update.article_record
        self.unsettled.append((aid, chash))
        self._log_update(bound, update)
        return update

    @staticmethod
    def _log_update(bound, update: Update) -> None:
        bound.info("story.updated", story_id=update.story_id, version=update.state.version,
                   articles=update.state.totals.articles, quotes=update.state.totals.quotes)
        if update.split_into:
            kept = next(s for s in [update.state, *update.extra_states] if s.delta.articles_removed)
            bound.info("story.split", story_id=kept.story_id, new_story_id=update.split_into,
                       moved=kept.delta.articles_removed, kept=kept.totals.articles)
        for target, moved in update.rehomed.items():
            bound.info("story.rehomed", story_id=update.story_id, to_story_id=target, moved=moved)
        if update.merged_from:
            bound.info("story.merged", story_id=update.story_id, merged_story_id=update.merged_from,
                       moved=update.state.delta.articles_moved_in, articles=update.state.totals.articles)

    # ------------------------------------------------------------ settling
    def settle_mark(self) -> int:
        """How many merged articles wait to be settled: call before the producer flush, and
        ``settle`` that many after it (later ones were not covered by the flush)."""
        return len(self.unsettled)

    def settle(self, batch: int) -> None:
        """Drop the pending halves of the first ``batch`` merged articles (their records are on
        the broker)."""
        for article_id, content_hash in self.unsettled[:batch]:
            entry = self.pending.get(article_id)
            if not entry or content_hash not in entry:
                continue
            rest = {k: v for k, v in entry.items() if k != content_hash}
            if rest:
                self.pending[article_id] = rest
            else:
                del self.pending[article_id]
        del self.unsettled[:batch]

    # ------------------------------------------------------------ expiry of lone halves
    def expire_pending(self, max_age_seconds: float) -> list[Expired]:
        """Drop the pending halves whose twin has not come within ``max_age_seconds`` (wall
        clock) and return them, for a dead letter each naming what never arrived.  Halves of
        merged articles (waiting to be settled) are left to ``settle``; a half stored before
        arrival times were kept is given the current time."""
        if not self.restored:
            return []
        now = self.clock()
        waiting = set(self.unsettled)
        out: list[Expired] = []
        for aid, entry in list(self.pending.items()):
            if not entry:
                continue
            keep, changed = {}, False
            for chash, halves in entry.items():
                since = halves.get(SINCE)
                if (aid, chash) in waiting:
                    keep[chash] = halves
                elif since is None:
                    keep[chash], changed = {**halves, SINCE: now.isoformat()}, True
                elif (now - datetime.fromisoformat(since)).total_seconds() > max_age_seconds:
                    out.append(Expired(aid, chash, since, {k: v for k, v in halves.items() if k in KINDS}))
                    changed = True
                else:
                    keep[chash] = halves
            if not changed:
                continue
            if keep:
                self.pending[aid] = keep
            else:
                del self.pending[aid]
        for x in out:
            self.log.warning("article.half_expired", article_id=x.article_id, content_hash=x.content_hash,
                             arrived=sorted(x.halves), missing=x.missing, since=x.since)
        return out

    # ------------------------------------------------------------ closing
    def close_idle(self) -> list[Update]:
        """Close stories idle (in event time) beyond the engine's ``close_after_seconds``:
        persist and publish their closed state (the engine drops them from memory)."""
        if not self.restored:
            return []
        updates = self.engine.expire_updates(self.clock())
        for update in updates:
            self.stories[update.story_id] = update.story_record
            self.publish(update.state)
            self.log.info("story.closed", story_id=update.story_id, version=update.state.version)
        return updates
