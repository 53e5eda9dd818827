from __future__ import annotations

import json

import pytest

from schemas.models import Article
from services.common.codec import BadMessage, article_key, decode, encode, story_key


def _article(**kw):
    base = dict(article_id="a1", title="Title", body="Body text.", content_hash="h")
    base.update(kw)
    return Article(**base)


def test_round_trip():
    art = _article()
    assert decode(Article, encode(art)) == art


@pytest.mark.parametrize("raw, reason", [
    (None, "empty message"),
    (b"\xff\xfe", "not valid UTF-8"),
    (b"{not json", "invalid JSON"),
    (b'{"schema_version": 1, "article_id": "x", "title": 5, "body": "b", "content_hash": "h"}', "title"),
    (b'{"schema_version": 1, "article_id": "x", "title": "t", "content_hash": "h"}', "body: Field required"),
    (b'{"schema_version": 99, "article_id": "x", "title": "t", "body": "b", "content_hash": "h"}', "schema_version"),
])
def test_bad_messages_have_one_line_reasons(raw, reason):
    with pytest.raises(BadMessage) as err:
        decode(Article, raw)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_keys_are_deterministic_json():
    assert article_key("x") == article_key("x")
    assert json.loads(article_key("x")) == {"article_id": "x"}
    assert json.loads(story_key("st-1")) == {"story_id": "st-1"}
