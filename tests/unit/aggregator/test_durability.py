"""The durability protocol (restore, re-state, publish before persist, settle after a flush) with
plain dicts as tables: no Kafka."""
from __future__ import annotations

import copy
from datetime import timedelta

from services.aggregator.durability import Durability
from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import T0, coach_fired, flood, mixed_coaches, quake


class Table(dict):
    """A dict that also notes every write in ``effects`` (with the publishes), to check their order."""

    def __init__(self, name: str, effects: list, *args):
        super().__init__(*args)
        self.name, self.effects = name, effects

    def __setitem__(self, key, value):
        self.effects.append(("write", self.name, key))
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self.effects.append(("delete", self.name, key))
        super().__delitem__(key)


def _durable(stories=None, articles=None, pending=None, config=None):
    effects: list = []
    published: list = []

    def publish(state):
        effects.append(("publish", state.story_id, state.version))
        published.append(state)

    d = Durability(StoryEngine(config), Table("stories", effects, stories or {}),
                   Table("articles", effects, articles or {}), Table("pending", effects, pending or {}),
                   publish, clock=lambda: T0)
    return d, effects, published


def _feed(d, q, e, errors=None):
    """Both halves of an article: entities first, then quotes."""
    fail = (errors if errors is not None else []).append
    assert d.receive("entities", e, fail) is None
    return d.receive("quotes", q, fail)


def test_the_first_half_waits_and_the_second_publishes_before_it_persists():
    d, effects, published = _durable()
    d.restore({})
    q, e = flood("f1")
    assert d.receive("entities", e, lambda exc: None) is None
    assert effects == [("write", "pending", "f1")] and not published
    update = d.receive("quotes", q, lambda exc: None)
    sid = update.story_id
    assert effects[1:] == [("publish", sid, 1), ("write", "stories", sid), ("write", "articles", "f1")]
    assert d.stories[sid] == update.story_record and d.articles["f1"] == update.article_record
    assert "f1" in d.pending and d.unsettled == [("f1", e.article.content_hash)]


def test_pending_halves_are_settled_only_up_to_the_mark_taken_before_the_flush():
    d, effects, _ = _durable()
    d.restore({})
    _feed(d, *flood("f1"))
    mark = d.settle_mark()                        # ... the agent awaits the producer flush here ...
    _feed(d, *flood("f2", 1))                      # (arrives during the flush: not covered by it)
    d.settle(mark)
    assert "f1" not in d.pending and "f2" in d.pending
    assert effects[-1] == ("delete", "pending", "f1")
    assert d.unsettled == [("f2", flood("f2", 1)[1].article.content_hash)]
    d.settle(d.settle_mark())
    assert d.pending == {} and d.unsettled == []


def test_a_duplicate_changes_nothing_and_is_settled():
    d, effects, published = _durable()
    d.restore({})
    q, e = flood("f1")
    _feed(d, q, e)
    d.settle(d.settle_mark())
    before = (len(effects), dict(d.stories), dict(d.articles))
    assert d.receive("quotes", q, lambda exc: None) is None
    assert (len(effects), dict(d.stories), dict(d.articles)) == before
    assert d.unsettled == [("f1", e.article.content_hash)]


def test_an_article_the_engine_fails_on_is_dead_lettered_and_settled():
    d, effects, published = _durable()
    d.restore({})

    def broken(*args):
        raise RuntimeError("boom")
    d.engine.process = broken
    errors: list = []
    q, e = flood("f1")
    assert _feed(d, q, e, errors) is None
    assert [str(x) for x in errors] == ["boom"] and not published and d.articles == {}
    assert d.unsettled == [("f1", e.article.content_hash)]


def _tables(ids):
    """The tables after feeding ``ids`` (flood reports) through a durable aggregator."""
    d, _, _ = _durable()
    d.restore({})
    for i, aid in enumerate(ids):
        _feed(d, *flood(aid, i))
    d.settle(d.settle_mark())
    return copy.deepcopy(dict(d.stories)), copy.deepcopy(dict(d.articles))


def test_restore_restates_a_story_published_ahead_of_its_table_record_then_persists_first():
    stories, articles = _tables(["f1", "f2"])
    sid = next(iter(stories))
    assert stories[sid]["version"] == 2
    d, effects, published = _durable(stories, articles)
    d.restore({sid: 3, "st-zz": 1})       # a kill after publishing version 3; a story the tables never saw
    assert effects == [("write", "stories", sid), ("publish", sid, 4),      # (in story id order)
                       ("write", "stories", "st-zz"), ("publish", "st-zz", 2)]
    assert d.stories[sid]["version"] == 4 and published[0].article_ids == ["f1", "f2"]
    assert published[1].status == "closed" and published[1].article_ids == []
    effects.clear()
    d.restore({sid: 9})                            # once only
    assert effects == []
    update = _feed(d, *flood("f3", 2))
    assert update.story_id == sid and update.state.version == 5


def test_restore_repairs_a_story_record_a_kill_left_behind_and_restates_it():
    stories2, _ = _tables(["f1", "f2"])
    stories3, articles3 = _tables(["f1", "f2", "f3"])
    sid = next(iter(stories3))
    d, effects, published = _durable(stories2, articles3)     # story write lost, article write kept
    d.restore({sid: 2})
    assert sorted(d.engine.stories[sid].articles) == ["f1", "f2", "f3"] and d.stories[sid]["members"] == 3
    assert effects[0] == ("write", "stories", sid) and effects[-1] == ("publish", sid, published[-1].version)
    assert published[-1].version > 2 and published[-1].article_ids == ["f1", "f2", "f3"]


def test_restore_finds_the_pending_halves_of_articles_already_merged():
    stories, articles = _tables(["f1"])
    q, e = flood("f1")
    h = e.article.content_hash
    pending = {"f1": {h: {"quotes": q.model_dump(mode="json")}}, "g1": {"other": {"quotes": {}}}}
    d, _, _ = _durable(stories, articles, pending)
    d.restore({})
    assert d.unsettled == [("f1", h)]
    d.settle(d.settle_mark())
    assert d.pending == {"g1": {"other": {"quotes": {}}}}


def test_idle_stories_close_after_restore_only_and_are_persisted_before_they_are_published():
    d, effects, published = _durable(config=EngineConfig(close_after_seconds=3600))
    assert d.close_idle() == []
    d.restore({})
    first = _feed(d, *flood("f1"))
    _feed(d, *quake("q1", 5))
    effects.clear()
    closed = d.close_idle()
    assert [u.story_id for u in closed] == [first.story_id]
    assert effects == [("write", "stories", first.story_id), ("publish", first.story_id, 2)]
    assert d.stories[first.story_id]["status"] == "closed" and published[-1].status == "closed"
    # the closed story's records are read back from the tables when a report reopens it
    assert first.story_id not in d.engine.stories
    again = _feed(d, *flood("f2", 6))
    assert again.story_id == first.story_id and again.state.totals.articles == 2


# ---------------------------------------------------------------- lone halves expire (issue 19, item 5)
def test_a_half_whose_twin_never_comes_expires_naming_what_never_arrived():
    clock = [T0]
    effects: list = []
    d = Durability(StoryEngine(), Table("stories", effects), Table("articles", effects), Table("pending", effects),
                   lambda state: None, clock=lambda: clock[0])
    d.restore({})
    q1, e1 = flood("f1")
    q2, _ = quake("q2")
    assert d.receive("entities", e1, lambda exc: None) is None        # f1: the quotes half never comes
    clock[0] = T0 + timedelta(minutes=30)
    assert d.receive("quotes", q2, lambda exc: None) is None          # q2: younger
    clock[0] = T0 + timedelta(hours=1, minutes=1)
    (x,) = d.expire_pending(3600)
    assert (x.article_id, x.content_hash, x.missing, sorted(x.halves)) == ("f1", e1.article.content_hash,
                                                                          ["quotes"], ["entities"])
    assert x.halves["entities"]["article"]["article_id"] == "f1"      # the half itself, to replay
    reason = x.reason(3600)
    assert "'f1'" in reason and "entities result arrived at 2031-03-01T12:00:00+00:00" in reason
    assert "quotes result never arrived within 3600 s" in reason
    assert "f1" not in d.pending and "q2" in d.pending
    assert d.expire_pending(3600) == []                               # once
    clock[0] = T0 + timedelta(hours=2)
    assert [x.article_id for x in d.expire_pending(3600)] == ["q2"] and d.pending == {}


def test_merged_halves_wait_for_settling_and_old_halves_get_a_time():
    clock = [T0]
    h_old = quake("g1")[1].article.content_hash
    d, effects, _ = _durable(pending={"g1": {h_old: {"entities": {}}}})      # stored before arrival times
    d.clock = lambda: clock[0]
    d.restore({})
    q, e = flood("f1")
    _feed(d, q, e)                                                     # merged, not yet settled
    clock[0] = T0 + timedelta(days=3)
    assert d.expire_pending(3600) == []
    assert "f1" in d.pending and d.pending["g1"][h_old]["since"] == clock[0].isoformat()
    clock[0] += timedelta(hours=2)
    assert [x.article_id for x in d.expire_pending(3600)] == ["g1"]
    d.settle(d.settle_mark())
    assert d.pending == {}


# ---------------------------------------------------------------- restore keeps what is open (issue 19, item 5)
def test_restore_parses_only_open_stories_and_those_inside_the_reopen_window(monkeypatch):
    from tests.unit.aggregator.test_atomic import _memory
    config = EngineConfig(close_after_seconds=3600, reopen_after_seconds=24 * 3600)
    stories, articles = {}, {}
    d = Durability(StoryEngine(config), stories, articles, {}, lambda state: None, clock=lambda: T0 + timedelta(days=10))
    d.restore({})
    _feed(d, *flood("f1", 0))
    _feed(d, *flood("f2", 0.5))
    _feed(d, *quake("q1", 30))                 # the flood story closes, and leaves the window
    d.close_idle()
    _feed(d, *quake("q2", 50))                 # (q1's story closes; inside the window)
    d.close_idle()
    _feed(d, *flood("f3", 55, revision="x"))   # a new flood story, open
    assert {r["status"] for r in stories.values()} == {"open", "closed"}
    seen = []
    real = StoryEngine.restore

    def spy(self, s, a):
        seen.append(([r["story_id"] for r in s], sorted(r["article_id"] for r in a)))
        return real(self, s, a)
    monkeypatch.setattr(StoryEngine, "restore", spy)
    again = Durability(StoryEngine(config), dict(stories), dict(articles), {}, lambda state: None, clock=lambda: T0 + timedelta(days=10))
    again.restore({})
    (kept_stories, kept_articles), = seen
    assert kept_articles == ["f3", "q1", "q2"]                     # not f1, f2: their story is out of the window
    assert len(kept_stories) == 2
    # the same memory as a restore from every record (the engine drops the rest anyway)
    full = StoryEngine(config)
    full.story_loader, full.article_loader = stories.get, articles.get
    real(full, list(stories.values()), list(articles.values()))
    assert _memory(again.engine) == _memory(full)
    # a late revision of f1 still finds its closed story through the loaders
    up = _feed(again, *flood("f1", 56, revision="late"))
    assert up is not None and "f1" in up.state.article_ids


# ---------------------------------------------------------------- story heads (issue 19, item 5: changelog writes)
def _through(arts, config=None, force=None):
    """``arts`` through a durable aggregator with dict tables (closing after each article);
    ``force``: article id -> f(updates so far) giving the story id it must join (None: a new
    story), as ``test_helpers.forced``."""
    from services.aggregator import engine as engine_module
    stories, articles = {}, {}
    d = Durability(StoryEngine(config), stories, articles, {}, lambda state: None, clock=lambda: T0)
    d.restore({})
    ups = []
    for q, e in arts:
        pick = (force or {}).get(e.article.article_id)
        place, rescue = d.engine.scorer.best, engine_module.rescue
        if pick is not None:
            sid = pick(ups)
            d.engine.scorer.best = (lambda sig, allowed=None, views=None, at_least=None, bounds=None, sid=sid:
                                    (sid, 1.0) if sid else (None, -1.0))
            engine_module.rescue = lambda scorer, sig, views=None, bounds=None: None
        try:
            ups.append(_feed(d, q, e))
        finally:
            d.engine.scorer.best, engine_module.rescue = place, rescue
        d.close_idle()
        d.settle(d.settle_mark())
    return d, stories, articles, ups


def _scenarios():
    """Streams that split, merge, re-home by revision, close and reopen stories."""
    fragmented_arts = [coach_fired("a1", 0, hours=0), coach_fired("a2", 2, hours=1), coach_fired("b1", 1, hours=2),
                       coach_fired("b2", 1, hours=3), coach_fired("a3", 0, hours=4)]
    return {
        "split": (mixed_coaches(), None, None),
        "merge": (fragmented_arts, None, {"b1": lambda ups: None, "b2": lambda ups: ups[2].story_id}),
        "close, reopen, revise": ([flood("f1", 0), flood("f2", 0.5), quake("q1", 5), flood("f3", 6),
                                   quake("f2", 7, revision="moved"), quake("q2", 30), flood("f4", 31)],
                                  EngineConfig(close_after_seconds=3600), None),
    }


def _restarted(stories, articles, config=None) -> Durability:
    again = Durability(StoryEngine(config), dict(stories), dict(articles), {}, lambda state: None, clock=lambda: T0)
    again.restore({})
    return again


def test_the_tables_hold_story_heads_and_restore_the_memory_before_the_restart():
    from tests.unit.aggregator.test_atomic import _memory
    for name, (arts, config, force) in _scenarios().items():
        d, stories, articles, ups = _through(arts, config, force)
        assert all("articles" not in r and "quotes" not in r and "signature" not in r for r in stories.values()), name
        assert all(r["record_version"] == 3 and isinstance(r["order"], int) for r in articles.values()), name
        again = _restarted(stories, articles, config)
        assert _memory(again.engine) == _memory(d.engine), name      # (members and aggregates included)
        assert again.engine.restore([*stories.values()], [*articles.values()]) == [], name   # nothing to repair
    kinds = {name: [u for u in _through(*_scenarios()[name][:1], *_scenarios()[name][1:])[3] if u]
             for name in ("split", "merge")}
    assert any(u.split_into for u in kinds["split"]) and any(u.merged_from for u in kinds["merge"])


def _version2(d: Durability, stories: dict, articles: dict) -> tuple[dict, dict]:
    """The same tables as the aggregator before record version 3 wrote them: whole stories,
    article records without their order."""
    old_stories = {sid: d.engine.view(sid).full_json() for sid in stories}
    old_articles = {aid: {**{k: v for k, v in rec.items() if k != "order"}, "record_version": 2}
                    for aid, rec in articles.items()}
    return old_stories, old_articles


def test_a_version_2_changelog_restores_and_its_stories_are_written_as_heads_at_their_next_update():
    from tests.unit.aggregator.test_atomic import _memory
    for name, (arts, config, force) in _scenarios().items():
        d, stories, articles, _ = _through(arts, config, force)
        old_stories, old_articles = _version2(d, stories, articles)
        assert all(r["record_version"] == 2 and "articles" in r for r in old_stories.values())
        again = _restarted(old_stories, old_articles, config)
        assert _memory(again.engine) == _memory(d.engine), name
        # the next article: its story is written as a head, and its members' records with their order
        nxt = flood("z1", 40) if name.startswith("close") else coach_fired("z1", 0, hours=5)
        live, up = _feed(d, *nxt), _feed(again, *nxt)
        assert up.state.model_dump() == live.state.model_dump() and up.story_record == live.story_record, name
        touched = set(again.engine.stories[up.story_id].articles)
        assert {aid for aid in touched if again.articles[aid].get("record_version") == 3} == touched, name
        assert all(again.articles[a]["order"] == d.engine.stories[up.story_id].articles[a].order for a in touched)
        third = _restarted(again.stories, again.articles, config)
        assert _memory(third.engine) == _memory(d.engine), name
