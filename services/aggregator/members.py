"""A story's members: each article's contribution to its story (its article record), added or
removed without drift, a story recomputed from its members' records, and a persisted story
(a version-3 head: :mod:`records`) given back its members and aggregates."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Mapping, Optional

from schemas.models import ArticleEntities, ArticleQuotes

from services.aggregator import entities as en
from services.aggregator import quotes as qu
from services.aggregator.index import StoryIndex
from services.aggregator.records import ArticleRecord, Member, StoryRecord, is_head, member_digest
from services.aggregator.signature import ArticleSignature, StorySignature
from services.aggregator.state import central_article


def utc(dt: Optional[datetime]) -> Optional[datetime]:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def iso(dt: Optional[datetime]) -> Optional[str]:
    return utc(dt).isoformat() if dt is not None else None


def latest(times: Iterable[str]) -> str:
    """The latest of ISO times (compared as times, not as text)."""
    return max(times, key=datetime.fromisoformat)


def blank_story(sid: str, status: str, now: datetime, event: datetime) -> StoryRecord:
    """A story record with no article yet."""
    return StoryRecord(story_id=sid, status=status, created_at=iso(now), updated_at=iso(now), event_time=iso(event))


def article_record(aid: str, chash: str, sid: str, first_seen: str, event: datetime, quotes: ArticleQuotes,
                   entities: ArticleEntities, sig: ArticleSignature, story: StoryRecord) -> ArticleRecord:
    """The article's contribution to ``story`` (whose sequence numbers its quote variants take)."""
    m = entities.article
    variants = qu.article_variants(aid, quotes.quotes, first_seen, story.seq)
    story.seq += len(quotes.quotes)
    return ArticleRecord(article_id=aid, story_id=sid, content_hash=chash, first_seen=first_seen,
                         event_time=iso(event), title=m.title, outlet=m.outlet, url=m.url,
                         published=iso(m.published), lead=entities.lead,
                         entities=en.article_entities(entities), quotes=variants, signature=sig)


def add_member(story: StoryRecord, rec: ArticleRecord, order: Optional[int] = None) -> None:
    """Add an article's contribution to its story (``order``: the one it joined with, when a
    persisted story is assembled; else it joins now and takes the next sequence number)."""
    aid = rec.article_id
    if order is None:
        story.seq += 1
        order = story.seq
    story.articles[aid] = Member(title=rec.title, outlet=rec.outlet, url=rec.url, published=rec.published,
                                 first_seen=rec.first_seen, lead=rec.lead, order=order,
                                 event_time=rec.event_time, entity_keys=sorted(rec.signature.entities),
                                 title_words=rec.signature.title)
    en.add_entities(story.entities, rec.entities, aid, +1)
    story.signature.add(rec.signature, +1)
    for v in rec.quotes:
        qu.add_variant(story.quotes, dict(v))


def remove_member(story: StoryRecord, rec: ArticleRecord) -> None:
    """Subtract exactly what :func:`add_member` added (the central article and event time follow)."""
    aid = rec.article_id
    story.articles.pop(aid, None)
    en.add_entities(story.entities, rec.entities, aid, -1)
    story.signature.add(rec.signature, -1)
    story.quotes = qu.remove_article(story.quotes, aid)
    story.central = central_article(story)
    times = [a.event_time for a in story.articles.values()]
    if times:
        story.event_time = latest(times)


def rebuild(story: StoryRecord, recs: list[ArticleRecord]) -> None:
    """Recompute a story's aggregates from its member records (in this order; no records: an
    empty story that keeps its event time)."""
    qu.forget(story.quotes)
    story.articles, story.entities, story.quotes, story.signature = {}, {}, [], StorySignature()
    for rec in recs:
        add_member(story, rec)
    if recs:
        story.event_time = latest(r.event_time for r in recs)
    story.central = central_article(story)


def assemble(story: StoryRecord, recs: Iterable[ArticleRecord], orders: Mapping[str, int]) -> None:
    """Give a persisted head (:meth:`StoryRecord.from_json` of version 3) its members and
    aggregates: its members' contributions added in the order they joined (``orders``: article
    id -> ``Member.order``), the same additions in the same order as the live story made (its
    central article, event time and sequence number are the head's)."""
    story.articles, story.entities, story.quotes, story.signature = {}, {}, [], StorySignature()
    for rec in sorted(recs, key=lambda r: (orders[r.article_id], r.article_id)):
        add_member(story, rec, orders[rec.article_id])


def index_open(index: StoryIndex, story: StoryRecord) -> None:
    """Post an open story to the index: its signature, and its members for the best-member term."""
    index.put(story.story_id, story.signature,
              members=[(a.entity_keys, a.title_words) for a in story.articles.values()])


def in_order(recs: list[ArticleRecord]) -> list[ArticleRecord]:
    """Article records in the order they were first seen."""
    return sorted(recs, key=lambda r: (r.first_seen, r.article_id))


def _agrees(d: Mapping, recs: list[ArticleRecord], orders: Mapping[str, Optional[int]]) -> bool:
    """Whether a head (JSON) and the article records naming its story agree: the same members
    (closed: the ones it lists; open: its count and digest), each with its order persisted."""
    ids = {r.article_id for r in recs}
    if d["status"] == "closed" and "member_order" in d:
        return set(d["member_order"]) == ids
    return (d.get("members") == len(ids) and d.get("digest") == member_digest(ids)
            and all(orders.get(a) is not None for a in ids))


def from_tables(stories: Iterable[Mapping], articles: list[ArticleRecord], orders: Mapping[str, Optional[int]]
                ) -> tuple[list[StoryRecord], list[StoryRecord]]:
    """Story records from their JSON (any version) and the article records naming them, made
    to agree with those: ``(every story, the repaired ones)``.  ``orders``: article id -> the
    order its record was written with (:func:`records.persisted_order`).

    The two tables are written one after the other, so a worker killed in between can leave a
    story record that disagrees with the article records (an article counted in the story but
    not recorded as merged, or the reverse).  The article records are the source of truth:
    such a story is recomputed from its members' contributions (and ``legacy``: their records
    are rewritten with their new order at its next open write)."""
    members: dict[str, list[ArticleRecord]] = {}
    for a in articles:
        members.setdefault(a.story_id, []).append(a)
    repaired, out = [], []
    for d in stories:
        st = StoryRecord.from_json(d)
        recs = members.get(st.story_id, [])
        if is_head(d):
            if _agrees(d, recs, orders):
                listed = d.get("member_order")      # (a closed head's: its records may lack their order)
                assemble(st, recs, listed or orders)
                st.legacy = bool(listed) and any(orders.get(a) != o for a, o in listed.items())
                out.append(st)
                continue
        elif set(st.articles) == {r.article_id for r in recs}:
            out.append(st)
            continue
        fixed = st.copy()
        fixed.legacy = True
        if recs and fixed.merged_into:
            fixed.merged_into = None
            fixed.status = "open"    # a merge whose article records were never written
        rebuild(fixed, in_order(recs))
        fixed.seq += 1
        out.append(fixed)
        repaired.append(fixed)
    known = {st.story_id for st in out}
    for sid in sorted(set(members) - known):
        # article records naming a story whose record never reached the table (a kill
        # between the writes of a split or of a new story): the story is rebuilt from them
        recs = in_order(members[sid])
        first = datetime.fromisoformat(recs[0].first_seen)
        fixed = blank_story(sid, "open", first, first)
        rebuild(fixed, recs)
        fixed.version = 1
        fixed.legacy = True
        out.append(fixed)
        repaired.append(fixed)
    return out, repaired
