"""Splits, merges and re-homing carried out on the records."""
from __future__ import annotations

import json

from services.aggregator.engine import StoryEngine
from tests.unit.aggregator.test_helpers import (P, T0, close_enough, coach_fired, coach_hired, forced, fragmented,
                                                mixed_coaches, recompute, run, tables_of)


def test_a_story_holding_two_events_is_split_once_each_side_has_enough_articles():
    arts = mixed_coaches()
    eng, ups = run(arts)
    assert ups[1].story_id == ups[0].story_id          # the mix happens
    splits = [u for u in ups if u.split_into]
    assert len(splits) == 1
    u = splits[0]
    assert u is ups[7]                                   # as soon as each side has SPLIT_MIN_SIDE (4)
    kept, new = ({s.story_id: s for s in [u.state, *u.extra_states]}[sid] for sid in (ups[0].story_id, u.split_into))
    assert kept.delta.articles_removed == ["b1", "b2", "b3", "b4"] == new.article_ids
    assert new.delta.articles_added == ["b4"] and new.delta.articles_moved_in == ["b1", "b2", "b3"]
    assert kept.article_ids == ["a1", "a2", "a3", "a4"] and kept.version == 8 and new.version == 1
    moved = {r["article_id"]: r["story_id"] for r in u.extra_articles if r["story_id"] == new.story_id}
    assert moved == dict.fromkeys(["b1", "b2", "b3"], new.story_id)
    # the staying side's records too: the split renumbers its members (their order is in them)
    staying = {r["article_id"]: r["order"] for r in u.extra_articles if r["story_id"] == kept.story_id}
    assert staying == {a: m.order for a, m in eng.stories[kept.story_id].articles.items() if a in staying}
    assert sorted(staying) == ["a1", "a2", "a3", "a4"]
    assert u.article_record["story_id"] == new.story_id      # the arriving article moved too
    new_names, kept_names = ({e.name for e in s.entities} for s in (new, kept))
    assert "Tomas Reyd" in new_names - kept_names and "Dale Ortz" in kept_names - new_names
    # later reports of each event go to their own story
    final = eng.assignments()
    assert {final[a] for a in ("a1", "a2", "a3", "a4", "a5")} == {ups[0].story_id}
    assert {final[a] for a in ("b1", "b2", "b3", "b4", "b5")} == {u.split_into}
    # a replay splits the same way; re-delivered articles change nothing
    _, again = run(arts)
    assert [(x.story_id, x.split_into) for x in again] == [(x.story_id, x.split_into) for x in ups]
    assert eng.process(*arts[1], T0) is None


def test_records_after_a_split_restore_the_same_stories():
    eng, _ = run(mixed_coaches())
    stories, articles = tables_of(eng)
    fresh = StoryEngine()
    assert fresh.restore(stories, articles) == []       # every story record agrees with its articles
    assert fresh.assignments() == eng.assignments()
    u = fresh.process(*coach_hired("b9", 1, hours=20), T0)
    assert u.story_id == eng.assignments()["b1"]


def test_one_event_in_many_wordings_is_not_split():
    arts = [coach_fired(f"a{i}", i, hours=i) for i in range(12)]
    eng, ups = run(arts)
    assert not any(u.split_into for u in ups)
    assert len(set(eng.assignments().values())) == 1


def test_a_story_with_a_core_keeps_a_look_alike_event_out_without_a_split():
    """Why checks stop at SPLIT_MAX_MEMBERS: once a story has a core, the conflict penalty
    keeps the other event's reports out at placement."""
    big = [coach_fired(f"a{i}", i, hours=i) for i in range(P.split_max_members)]
    late = [coach_hired(f"b{i}", i, hours=30 + i) for i in range(6)]
    eng, ups = run(big + late)
    assert not any(u.split_into for u in ups)
    final = eng.assignments()
    assert len({final[f"a{i}"] for i in range(len(big))}) == 1
    assert {final[f"b{i}"] for i in range(len(late))} == {ups[-1].story_id} != {final["a0"]}


def test_two_stories_of_one_event_merge_when_an_article_bridges_them():
    eng, ups, arts = fragmented()
    first, second = ups[0].story_id, ups[2].story_id
    assert first != second and ups[1].story_id == first          # the event started two stories
    assert not ups[2].merged_from                                # (a one-article story: no merge)
    merges = [u for u in ups if u.merged_from]
    assert len(merges) == 1 and merges[0] is ups[3]              # b2 bridges them
    u = ups[3]
    kept, gone = u.state, u.extra_states[0]
    assert (kept.story_id, gone.story_id, u.merged_from) == (first, second, second)   # the older keeps its id
    assert kept.article_ids == ["a1", "a2", "b1", "b2"] and kept.merged_into is None
    assert gone.article_ids == [] and gone.status == "closed" and gone.merged_into == first
    assert kept.delta.articles_added == ["b2"] and kept.delta.articles_moved_in == ["b1"]
    assert gone.delta.articles_removed == ["b1"]                 # its members as last published
    assert [r["article_id"] for r in u.extra_articles] == ["b1"]
    assert all(r["story_id"] == first for r in [*u.extra_articles, u.article_record])
    assert u.state.article_ids == ["a1", "a2", "b1", "b2"] and u.story_record["members"] == 4
    assert u.extra_records[0]["members"] == 0 and u.extra_records[0]["member_order"] == {}
    assert ups[4].story_id == first and set(eng.assignments().values()) == {first}
    # a re-delivered article changes nothing; a replay merges the same way
    assert eng.process(*arts[-1], T0) is None
    _, again, _ = fragmented()
    assert [(x.story_id, x.merged_from) for x in again] == [(x.story_id, x.merged_from) for x in ups]


def test_records_after_a_merge_restore_the_same_stories():
    eng, _, _ = fragmented()
    stories, articles = tables_of(eng, eng.store.cold_stories.values())
    fresh = StoryEngine()
    assert fresh.restore(stories, articles) == []
    assert fresh.assignments() == eng.assignments()
    assert fresh.process(*coach_fired("a9", 2, hours=6), T0).story_id == next(iter(set(eng.assignments().values())))


def _early(second):
    """a1, then b1 (forced to start a story of its own: in the wild, an early report that scored
    low against a one-article story), then more reports of a1's event."""
    arts = [coach_fired("a1", 0, hours=0), second("b1", 1, hours=1), coach_fired("a2", 2, hours=2),
            coach_fired("a3", 0, hours=3)]
    return forced(arts, {"b1": lambda ups: None})                     # (forced: a new story)


def test_an_early_report_left_alone_is_taken_in_once_its_story_grows():
    eng, ups = _early(coach_fired)
    assert ups[1].story_id != ups[0].story_id
    merges = [u for u in ups if u.merged_from]
    assert len(merges) == 1 and merges[0] is ups[2]        # a2 joins one of the two and takes in the other
    kept, gone = merges[0].state, merges[0].extra_states[0]
    assert {kept.story_id, gone.story_id} == {ups[0].story_id, ups[1].story_id}
    assert gone.merged_into == kept.story_id and gone.article_ids == [] and kept.article_ids == ["a1", "a2", "b1"]
    assert set(eng.assignments().values()) == {kept.story_id}
    # an early report of a sister event stays apart
    eng, ups = _early(coach_hired)
    assert not any(u.merged_from for u in ups)
    final = eng.assignments()
    assert final["a1"] == final["a2"] == final["a3"] != final["b1"]


def test_two_events_of_one_kind_are_never_merged():
    eng, ups, _ = fragmented(sister=True)
    assert not any(u.merged_from for u in ups)
    final = eng.assignments()
    assert final["a1"] == final["a3"] != final["b1"] == final["b2"]


def _misplaced(stray):
    """A coach-hired story (b1-b5), a coach-fired story (a1-a3), then ``stray`` (forced into the
    fired story: in the wild, a report that came before its own event's story had grown), then
    more fired reports (a4-a8) until the fired story is checked (at 8 articles)."""
    arts = ([coach_hired(f"b{i}", i, hours=i) for i in range(1, 6)]
            + [coach_fired(f"a{i}", i, hours=10 + i) for i in range(1, 4)]
            + [stray] + [coach_fired(f"a{i}", i, hours=20 + i) for i in range(4, 9)])
    return forced(arts, {stray[1].article.article_id: lambda ups: ups[5].story_id})


def _persisted(ups):
    """The tables as the agent writes them from the updates."""
    stories, articles = {}, {}
    for u in ups:
        stories[u.story_id] = u.story_record
        stories.update((r["story_id"], r) for r in u.extra_records)
        articles.update((r["article_id"], r) for r in u.extra_articles)
        articles[u.article_record["article_id"]] = u.article_record
    return json.loads(json.dumps(list(stories.values()))), json.loads(json.dumps(list(articles.values())))


def test_a_member_that_fits_another_story_better_moves_there():
    eng, ups = _misplaced(coach_hired("s", 0, hours=14))
    hired, fired = ups[0].story_id, ups[5].story_id
    assert ups[8].story_id == fired                           # the stray report, forced
    moving = [u for u in ups if u.rehomed]
    assert len(moving) == 1 and moving[0].rehomed == {hired: ["s"]}
    u = moving[0]
    assert u.story_id == fired and u.state.delta.articles_removed == ["s"]
    target = next(s for s in u.extra_states if s.story_id == hired)
    assert target.delta.articles_moved_in == ["s"] and target.delta.articles_added == []
    assert target.version == ups[4].state.version + 1
    assert [r["story_id"] for r in u.extra_articles if r["article_id"] == "s"] == [hired]
    final = eng.assignments()
    assert final["s"] == final["b1"] == hired and {final[f"a{i}"] for i in range(1, 9)} == {fired}
    for sid in (hired, fired):                                 # aggregates = their members' sums
        ents, sig = recompute(eng, sid)
        assert close_enough(ents, eng.stories[sid].entities) and close_enough(sig, eng.stories[sid].signature.to_json())
    fresh = StoryEngine()                                      # what the agent persisted restores it
    assert fresh.restore(*_persisted(ups)) == []
    assert fresh.assignments() == final


def test_a_member_of_its_own_event_stays():
    eng, ups = _misplaced(coach_fired("s", 0, hours=14))
    assert not any(u.rehomed for u in ups)
    final = eng.assignments()
    assert final["s"] == final["a1"] != final["b1"]
