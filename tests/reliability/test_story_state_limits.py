"""The story state must let a consumer know every member of a story.

At the full reliability size (RELIABILITY_ARTICLES=2000: the ECB+ dev set repeated
~7 times) stories grow past 50 articles; the fault-injection invariants "every
article in exactly one story" and "totals.articles == len(articles)" are checked
on the LATEST story-state, so that state has to list every member.  This runs the
engine in-process (no Kafka, no model): 60 copies of one event.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention, Span
from services.aggregator.engine import StoryEngine


def _results(i: int, t0: datetime) -> tuple[ArticleQuotes, ArticleEntities]:
    meta = ArticleMeta(article_id=f"copy-{i:03d}", title="Tara Reid enters rehab at Promises in Malibu",
                       content_hash=f"h{i}", produced_at=t0 + timedelta(seconds=i))
    body_ents = [EntityMention(name="Tara Reid", type="PERSON", mentions=[Span(text="Tara Reid", start=0, end=9)] * 3,
                               in_title=True),
                 EntityMention(name="Promises Treatment Center", type="ORG",
                               mentions=[Span(text="Promises", start=20, end=28)], in_title=True),
                 EntityMention(name="Malibu", type="GPE", mentions=[Span(text="Malibu", start=40, end=46)])]
    q = ArticleQuotes(article=meta, quotes=[QuoteMention(text="She is getting the help she needs", start=60, end=95,
                                                         kind="full", speaker="Jack Ketsoyan")])
    e = ArticleEntities(article=meta, entities=body_ents, lead="Tara Reid has entered rehab.",
                        terms={"rehab": 3, "actress": 2, "malibu": 1, "treatment": 2}, tokens=80)
    return q, e


def test_story_state_lists_every_member_article():
    eng = StoryEngine()
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    state = None
    for i in range(60):
        q, e = _results(i, t0)
        upd = eng.process(q, e, t0 + timedelta(seconds=i))
        state = upd.state
    assert len(set(eng.assignments().values())) == 1, "60 copies of one event form one story"
    assert state.totals.articles == 60
    assert len(state.articles) <= 50, "the article list is capped (newest first)"
    assert set(state.article_ids) == {f"copy-{i:03d}" for i in range(60)}, (
        "article_ids lists every member, uncapped, so a consumer knows each article's story")
    assert len(state.article_ids) == state.totals.articles == 60
