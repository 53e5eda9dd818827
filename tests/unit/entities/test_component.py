"""The storystream_entities component's outputs as the pipeline builds them."""
from datetime import datetime

from schemas.models import ArticleMeta
from services.common.nlp import parse_articles
from services.pipeline import entities_from_docs


def test_the_entities_result_bounds_the_own_date_by_when_the_article_was_sent():
    """Without a publication time, the producer's send time bounds it (an archive replayed
    today still never takes a date after today)."""
    title, body = parse_articles([("Cup draw", "Tickets for the June 5, 2031 final go on sale. "
                                               "The draw took place on May 1, 2029.")])[0]
    meta = ArticleMeta(article_id="a", title="Cup draw", content_hash="0" * 64, produced_at=datetime(2030, 1, 1))
    res = entities_from_docs(meta, title, body)
    assert res.own_date == "2029-05-01"
    assert res.dates == ["2031-06-05", "2029-05-01"]   # every date still counts for the time penalty
