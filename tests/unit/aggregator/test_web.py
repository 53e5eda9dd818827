"""The story detail view's answers (the views themselves are served in the integration tests)."""
from __future__ import annotations

from services.aggregator.web import detail
from tests.unit.aggregator.test_helpers import fragmented


def test_detail_serves_a_story_and_redirects_a_merged_one():
    eng, ups, _ = fragmented()
    u = next(x for x in ups if x.merged_from)
    status, body, headers = detail(u.story_id, u.story_record)
    assert status == 200 and body["story_id"] == u.story_id and body["article_ids"] == ["a1", "a2", "b1", "b2"]
    assert "describedby" in headers["Link"]
    gone = u.extra_records[0]
    status, body, headers = detail(u.merged_from, gone)
    assert status == 301 and headers["Location"] == f"/stories/{u.story_id}" and body["merged_into"] == u.story_id
    status, body, _ = detail("st-nope", None)
    assert status == 404 and "st-nope" in body["error"]
