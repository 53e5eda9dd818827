"""A dated stream of 2,298 articles over five years, with closing on, through the aggregator's
durability protocol (dict tables, no Kafka): 0 articles dead-lettered, every article in exactly
one story, every index consistent, and stories closed, reopened, split and re-homed on the way
(issue 19, "done when", unit level).

The stream is built by ``tests/dated_stream.py``: ``news_cluster.jsonl`` six times under new ids
and content hashes, copy ``c`` shifted by ``c * 20`` days.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from services.aggregator.durability import Durability
from services.aggregator.engine import StoryEngine
from tests.dated_stream import NEWS, extraction_stream

NOW = datetime(2020, 1, 1, tzinfo=timezone.utc)    # the wall clock: after every shifted date


def test_a_dated_stream_over_years_loses_nothing_and_places_every_article_once():
    assert NEWS.exists(), f"news_cluster.jsonl is missing: {NEWS} (../shared beside the repository)"
    items = extraction_stream()
    span = items[-1][1].article.published - items[0][1].article.published
    assert len(items) >= 2000 and span >= timedelta(days=60)
    stories, articles, pending, letters = {}, {}, {}, []
    d = Durability(StoryEngine(), stories, articles, pending, lambda state: None, clock=lambda: NOW)
    d.restore({})
    kinds: Counter = Counter()
    closed: set[str] = set()
    for n, (q, e) in enumerate(items, 1):
        d.receive("entities", e, letters.append)
        up = d.receive("quotes", q, letters.append)
        if up is not None:
            kinds["split"] += up.split_into is not None
            kinds["merge"] += up.merged_from is not None
            kinds["rehomed"] += bool(up.rehomed)
            kinds["reopened"] += up.story_id in closed
            closed.discard(up.story_id)
        for c in d.close_idle():
            closed.add(c.story_id)
            kinds["closed"] += 1
        if n % 250 == 0:
            assert d.engine.index.consistency_errors() == [], n
        d.settle(d.settle_mark())
    assert letters == []                                       # 0 dead letters among valid articles
    assert pending == {}
    fed = [e.article.article_id for _, e in items]
    # each in exactly one story: the open stories' members (in memory) and the closed stories'
    # (their heads list them), each with its article record naming that story
    held = {sid: set(st.articles) for sid, st in d.engine.stories.items()}
    held.update((sid, set(rec["member_order"])) for sid, rec in stories.items() if rec["status"] == "closed")
    members = Counter(a for ids in held.values() for a in ids)
    assert sorted(members) == sorted(fed) and set(members.values()) == {1}
    assert all(articles[a]["story_id"] in stories and a in held[articles[a]["story_id"]] for a in fed)
    assert all(stories[sid]["members"] == len(ids) for sid, ids in held.items())
    assert d.engine.index.consistency_errors() == []
    # what the stream went through: closing and reopening, re-homing, and at least one split or
    # merge (which of the two depends on the extraction: with the extracted quotes and entities of
    # 2026-12-06 one merge and no split; each is also covered by test_regroup)
    assert all(kinds[k] > 0 for k in ("closed", "reopened", "rehomed")), kinds
    assert kinds["split"] + kinds["merge"] > 0, kinds
    # a restart from the tables rebuilds a consistent engine: the same open stories, the same
    # index (signatures, closed stories inside the reopen window, document frequencies)
    again = Durability(StoryEngine(), dict(stories), dict(articles), {}, lambda state: None, clock=lambda: NOW)
    again.restore({})
    live, back = d.engine.index, again.engine.index
    assert back.consistency_errors() == []
    assert set(again.engine.stories) == set(d.engine.stories)
    # the open stories' members and aggregates, rebuilt from the article records, equal the live ones
    assert ({k: v.full_json() for k, v in again.engine.stories.items()}
            == {k: v.full_json() for k, v in d.engine.stories.items()})
    assert {k: v.to_json() for k, v in back.sigs.items()} == {k: v.to_json() for k, v in live.sigs.items()}
    assert back.closed == live.closed and back.n_docs == live.n_docs
    assert +back.df_ents == +live.df_ents and +back.df_terms == +live.df_terms
    print(f"\n{len(items)} articles over {span.days} days: {len(members)} placed, "
          f"{sum(1 for r in stories.values() if r['members'])} stories, {dict(kinds)}")
