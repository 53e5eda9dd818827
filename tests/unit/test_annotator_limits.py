"""The annotator's two body limits agree with the NLP pass (issue 19, item 7): a text longer than
the pipeline's ``max_length`` is refused with its reason before the batch, and the rest of the
batch is parsed."""
from __future__ import annotations

import pytest

from schemas.models import Article
from services.annotator.agent import refusal
from services.common.nlp import load_nlp
from services.pipeline import annotate_articles
from services.producer.clean import content_hash


def _article(aid: str, body: str, title: str = "A bridge closes") -> Article:
    return Article(article_id=aid, title=title, body=body, content_hash=content_hash(title, body))


def test_a_body_over_the_nlp_limit_is_refused_before_the_batch_and_the_rest_flows():
    nlp = load_nlp()
    limit = nlp.max_length
    huge = _article("huge", "word " * (limit // 5 + 1))            # under 4 MiB, over max_length
    fine = [_article(f"ok-{i}", f"Engineers closed the Westgate Bridge on day {i}.") for i in range(3)]
    batch = fine[:2] + [huge] + fine[2:]
    assert len(huge.body.encode()) < 4 * 1024 * 1024
    with pytest.raises(ValueError, match="E088"):           # what the batch met before the check
        annotate_articles(batch, nlp)
    reason = refusal(huge, 4 * 1024 * 1024, limit)
    assert reason == (f"body is {len(huge.body)} characters, over the NLP pass's limit of {limit} "
                      f"characters per text (spaCy max_length)")
    kept = [a for a in batch if refusal(a, 4 * 1024 * 1024, limit) is None]
    assert [a.article_id for a in kept] == ["ok-0", "ok-1", "ok-2"]
    assert [a.article.article_id for a in annotate_articles(kept, nlp)] == ["ok-0", "ok-1", "ok-2"]


def test_the_other_refusals_keep_their_reasons():
    assert refusal(_article("big", "€" * 10), 20, 1_000_000).startswith("body is 30 bytes, over the limit of 20")
    assert refusal(_article("blank", " \n "), 100, 1_000_000) == "body is blank"
    assert refusal(_article("title", "Body.", title="T" * 11), 100, 10).startswith("title is 11 characters")
    assert refusal(_article("ok", "Body.", title="T"), 100, 10) is None
