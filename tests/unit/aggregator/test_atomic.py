"""process() is atomic: an article refused or failed on leaves the engine's memory equal to a
fresh restore from the tables (issue 19, item 2)."""
from __future__ import annotations

import json

import pytest

from services.aggregator.durability import Durability
from services.aggregator.engine import EngineConfig, StoryEngine
from services.common.codec import BadMessage
from tests.unit.aggregator.test_helpers import T0, flood, quake


def _memory(eng: StoryEngine) -> str:
    """Everything the engine holds that a restore rebuilds: index, records, versions seen, watermark."""
    ix, st = eng.index, eng.store
    return json.dumps({
        "n": ix.n_docs, "df": [{k: v for k, v in sorted(df.items()) if v} for df in
                               (ix.df_terms, ix.df_ents, ix.df_title, ix.df_etok)],
        "sigs": {k: v.to_json() for k, v in ix.sigs.items()}, "closed": sorted(ix.closed),
        "posted": {k: sorted(v) for k, v in ix.posted.items()},
        "postings": {k: sorted(v) for k, v in ix.postings.as_sets().items()},
        "stories": {k: v.full_json() for k, v in st.stories.items()},   # (members and aggregates too)
        "articles": {k: v.to_json() for k, v in st.articles.items()},
        "seen": {k: list(v) for k, v in st.seen.items()}, "watermark": str(eng.watermark)}, sort_keys=True)


def _durable():
    stories, articles, pending, letters = {}, {}, {}, []
    d = Durability(StoryEngine(EngineConfig()), stories, articles, pending, lambda state: None, clock=lambda: T0)
    d.restore({})

    def feed(q, e):
        d.receive("quotes", q, letters.append)
        return d.receive("entities", e, letters.append)
    return d, stories, articles, letters, feed


def _fresh(stories, articles) -> StoryEngine:
    d = Durability(StoryEngine(EngineConfig()), dict(stories), dict(articles), {}, lambda state: None,
                   clock=lambda: T0)
    d.restore({})
    return d.engine


def _story_with_own_dates(feed):
    for i in range(3):
        assert feed(*flood(f"f{i}", i, own_date="2031-03-01")) is not None
    assert feed(*quake("q1", 4, own_date="2031-03-01")) is not None


def test_an_impossible_own_date_is_refused_before_anything_changes():
    d, stories, articles, letters, feed = _durable()
    _story_with_own_dates(feed)
    before = _memory(d.engine)
    assert feed(*flood("bad", 5, own_date="2031-02-30")) is None     # schema-valid, no calendar date
    assert len(letters) == 1 and isinstance(letters[0], BadMessage)
    assert "own_date '2031-02-30'" in str(letters[0])
    assert _memory(d.engine) == before == _memory(_fresh(stories, articles))
    assert d.engine.index.consistency_errors() == []
    assert "bad" not in articles
    # the engine goes on: the next report joins its story
    up = feed(*flood("f9", 6, own_date="2031-03-01"))
    assert up is not None and up.state.totals.articles == 4


def test_the_engine_refuses_it_directly_too():
    eng = StoryEngine()
    eng.process(*flood("f1", 0, own_date="2031-03-01"), T0)
    with pytest.raises(BadMessage, match="own_date"):
        eng.process(*flood("bad", 1, own_date="2031-13-01"), T0)
    assert "bad" not in eng.seen and eng.index.n_docs == 1


def test_halves_of_two_versions_are_refused():
    q, _ = flood("f1", 0)
    _, e = flood("f1", 0, revision="v2")
    with pytest.raises(BadMessage, match="content_hash"):
        StoryEngine().process(q, e, T0)


def test_a_failure_half_way_through_is_rolled_back_to_the_tables(monkeypatch):
    d, stories, articles, letters, feed = _durable()
    _story_with_own_dates(feed)
    eng = d.engine
    real_best = eng.scorer.best

    def failing(sig, *a, **kw):                 # fails after the index has observed the article
        raise RuntimeError("scoring failed")
    monkeypatch.setattr(eng.scorer, "best", failing)
    assert feed(*flood("boom", 5)) is None
    assert len(letters) == 1 and isinstance(letters[0], RuntimeError)
    assert d.engine.index.consistency_errors() == []
    assert _memory(d.engine) == _memory(_fresh(stories, articles))
    assert "boom" not in articles and "boom" not in d.engine.seen
    monkeypatch.setattr(d.engine.scorer, "best", real_best)
    assert feed(*flood("f9", 6)).state.totals.articles == 4
