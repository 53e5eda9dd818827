"""Persisted records: JSON round trip, the record version, and tables of the first layout."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.members import assemble
from services.aggregator.records import RECORD_VERSION, ArticleRecord, RecordVersionError, StoryRecord, persisted_order
from tests.unit.aggregator.test_helpers import T0, flood, quake, quote

# tables written by the aggregator before typed records (short keys: sig, meta, keys/tw, ents/w/t/n/ty,
# d0, pub): f1 (quoting the mayor) and f2 in a flood story, closed when q1 came five hours later
V1 = Path(__file__).resolve().parent / "data" / "records_v1.json"
Q1 = quote("We will move every family out of the valley before the river crests tonight.", "Ada Brennor",
           role="mayor")


def _live():
    """The engine that wrote the V1 tables, as this code runs it (and its tables)."""
    eng = StoryEngine(EngineConfig(close_after_seconds=3600))
    stories, articles = {}, {}
    for q, e in [flood("f1", 0, [Q1]), flood("f2", 0.5), quake("q1", 5)]:
        u = eng.process(q, e, T0)
        stories[u.story_id] = u.story_record
        articles[e.article.article_id] = u.article_record
    for u in eng.expire_updates(T0):
        stories[u.story_id] = u.story_record
    return eng, stories, articles


def test_records_survive_a_json_round_trip_and_carry_their_version():
    _, stories, articles = _live()
    assert {s["record_version"] for s in [*stories.values(), *articles.values()]} == {RECORD_VERSION}
    recs = {a: ArticleRecord.from_json(json.loads(json.dumps(d))) for a, d in articles.items()}
    for d in articles.values():
        assert recs[d["article_id"]].to_json(order=persisted_order(d)) == d
    for d in stories.values():          # a head, given its members from their article records
        story = StoryRecord.from_json(json.loads(json.dumps(d)))
        assemble(story, [r for r in recs.values() if r.story_id == d["story_id"]],
                 {a: persisted_order(articles[a]) for a in recs})
        assert story.to_json() == d
    closed = [d for d in stories.values() if d["status"] == "closed"]
    assert len(closed) == 1 and closed[0]["light"]["articles"] == 2 and closed[0]["members"] == 2


def test_tables_of_the_first_layout_restore_the_same_engine():
    old = json.loads(V1.read_text())
    assert all("record_version" not in d for d in [*old["stories"].values(), *old["articles"].values()])
    live, stories, articles = _live()
    for table, new in ((old["stories"], stories), (old["articles"], articles)):
        assert sorted(table) == sorted(new)
        for key, d in table.items():   # the same records, read from either layout
            if table is old["stories"]:     # (the whole story: its head is the one written now)
                assert StoryRecord.from_json(d).to_json() == new[key]
            else:                           # (its order is in the story record of the first layout)
                order = StoryRecord.from_json(old["stories"][new[key]["story_id"]]).articles[key].order
                assert ArticleRecord.from_json(d).to_json(order=order) == new[key]
    restored = StoryEngine(EngineConfig(close_after_seconds=3600))
    assert restored.restore(old["stories"].values(), old["articles"].values()) == []
    assert restored.assignments() == live.assignments()
    a, b = live.process(*flood("f3", 6), T0), restored.process(*flood("f3", 6), T0)
    assert a.story_id == b.story_id and a.state.status == "open" and a.state.totals.articles == 3
    assert a.state.model_dump() == b.state.model_dump()
    assert a.story_record == b.story_record


def test_a_record_of_an_unknown_version_is_refused_clearly():
    _, stories, articles = _live()
    story = {**next(iter(stories.values())), "record_version": RECORD_VERSION + 1}
    with pytest.raises(RecordVersionError, match=f"record_version {RECORD_VERSION + 1}"):
        StoryRecord.from_json(story)
    with pytest.raises(RecordVersionError, match="'f1'"):
        ArticleRecord.from_json({**articles["f1"], "record_version": 99})


def test_a_story_head_does_not_grow_with_its_members():
    """The story record an update writes (a version-3 head) weighs the same at 10 and at 1,000
    members (before version 3 it was the whole story: ~1.6 KB more per member), and so does the
    article record.  The head's counters (version, sequence, member count) are the only parts
    whose length changes: a digit each per power of ten."""
    import random
    from datetime import datetime, timezone

    from bench.changelog import synthetic_article
    rng, eng = random.Random(19), StoryEngine()
    base = datetime(2031, 5, 1, tzinfo=timezone.utc)
    sizes = {}
    for i in range(1000):
        up = eng.process(*synthetic_article(i, rng, base), base)
        if i + 1 in (10, 1000):
            assert up.story_record["members"] == i + 1 and not up.extra_records and not up.extra_articles
            sizes[i + 1] = (len(json.dumps(up.story_record)), len(json.dumps(up.article_record)))
    (head10, art10), (head1000, art1000) = sizes[10], sizes[1000]
    assert head1000 - head10 <= 3 * 3          # version, seq, members: at most 3 more digits each
    assert abs(art1000 - art10) <= 0.2 * art10  # the article's own content (its words vary)
    assert eng.view(up.story_id).full_json() and len(json.dumps(eng.view(up.story_id).full_json())) > 100 * head1000
