"""StoryEngine memory bounds: the reopen window, ``seen`` with loaders, windowed document frequencies."""
from __future__ import annotations

import json

from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import T0, flood, quake


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
                       "post": {k: sorted(v) for k, v in ix.postings.items()}}, sort_keys=True)


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
    assert stories[f.story_id]["articles"].keys() == {"f1"}


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
