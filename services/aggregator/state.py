"""Render a story record (:class:`records.StoryRecord`) as a ``StoryState``."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Optional

from schemas.models import (StoryArticle, StoryDelta, StorySpeaker, StoryState, StoryTotals)

from services.aggregator.caps import DEFAULT_CAPS, StateCaps, oldest_and_newest
from services.aggregator.entities import merged_entities, story_entities
from services.aggregator.quotes import group_speaker, speakers_compatible, story_quote
from services.aggregator.records import StoryRecord


def central_article(record: StoryRecord) -> Optional[str]:
    """The article closest to the story as a whole: its salient entities and title words
    are the ones most of the story's articles share (ties: the earliest)."""
    arts = record.articles
    if not arts:
        return None
    sig = record.signature
    n = max(1, sig.articles)
    ent_share = {k: e.articles / n for k, e in sig.entities.items()}
    title_share = {w: c / n for w, c in sig.title.items()}
    best, best_s = None, -1.0
    for aid, a in arts.items():
        feats = [ent_share.get(k, 0.0) for k in a.entity_keys] + [title_share.get(w, 0.0) for w in a.title_words]
        s = sum(feats) / math.sqrt(len(feats)) if feats else 0.0
        if s > best_s + 1e-12:
            best, best_s = aid, s
    return best


def speakers(groups: list[dict]) -> list[dict]:
    """Who is quoted: short names folded into a compatible fuller name."""
    by: dict[str, dict] = {}
    for g in groups:
        name = group_speaker(g)
        if not name:
            continue
        # a name without a usable entity key (punctuation, stop words) is still a speaker
        key = next(v["speaker_key"] for v in g["variants"] if v["speaker"] == name) or " ".join(name.casefold().split())
        rec = by.setdefault(key, {"names": {}, "roles": {}, "quotes": 0, "articles": set()})
        rec["names"][name] = rec["names"].get(name, 0) + 1
        rec["quotes"] += 1
        for v in g["variants"]:
            if v["speaker"]:
                rec["articles"].add(v["article_id"])
            if v.get("role"):
                rec["roles"][v["role"]] = rec["roles"].get(v["role"], 0) + 1
    # fold "Brennor" into "Ada Brennor" when exactly one fuller compatible key exists
    for k in sorted(by, key=lambda k: len(k.split())):
        fuller = [o for o in by if o != k and len(o.split()) > len(k.split()) and speakers_compatible(k, o)]
        if len(fuller) == 1:
            src, dst = by.pop(k), by[fuller[0]]
            dst["quotes"] += src["quotes"]
            dst["articles"] |= src["articles"]
            for r, c in src["roles"].items():
                dst["roles"][r] = dst["roles"].get(r, 0) + c
    # the name shown: chosen like a quote's speaker (fullest, then most quoted, then by spelling),
    # never by which quote came first, so the state does not depend on the order articles arrived
    out = [{"key": k, "name": max(r["names"], key=lambda n: (len(n.split()), r["names"][n], n)),
            "roles": sorted(r["roles"], key=lambda x: -r["roles"][x]), "quotes": r["quotes"], "articles": len(r["articles"])} for k, r in by.items()]
    out.sort(key=lambda s: (-s["quotes"], -s["articles"], s["name"]))
    return out


def member_ids(record: StoryRecord, cap: int) -> list[str]:
    """The member ids a state lists (sorted): all of them up to ``cap``, else the oldest and the
    newest by the order they joined (``caps.oldest_and_newest``)."""
    arts = record.articles
    if len(arts) <= cap:
        return sorted(arts)
    ranked = sorted(arts, key=lambda a: (arts[a].order, a))
    return sorted(oldest_and_newest(ranked, cap))


def render(record: StoryRecord, max_items: int, delta: Optional[dict] = None,
           names_out: Optional[set] = None, caps: StateCaps = DEFAULT_CAPS) -> StoryState:
    """The story state; ``names_out`` (if given) receives the names of ALL merged entities.
    Lists are capped (``max_items``, ``caps``); ``totals`` and the quotes' totals are true."""
    arts = record.articles
    central = record.central or central_article(record)
    head = arts.get(central) if central else None
    spk = speakers(record.quotes)
    ents = story_entities(record.entities, [s["key"] for s in spk])
    if names_out is not None:
        names_out.update(e.name for e in ents)
    quotes = sorted(record.quotes, key=lambda g: (-len({v["article_id"] for v in g["variants"]}),
                                                  g["first_seen"], g["quote_id"]))
    newest = sorted(arts.items(), key=lambda kv: (kv[1].first_seen, kv[1].order), reverse=True)
    outlets = sorted({a.outlet for a in arts.values() if a.outlet})
    return StoryState(
        story_id=record.story_id, version=record.version, status=record.status,
        merged_into=record.merged_into,
        created_at=datetime.fromisoformat(record.created_at),
        updated_at=datetime.fromisoformat(record.updated_at),
        headline=head.title if head else "", summary=head.lead if head else "",
        articles=[StoryArticle(article_id=aid, title=a.title, outlet=a.outlet, url=a.url,
                               published=a.published, first_seen=a.first_seen)
                  for aid, a in newest[:max_items]],
        article_ids=member_ids(record, caps.member_ids),
        outlets=outlets[:max_items],
        entities=ents[:max_items],
        speakers=[StorySpeaker(name=s["name"], roles=s["roles"], quotes=s["quotes"], articles=s["articles"])
                  for s in spk[:max_items]],
        quotes=[story_quote(g, caps) for g in quotes[:max_items]],
        totals=StoryTotals(articles=len(arts), quotes=len(record.quotes), entities=len(ents),
                           speakers=len(spk)),
        delta=StoryDelta(**(delta or {})),
    )


def entity_names(record: StoryRecord) -> set[str]:
    """Names of the story's merged entities (for the delta)."""
    return {e["name"] for e in merged_entities(record.entities)}
