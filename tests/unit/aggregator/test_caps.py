"""The caps on a state's growing lists (membership, a quote's article ids and wordings): the caps
hold, the totals beside them are true whatever the order of arrival, and a full state fits in
Kafka's default 1 MiB message."""
from __future__ import annotations

from datetime import datetime, timezone

from schemas.models import (QuoteVariant, StoryArticle, StoryDelta, StoryEntity, StoryQuote, StorySpeaker,
                            StoryState, StoryTotals)
from services.aggregator.caps import DEFAULT_CAPS, StateCaps, first_distinct, oldest_and_newest
from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import Q1, Q1_PART, Q2, flood

KAFKA_DEFAULT_MESSAGE_BYTES = 1024 * 1024
SMALL = StateCaps(member_ids=6, quote_articles=4, quote_variants=3)


def reports(n: int = 10):
    """n reports of one flood, each quoting the mayor in full; every third also the partial
    wording, and the fifth a second statement."""
    out = []
    for i in range(n):
        qs = [Q1] + ([Q1_PART] if i % 3 == 2 else []) + ([Q2] if i == 4 else [])
        out.append(flood(f"f{i:02d}", i, qs))
    return out


def last_state(arts, caps: StateCaps):
    eng = StoryEngine(EngineConfig(caps=caps))
    ups = [eng.process(q, e, datetime(2031, 3, 1, tzinfo=timezone.utc)) for q, e in arts]
    assert len({u.story_id for u in ups}) == 1, "the reports are one story"
    return ups[-1].state


def test_a_long_story_publishes_capped_lists_with_true_totals():
    st = last_state(reports(10), SMALL)
    assert st.totals.articles == 10 and len(st.article_ids) == 6
    # the oldest three and the newest three members, listed sorted
    assert st.article_ids == ["f00", "f01", "f02", "f07", "f08", "f09"]
    mayor = next(q for q in st.quotes if q.text == Q1.text)
    assert mayor.articles_total == 10 and len(mayor.article_ids) == 4
    assert mayor.article_ids == ["f00", "f01", "f02", "f03"]            # first by arrival
    assert mayor.variants_total == 13 and len(mayor.variants) == 3       # 10 full + 3 partial
    # each distinct wording is listed before a repeat of one
    assert {v.text for v in mayor.variants} == {Q1.text, Q1_PART.text}
    assert [v.article_id for v in mayor.variants] == ["f00", "f01", "f02"]
    other = next(q for q in st.quotes if q.text == Q2.text)
    assert other.articles_total == 1 and other.variants_total == 1 and other.article_ids == ["f04"]


def test_totals_do_not_depend_on_the_order_of_arrival():
    arts = reports(10)
    orders = [arts, arts[::-1], arts[5:] + arts[:5]]
    seen = set()
    for order in orders:
        st = last_state(order, SMALL)
        seen.add((st.totals.articles, len(st.article_ids),
                  tuple(sorted((q.text, q.articles_total, q.variants_total, len(q.article_ids), len(q.variants))
                               for q in st.quotes))))
    assert len(seen) == 1, seen


def test_at_the_caps_the_lists_are_whole():
    st = last_state(reports(10), StateCaps(member_ids=10, quote_articles=10, quote_variants=13))
    assert st.article_ids == [f"f{i:02d}" for i in range(10)]
    mayor = next(q for q in st.quotes if q.text == Q1.text)
    assert len(mayor.variants) == mayor.variants_total == 13
    assert len(mayor.article_ids) == mayor.articles_total == 10


def test_selection_helpers():
    assert oldest_and_newest(list("abcdefg"), 4) == list("abfg")
    assert oldest_and_newest(list("abcdefg"), 5) == list("abefg")
    assert oldest_and_newest(list("abc"), 5) == list("abc")
    # distinct keys first (in their order), then the earliest others; the result keeps input order
    items = ["x1", "x2", "x3", "y1", "x4", "z1"]
    assert first_distinct(items, lambda s: s[0], 4) == ["x1", "x2", "y1", "z1"]
    assert first_distinct(items, lambda s: s[0], 2) == ["x1", "y1"]
    assert first_distinct(items, lambda s: s[0], 9) == items


def test_a_state_with_every_list_full_fits_kafkas_default_message_size():
    """The budget of caps.py, measured: 64-character ids, 300-character wordings, 200-character
    titles and URLs, every capped list full."""
    now = datetime(2031, 3, 1, tzinfo=timezone.utc)
    items, caps = 50, DEFAULT_CAPS
    aid = lambda i: f"{i:064d}"  # noqa: E731
    text = "w" * 300
    state = StoryState(
        story_id="st-" + "0" * 32, version=10 ** 6, created_at=now, updated_at=now, headline="h" * 200,
        summary="s" * 600,
        articles=[StoryArticle(article_id=aid(i), title="t" * 200, outlet="o" * 40, url="u" * 200, published=now,
                               first_seen=now) for i in range(items)],
        article_ids=[aid(i) for i in range(caps.member_ids)],
        outlets=["o" * 40] * items,
        entities=[StoryEntity(name="n" * 40, type="PERSON", aliases=["a" * 40] * 5, mentions=10 ** 5,
                              articles=10 ** 5) for _ in range(items)],
        speakers=[StorySpeaker(name="n" * 40, roles=["r" * 40] * 3, quotes=10 ** 4, articles=10 ** 5)
                  for _ in range(items)],
        quotes=[StoryQuote(quote_id="q-" + "0" * 12, text=text, speaker="n" * 40, kind="full",
                           article_ids=[aid(i) for i in range(caps.quote_articles)], articles_total=10 ** 5,
                           variants=[QuoteVariant(article_id=aid(i), text=text, kind="full")
                                     for i in range(caps.quote_variants)], variants_total=10 ** 5, first_seen=now)
                for _ in range(items)],
        totals=StoryTotals(articles=10 ** 5, quotes=10 ** 4, entities=10 ** 4, speakers=10 ** 3),
        delta=StoryDelta(articles_added=[aid(0)], quotes_added=["q-" + "0" * 12] * 10))
    size = len(state.model_dump_json().encode())
    assert size < 0.9 * KAFKA_DEFAULT_MESSAGE_BYTES, size
