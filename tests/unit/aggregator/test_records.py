"""Persisted records: JSON round trip, the record version, and tables of the first layout."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.records import RECORD_VERSION, ArticleRecord, RecordVersionError, StoryRecord
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
    for d in stories.values():
        assert StoryRecord.from_json(json.loads(json.dumps(d))).to_json() == d
    for d in articles.values():
        assert ArticleRecord.from_json(json.loads(json.dumps(d))).to_json() == d
    closed = [d for d in stories.values() if d["status"] == "closed"]
    assert len(closed) == 1 and closed[0]["light"]["articles"] == 2


def test_tables_of_the_first_layout_restore_the_same_engine():
    old = json.loads(V1.read_text())
    assert all("record_version" not in d for d in [*old["stories"].values(), *old["articles"].values()])
    live, stories, articles = _live()
    for table, new in ((old["stories"], stories), (old["articles"], articles)):
        assert sorted(table) == sorted(new)
        for key, d in table.items():   # the same records, read from either layout
            rec = (StoryRecord if table is old["stories"] else ArticleRecord).from_json(d)
            assert rec.to_json() == new[key]
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
