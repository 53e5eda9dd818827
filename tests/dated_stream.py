"""The dated stream of issue 19, shared by the unit test of the aggregator's durability
protocol (tests/unit/aggregator/test_dated_stream.py) and the reliability suite.

``news_cluster.jsonl`` (383 articles, 69 events, 2013-2018) is streamed ``COPIES`` times in
date order, copy ``c`` under new ids and content hashes with its dates shifted by ``c * SHIFT``
days: later than the 3-day close, inside the 30-day reopen window, so copies reopen their
events' closed stories while other events' copies interleave with them.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from services.evaluation import stories as ev
from services.evaluation.story_inputs import load_records

NEWS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "news_cluster.jsonl"
COPIES, SHIFT = 6, timedelta(days=20)


def extraction_stream():
    """(ArticleQuotes, ArticleEntities) of every copy, in date order.  The spaCy parse of the
    383 is cached (``services.evaluation.stories``), and every copy reuses the first extraction."""
    published = {r["id"]: datetime.fromisoformat(r["published"].replace("Z", "+00:00"))
                 for r in load_records(NEWS)}
    base = ev.build_inputs(NEWS)
    items = []
    for c in range(COPIES):
        for q, e, _ in base:
            aid = f"{e.article.article_id}~{c}"
            meta = e.article.model_copy(update={
                "article_id": aid, "published": published[e.article.article_id] + c * SHIFT,
                "content_hash": hashlib.sha256(f"{e.article.content_hash}|{c}".encode()).hexdigest()})
            items.append((q.model_copy(update={"article": meta}), e.model_copy(update={"article": meta})))
    items.sort(key=lambda t: (t[1].article.published, t[1].article.article_id))
    return items
