"""Event time: an implausible ``published`` is kept in the article but moves no clock (issue 19, item 1)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import T0, flood, quake

CLOSE = EngineConfig(close_after_seconds=3 * 24 * 3600)


def _dated(arts, published: datetime):
    q, e = arts
    meta = e.article.model_copy(update={"published": published})
    return q.model_copy(update={"article": meta}), e.model_copy(update={"article": meta})


def _feed(eng, arts, now):
    return eng.process(*arts, now)


def test_a_far_future_article_closes_no_story_and_the_next_report_joins_its_story():
    eng = StoryEngine(CLOSE)
    first = _feed(eng, flood("f1", 0), T0)
    _feed(eng, flood("f2", 1), T0 + timedelta(hours=1))
    far = _feed(eng, _dated(quake("q1"), datetime(2099, 1, 1, tzinfo=timezone.utc)), T0 + timedelta(hours=2))
    assert eng.watermark == T0 + timedelta(hours=1)          # the 2099 date moved no clock
    assert eng.expire(T0 + timedelta(hours=2)) == []           # nothing closed
    # the date is kept in the article
    assert far.state.articles[0].published == datetime(2099, 1, 1, tzinfo=timezone.utc)
    nxt = _feed(eng, flood("f3", 3), T0 + timedelta(hours=3))
    assert nxt.story_id == first.story_id and nxt.state.status == "open"
    assert nxt.state.totals.articles == 3


def test_a_date_within_a_day_ahead_is_event_time_and_one_beyond_is_not():
    eng = StoryEngine(CLOSE)
    _feed(eng, flood("f1", 0), T0)
    _feed(eng, _dated(quake("q1"), T0 + timedelta(hours=23)), T0)     # time zones, clock skew
    assert eng.watermark == T0 + timedelta(hours=23)
    _feed(eng, _dated(quake("q2"), T0 + timedelta(hours=23 + 25)), T0)
    assert eng.watermark == T0 + timedelta(hours=23)


def test_a_far_past_date_is_kept_and_breaks_no_window_arithmetic():
    eng = StoryEngine(CLOSE)
    up = _feed(eng, _dated(flood("f1"), datetime(1, 1, 1, tzinfo=timezone.utc)), T0)
    assert up.state.articles[0].published == datetime(1, 1, 1, tzinfo=timezone.utc)
    assert eng.watermark == T0                                  # before any article: the wall clock
    assert eng.expire(T0) == []                                 # (year 1 - 3 days: OverflowError)
    assert _feed(eng, flood("f2", 1), T0).story_id == up.story_id
