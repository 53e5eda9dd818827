"""StoryEngine: placement, idempotency, revisions, restore, re-stating."""
from __future__ import annotations

import json
import random
from datetime import timedelta

from schemas.models import StoryState
from services.aggregator.engine import StoryEngine
from tests.unit.aggregator.test_helpers import (Q1, Q1_PART, Q2, T0, article, close_enough, ent, flood, quake, quote,
                                                recompute, run, split_run)


def test_same_event_joins_and_different_event_splits():
    eng, ups = run([flood("f1", 0, [Q1]), quake("q1", 1), flood("f2", 2, [Q1_PART]), quake("q2", 3)])
    assert ups[0].story_id == ups[2].story_id
    assert ups[1].story_id == ups[3].story_id
    assert ups[0].story_id != ups[1].story_id
    st = ups[2].state
    assert isinstance(st, StoryState) and st.version == 2 and st.totals.articles == 2
    assert st.delta.articles_added == ["f2"] and st.delta.quotes_added == []
    assert len(st.quotes) == 1 and len(st.quotes[0].variants) == 2
    assert st.quotes[0].text == Q1.text
    assert st.speakers[0].name == "Ada Brennor" and st.speakers[0].roles == ["mayor"]
    assert st.entities[0].name == "Ada Brennor" and st.entities[0].quoted


def test_two_events_of_one_kind_with_different_people_and_places_split():
    other = article("f9", "River Tarn floods Eastholm as Mayor Piet Osland orders evacuation",
                    [ent("Piet Osland", n=3, in_title=True), ent("Eastholm", "GPE", n=4, in_title=True),
                     ent("River Tarn", "LOC", n=2, in_title=True)],
                    {"flood": 4, "river": 3, "rain": 2, "evacuate": 2, "village": 2, "water": 2, "rescue": 1})
    _, ups = run([flood("f1"), flood("f2", 1), other])
    assert ups[2].story_id != ups[0].story_id


def test_story_ids_are_deterministic():
    arts = [flood("f1"), quake("q1"), flood("f2")]
    _, a = run(arts)
    _, b = run(arts)
    assert [u.story_id for u in a] == [u.story_id for u in b]
    assert all(u.story_id.startswith("st-") for u in a)


def test_redelivery_changes_nothing():
    eng, ups = run([flood("f1", 0, [Q1])])
    rec = json.dumps(ups[0].story_record, sort_keys=True)
    assert eng.process(*flood("f1", 0, [Q1]), T0) is None
    assert json.dumps(eng.stories[ups[0].story_id].to_json(), sort_keys=True) == rec


def test_revision_replaces_contribution_in_place():
    eng, ups = run([flood("f1", 0, [Q1]), flood("f2", 1, [Q2])])
    sid = ups[0].story_id
    q, e = flood("f2", 1, [Q1_PART], revision="v2")
    up = eng.process(q, e, T0 + timedelta(hours=5))
    assert up.story_id == sid and up.moved_from is None
    assert up.state.version == 3 and up.state.totals.articles == 2
    assert [x.text for x in up.state.quotes] == [Q1.text]           # Q2 left with the old version
    first_seen = {a.article_id: a.first_seen for a in up.state.articles}
    assert first_seen["f2"] == T0                                    # first_seen survives revisions
    ents, sig = recompute(eng, sid)
    assert close_enough(ents, eng.stories[sid].entities) and close_enough(sig, eng.stories[sid].signature.to_json())


def test_revision_can_move_an_article_to_another_story():
    eng, ups = run([flood("f1"), flood("f2", 1), quake("q1", 2)])
    q, e = quake("f2", 3, revision="now about the quake")
    up = eng.process(q, e, T0)
    assert up.story_id == ups[2].story_id and up.moved_from == ups[0].story_id
    assert [s.story_id for s in up.extra_states] == [ups[0].story_id]
    assert up.extra_states[0].totals.articles == 1 and up.extra_states[0].version == 3
    assert up.extra_states[0].delta.articles_removed == ["f2"] and up.state.delta.articles_added == ["f2"]
    for sid in (ups[0].story_id, ups[2].story_id):
        ents, sig = recompute(eng, sid)
        assert close_enough(ents, eng.stories[sid].entities) and close_enough(sig, eng.stories[sid].signature.to_json())


def test_restore_rebuilds_exactly():
    arts = [flood("f1", 0, [Q1]), quake("q1", 1), flood("f2", 2, [Q1_PART])]
    eng, ups = run(arts)
    stories = {u.story_id: u.story_record for u in ups}
    articles = {u.article_record["article_id"]: u.article_record for u in ups}
    # the records must survive a JSON round trip (faust tables)
    stories = json.loads(json.dumps(stories))
    articles = json.loads(json.dumps(articles))
    fresh = StoryEngine()
    fresh.restore(stories.values(), articles.values())
    assert fresh.process(*flood("f2", 2, [Q1_PART]), T0) is None
    a = eng.process(*flood("f3", 3), T0)
    b = fresh.process(*flood("f3", 3), T0)
    assert a.story_id == b.story_id
    assert a.state.model_dump() == b.state.model_dump()
    assert json.dumps(a.story_record, sort_keys=True) == json.dumps(b.story_record, sort_keys=True)


def test_random_revisions_keep_counts_equal_to_member_contributions():
    rng = random.Random(7)
    makers = [flood, quake]
    said = ["We will move every family out of the valley before the river crests tonight.",
            "The old bridge will not survive another night of rain like this one.",
            "Rescue teams are still searching the collapsed school on the harbour road.",
            "Aftershocks will continue for days and people must stay out of damaged homes."]
    eng, stories, articles = StoryEngine(), {}, {}

    def apply(up):
        if up is None:
            return
        stories[up.story_id] = up.story_record
        for rec in up.extra_records:
            stories[rec["story_id"]] = rec
        articles[up.article_record["article_id"]] = up.article_record

    for i in range(16):
        apply(eng.process(*makers[i % 2](f"a{i}", i, [quote(rng.choice(said), rng.choice(["Ada Brennor", None]))]), T0))
    for r in range(16):
        i = rng.randrange(16)
        maker = rng.choice(makers)
        apply(eng.process(*maker(f"a{i}", 20 + r, [quote(rng.choice(said), "Ilse Varga")], revision=str(r)), T0))
    for sid, story in eng.stories.items():
        members = {a for a, rec in eng.articles.items() if rec.story_id == sid}
        assert set(story.articles) == members
        ents, sig = recompute(eng, sid)
        assert close_enough(ents, story.entities) and close_enough(sig, story.signature.to_json())
        variants = sorted((v["article_id"], v["idx"]) for g in story.quotes for v in g["variants"])
        assert variants == sorted((a, v["idx"]) for a in members for v in eng.articles[a].quotes)
    # the persisted records alone rebuild the same engine
    fresh = StoryEngine()
    fresh.restore(json.loads(json.dumps(list(stories.values()))), json.loads(json.dumps(list(articles.values()))))
    assert fresh.assignments() == eng.assignments()
    a, b = eng.process(*flood("z", 40), T0), fresh.process(*flood("z", 40), T0)
    assert a.story_id == b.story_id and a.state.model_dump() == b.state.model_dump()


def test_supersede_restates_a_story_above_a_published_version_and_blanks_unknown_ones():
    eng = StoryEngine()
    up = eng.process(*flood("f1", 0), T0)
    sid = up.story_id
    # a state with version 3 was published for this story before a kill; the tables say 1
    again = eng.supersede(sid, 4, T0)
    assert again.state.version == 4 and again.state.article_ids == ["f1"]
    assert again.state.delta.articles_added == [] and again.story_record["version"] == 4
    nxt = eng.process(*flood("f2", 1), T0)
    assert nxt.story_id == sid and nxt.state.version == 5, "versions keep increasing after it"
    # a story only a lost update ever created: an empty closed state, id never reused
    ghost = eng.supersede("st-ghost", 2, T0)
    assert ghost.state.article_ids == [] and ghost.state.status == "closed" and ghost.state.version == 2
    assert ghost.state.totals.articles == 0


def test_a_split_published_but_not_persisted_is_redone_under_a_fresh_id():
    arts, stories, articles, split = split_run()
    eng = StoryEngine()
    eng.restore(stories.values(), articles.values())
    # after the kill, the restart re-states the published-only new story as an empty closed one
    ghost = eng.supersede(split.split_into, split.state.version + 1, T0)
    assert ghost.state.status == "closed" and ghost.state.article_ids == []
    again = eng.process(*arts[-1], T0)                 # the re-delivered article splits again
    assert again.split_into and again.split_into != split.split_into
    assert again.state.version == 1 and sorted(again.state.article_ids) == ["b1", "b2", "b3", "b4"]
