"""Story records recomputed from their members' article records: restore() repairs a story record
left inconsistent by a kill between the two table writes (members.from_tables)."""
from __future__ import annotations

import copy

from services.aggregator.engine import StoryEngine
from tests.unit.aggregator.test_helpers import T0, flood, fragmented, split_run


def _run(ids):
    eng = StoryEngine()
    stories, articles = {}, {}
    for i, aid in enumerate(ids):
        q, e = flood(aid, hours=i)
        upd = eng.process(q, e, T0)
        stories[upd.story_id] = copy.deepcopy(upd.story_record)
        articles[aid] = copy.deepcopy(upd.article_record)
    return eng, stories, articles


def _counts(story):
    """A story's (in memory) entity aggregate, members and quote groups."""
    return ({k: v for k, v in sorted(story.entities.items())}, sorted(story.articles),
            sorted((g["quote_id"], len(g["variants"])) for g in story.quotes))


def test_story_counted_an_article_whose_record_was_lost():
    eng2, stories2, articles2 = _run(["a1", "a2"])
    eng3, stories3, articles3 = _run(["a1", "a2", "a3"])
    sid = next(iter(stories3))
    articles3.pop("a3")  # the kill: story record written, article record not
    eng = StoryEngine()
    repaired = eng.restore(stories3.values(), articles3.values())
    assert [r["story_id"] for r in repaired] == [sid] and repaired[0]["members"] == 2
    assert _counts(eng.stories[sid]) == _counts(eng2.stories[sid])
    # the re-delivered article is then merged exactly once
    q, e = flood("a3", hours=2)
    upd = eng.process(q, e, T0)
    assert upd is not None and _counts(eng.stories[sid]) == _counts(eng3.stories[sid])


def test_article_recorded_but_story_record_stale():
    _, stories2, _ = _run(["a1", "a2"])
    eng3, stories3, articles3 = _run(["a1", "a2", "a3"])
    sid = next(iter(stories3))
    eng = StoryEngine()
    repaired = eng.restore(stories2.values(), articles3.values())  # story write lost, article write kept
    assert [r["story_id"] for r in repaired] == [sid] and repaired[0]["members"] == 3
    assert _counts(eng.stories[sid]) == _counts(eng3.stories[sid])
    q, e = flood("a3", hours=2)
    assert eng.process(q, e, T0) is None, "already merged: a re-delivery changes nothing"


def test_consistent_tables_need_no_repair():
    _, stories, articles = _run(["a1", "a2", "a3"])
    assert StoryEngine().restore(stories.values(), articles.values()) == []


def test_a_split_half_written_is_rebuilt_from_the_article_records():
    arts, stories, articles, split = split_run()
    # the kill: the moved article records reached the table, neither story record did
    for rec in [split.article_record, *split.extra_articles]:
        articles[rec["article_id"]] = copy.deepcopy(rec)
    eng = StoryEngine()
    repaired = eng.restore(stories.values(), articles.values())
    assert {r["story_id"] for r in repaired} == {split.story_id, next(iter(stories))}
    new = next(r for r in repaired if r["story_id"] == split.split_into)
    assert sorted(eng.stories[new["story_id"]].articles) == ["b1", "b2", "b3", "b4"] and new["status"] == "open"
    assert sorted(eng.assignments().items()) == sorted((a, r["story_id"]) for a, r in articles.items())


def test_a_merge_half_written_is_undone_and_redone_by_the_redelivered_article():
    eng, ups, arts = fragmented()
    stories, articles = {}, {}
    for u in ups[:3]:
        stories[u.story_id] = copy.deepcopy(u.story_record)
        articles[u.article_record["article_id"]] = copy.deepcopy(u.article_record)
    merge = ups[3]
    assert merge.merged_from
    stories[merge.story_id] = copy.deepcopy(merge.story_record)      # the kill: story records written,
    for rec in merge.extra_records:                                    # article records not
        stories[rec["story_id"]] = copy.deepcopy(rec)
    fresh = StoryEngine()
    repaired = {r["story_id"]: r for r in fresh.restore(stories.values(), articles.values())}
    assert set(repaired) == {merge.story_id, merge.merged_from}
    assert sorted(fresh.stories[merge.story_id].articles) == ["a1", "a2"]
    back = repaired[merge.merged_from]              # the emptied story is whole and open again
    assert sorted(fresh.stories[merge.merged_from].articles) == ["b1"]
    assert back["members"] == 1 and back["status"] == "open" and "merged_into" not in back
    assert fresh.assignments() == {"a1": merge.story_id, "a2": merge.story_id, "b1": merge.merged_from}
    q, e = arts[3]                                  # b2 re-delivered: joins a story, and the merge is redone
    u = fresh.process(q, e, T0)
    assert u.merged_from == merge.merged_from and u.story_id == merge.story_id
    assert set(fresh.assignments().values()) == {merge.story_id}
