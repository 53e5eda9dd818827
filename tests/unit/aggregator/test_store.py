"""The record store: records read back from the tables are copies; a missing member is noticed."""
from __future__ import annotations

from services.aggregator.records import StoryRecord
from services.aggregator.store import RecordStore
from tests.unit.aggregator.test_helpers import flood, run


def test_records_come_back_from_the_tables_as_copies():
    _, ups = run([flood("f1"), flood("f2", 1)])
    table = {ups[-1].story_id: ups[-1].story_record}
    articles = {u.article_record["article_id"]: u.article_record for u in ups}
    store = RecordStore()
    store.story_loader, store.article_loader = table.get, articles.get
    story = store.load_story(ups[-1].story_id)
    assert isinstance(story, StoryRecord) and sorted(story.articles) == ["f1", "f2"]
    story.entities.clear()
    story.articles.pop("f1")
    assert table[story.story_id]["entities"] and "f1" in table[story.story_id]["articles"]
    assert sorted(store.member_records(store.load_story(ups[-1].story_id))) == ["f1", "f2"]
    del articles["f2"]
    assert store.member_records(store.load_story(ups[-1].story_id)) is None
    assert store.load_story("st-none") is None and store.stored_article("nope") is None
    store.place(store.stored_article("f1"))
    assert store.seen["f1"] == (articles["f1"]["content_hash"], ups[-1].story_id)
