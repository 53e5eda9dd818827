"""The record store: records read back from the tables are copies (a closed story's head given its
members from their article records); a missing member is noticed."""
from __future__ import annotations

from services.aggregator.records import StoryRecord
from services.aggregator.store import RecordStore
from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import T0, flood, quake, run


def test_records_come_back_from_the_tables_as_copies():
    eng, ups = run([flood("f1"), flood("f2", 1), quake("q1", 9)], StoryEngine(EngineConfig(close_after_seconds=3600)))
    ups = ups[:2] + [u for u in eng.expire_updates(T0) if u.story_id == ups[0].story_id]
    table = {ups[-1].story_id: ups[-1].story_record}
    articles = {u.article_record["article_id"]: u.article_record for u in ups if u.article_record}
    store = RecordStore()
    store.story_loader, store.article_loader = table.get, articles.get
    story = store.load_story(ups[-1].story_id)
    assert isinstance(story, StoryRecord) and sorted(story.articles) == ["f1", "f2"]
    story.entities.clear()
    story.articles.pop("f1")
    assert "f1" in table[story.story_id]["member_order"] and story.entities == {}
    assert store.load_story(ups[-1].story_id).entities
    assert sorted(store.member_records(store.load_story(ups[-1].story_id))) == ["f1", "f2"]
    story = store.load_story(ups[-1].story_id)
    del articles["f2"]
    assert store.member_records(story) is None
    assert sorted(store.load_story(ups[-1].story_id).articles) == ["f1"]     # the article records decide
    assert store.load_story("st-none") is None and store.stored_article("nope") is None
    store.place(store.stored_article("f1"))
    assert store.seen["f1"] == (articles["f1"]["content_hash"], ups[-1].story_id)
