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


def article_stream(n: int) -> list:
    """The first ``n`` articles of the dated stream, in date order, as ``Article`` records for
    the real pipeline (the workers extract them): as many copies as ``n`` needs, at least
    ``COPIES``, copy ``c`` under the ids ``<id>~<c>`` with its dates shifted by ``c * SHIFT``."""
    from services.producer.records import record_to_article
    records = load_records(NEWS)
    copies = max(COPIES, -(-n // len(records)))
    out = []
    for c in range(copies):
        for i, r in enumerate(records, 1):
            published = datetime.fromisoformat(r["published"].replace("Z", "+00:00")) + c * SHIFT
            rec = {"id": f"{r['id']}~{c}", "title": r["title"], "body": r["body"],
                   "published": published.isoformat(), "outlet": r.get("outlet")}
            out.append(record_to_article(rec, f"{NEWS.name}:{i}"))
    out.sort(key=lambda a: (a.published, a.article_id))
    return out[:n]
