"""Closing and the reopen window: expiry, reopening, loaders, memory bounds (``seen`` with loaders,
windowed document frequencies)."""
from __future__ import annotations

import json

from services.aggregator import quotes as qu
from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import FLOOD_TERMS, Q1, Q1_PART, Q2, T0, article, ent, flood, quake


def _wired(config: EngineConfig):
    """An engine wired like the agent: records persisted to dict 'tables', loaders read them."""
    eng, stories, articles = StoryEngine(config), {}, {}
    eng.story_loader = lambda sid: json.loads(json.dumps(stories[sid])) if sid in stories else None
    eng.article_loader = lambda aid: json.loads(json.dumps(articles[aid])) if aid in articles else None

    def feed(q, e):
        up = eng.process(q, e, T0)
        if up is not None:
            stories[up.story_id] = up.story_record
            for rec in up.extra_records:
                stories[rec["story_id"]] = rec
            articles[e.article.article_id] = up.article_record
        return up

    def expire():
        for u in eng.expire_updates(T0):
            stories[u.story_id] = u.story_record

    return eng, stories, articles, feed, expire


def _index_state(eng: StoryEngine) -> str:
    ix = eng.index
    return json.dumps({"n": ix.n_docs, "t": dict(ix.df_terms), "e": dict(ix.df_ents), "h": dict(ix.df_title),
                       "k": dict(ix.df_etok), "sigs": {k: v.to_json() for k, v in ix.sigs.items()},
                       "closed": sorted(ix.closed),
                       "post": {k: sorted(v) for k, v in ix.postings.as_sets().items()}}, sort_keys=True)


def test_redelivered_article_of_closed_story_changes_nothing_with_loaders():
    eng, stories, articles, feed, expire = _wired(EngineConfig(close_after_seconds=3600))
    f = feed(*flood("f1", 0))
    feed(*flood("f2", 0.5))
    feed(*quake("q1", 5))
    expire()
    assert "f1" not in eng.seen                        # forgotten: the article table has it
    before = (json.dumps(stories, sort_keys=True), json.dumps(articles, sort_keys=True), _index_state(eng),
              eng.watermark)
    assert feed(*flood("f1", 0)) is None               # same content hash: a duplicate
    assert (json.dumps(stories, sort_keys=True), json.dumps(articles, sort_keys=True), _index_state(eng),
            eng.watermark) == before
    # a revision of it is still a revision: it rejoins (and reopens) its story, nothing is duplicated
    up = feed(*flood("f1", 0, revision="v2"))
    assert up.story_id == f.story_id and up.state.totals.articles == 2 and up.state.status == "open"


def test_closed_story_beyond_reopen_window_leaves_index_and_df():
    eng, stories, articles, feed, expire = _wired(EngineConfig(close_after_seconds=3600, reopen_after_seconds=10 * 3600))
    f = feed(*flood("f1", 0))
    feed(*quake("q1", 5))
    expire()
    assert f.story_id in eng.index.closed and eng.index.df_terms["flood"] == 1
    feed(*quake("q2", 20))                             # watermark moves past the window
    assert f.story_id not in eng.index.sigs
    assert "flood" not in eng.index.df_terms and eng.index.n_docs == 2
    late = feed(*flood("f2", 21))                      # a late article starts a new story
    assert late.story_id != f.story_id and late.state.totals.articles == 1
    assert stories[f.story_id]["member_order"].keys() == {"f1"}


def test_restore_after_pruning_rebuilds_the_same_index():
    cfg = EngineConfig(close_after_seconds=3600, reopen_after_seconds=10 * 3600)
    eng, stories, articles, feed, expire = _wired(cfg)
    feed(*flood("f1", 0))
    feed(*quake("q1", 5))
    expire()
    feed(*quake("q2", 20))
    feed(*flood("f2", 21))
    expire()
    fresh, _, _, _, _ = _wired(cfg)
    fresh.story_loader, fresh.article_loader = eng.story_loader, eng.article_loader
    fresh.restore(json.loads(json.dumps(list(stories.values()))), json.loads(json.dumps(list(articles.values()))))
    assert _index_state(fresh) == _index_state(eng)
    assert fresh.seen == eng.seen and fresh.watermark == eng.watermark
    a, b = eng.process(*flood("f3", 22), T0), fresh.process(*flood("f3", 22), T0)
    assert a.story_id == b.story_id and a.state.model_dump() == b.state.model_dump()


def test_expire_closes_idle_stories_and_a_match_reopens():
    eng = StoryEngine(EngineConfig(close_after_seconds=3600))
    f = eng.process(*flood("f1", 0), T0)
    eng.process(*quake("q1", 5), T0)                  # event time moves 5 hours on
    closed = eng.expire_updates(T0)
    assert [u.story_id for u in closed] == [f.story_id]
    assert closed[0].state.status == "closed" and closed[0].state.version == 2
    assert eng.expire(T0) == []
    up = eng.process(*flood("f2", 6), T0)
    assert up.story_id == f.story_id and up.state.status == "open" and up.state.version == 3
    assert up.state.totals.articles == 2


def test_expire_with_loader_forgets_closed_records():
    eng = StoryEngine(EngineConfig(close_after_seconds=3600))
    store = {}
    eng.story_loader = store.get
    f = eng.process(*flood("f1", 0), T0)
    eng.process(*quake("q1", 5), T0)
    for u in eng.expire_updates(T0):
        store[u.story_id] = u.story_record
    assert f.story_id not in eng.stories
    up = eng.process(*flood("f2", 6), T0)
    assert up.story_id == f.story_id and up.state.totals.articles == 2


def test_a_closed_story_leaves_no_quote_cache_behind():
    """The quote-grouping cache holds the variant lists of open stories only: a closed story's
    must not stay alive through it (the aggregator's memory would grow with every story)."""
    eng = StoryEngine(EngineConfig(close_after_seconds=3600))
    eng.story_loader = {}.get
    f1 = eng.process(*flood("f1", 0, [Q1, Q2]), T0)
    eng.process(*flood("f2", 0, [Q1_PART]), T0)
    cached = lambda story: [g for g in story.quotes if qu.is_cached(g)]  # noqa: E731
    story = eng.stories[f1.story_id]
    assert cached(story), "an open story's groups are cached"
    eng.process(*quake("q1", 5), T0)
    assert [u.story_id for u in eng.expire_updates(T0)] == [f1.story_id]
    assert cached(story) == []


def test_a_story_that_lost_a_member_closes_and_leaves_the_index_consistent():
    """A story that loses a member keeps its record's signature, changed in place; the index
    must un-post the features it was posted under, not the ones the signature holds now.  Else,
    once the story closed and left the reopen window, an article sharing the lost member's term
    found the story among its candidates with no signature (KeyError: every later such article
    dead-lettered)."""
    eng = StoryEngine(EngineConfig(close_after_seconds=3600, reopen_after_seconds=2 * 3600))
    store: dict[str, dict] = {}
    arts: dict[str, dict] = {}
    eng.story_loader, eng.article_loader = store.get, arts.get

    def feed(q, e):
        up = eng.process(q, e, T0)
        store[up.story_id] = up.story_record
        store.update((r["story_id"], r) for r in up.extra_records)
        arts.update((r["article_id"], r) for r in up.extra_articles)
        arts[e.article.article_id] = up.article_record
        for closed in eng.expire_updates(T0):
            store[closed.story_id] = closed.story_record
        assert eng.index.consistency_errors() == []
        return up

    zeppelin = {**FLOOD_TERMS, "zeppelin": 5}
    f1 = feed(*flood("f1"))
    feed(*article("f2", "River Vell floods Norwick as Mayor Ada Brennor orders evacuation",
                  flood("x")[1].entities, zeppelin, hours=1))
    feed(*quake("q1", 2))
    moved = feed(*quake("f2", 3, revision="now about the quake"))    # the flood story loses "zeppelin"
    assert moved.moved_from == f1.story_id
    feed(*quake("q2", 10))                       # the flood story closes, then leaves the window
    assert f1.story_id not in eng.index.sigs
    late = feed(*article("z1", "Zeppelin lands in a field", [ent("Orla Vence", n=2, in_title=True)],
                         {"zeppelin": 6, "field": 2, "airship": 3}, hours=11))
    assert late.story_id not in (f1.story_id, moved.story_id)
