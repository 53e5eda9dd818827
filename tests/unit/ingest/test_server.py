"""POST /articles without a broker (a stand-in producer): auth, limits, formats, reasons."""
from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from services.common.settings import load
from services.ingest.server import make_app
from services.producer.publish import Publisher
from tests.unit.producer.test_publish import FlakyProducer

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SETTINGS = load({"STORYSTREAM_INGEST_TOKEN": TOKEN, "STORYSTREAM_INGEST_MAX_BYTES": "4000"})


def rec(aid: str, **extra) -> dict:
    return {"id": aid, "title": f"Title {aid}", "body": f"Body of {aid}, reported on Tuesday.", **extra}


def post(data: bytes, headers: dict, failures=None):
    async def go():
        producer = FlakyProducer(failures or {})
        pub = Publisher(SETTINGS, producer=producer, retries=1, backoff=0.001, err=None)
        async with pub:
            client = TestClient(TestServer(make_app(SETTINGS, pub)))
            await client.start_server()
            try:
                resp = await client.post("/articles", data=data, headers=headers)
                return resp.status, await resp.json(), producer.sent
            finally:
                await client.close()
    return asyncio.run(go())


def test_one_object_is_accepted_and_published():
    status, answer, sent = post(json.dumps(rec("p1", published="Tue, 05 Dec 2026 14:03:00 GMT")).encode(),
                                {**AUTH, "Content-Type": "application/json"})
    assert status == 202 and answer["accepted"] == ["p1"] and answer["refused"] == []
    assert sent == [b'{"article_id":"p1"}']


def test_array_and_ndjson_refuse_bad_records_with_their_reason():
    body = json.dumps([rec("a1"), {"id": "a2", "title": "No body"}, rec("a3")]).encode()
    status, answer, sent = post(body, {**AUTH, "Content-Type": "application/json"})
    assert status == 202 and answer["accepted"] == ["a1", "a3"]
    assert answer["refused"] == [{"index": 1, "reason": "missing field 'body'"}]
    assert len(sent) == 3, "two articles and one dead letter"
    nd = (json.dumps(rec("n1")) + "\n{oops\n" + json.dumps(rec("n2", published="next week")) + "\n").encode()
    status, answer, _ = post(nd, {**AUTH, "Content-Type": "application/x-ndjson"})
    assert status == 202 and answer["accepted"] == ["n1"]
    assert [r["index"] for r in answer["refused"]] == [1, 2]
    assert answer["refused"][0]["reason"].startswith("invalid JSON")
    assert "not an ISO 8601 or RFC 822 date" in answer["refused"][1]["reason"]


@pytest.mark.parametrize("data, headers, status, words", [
    (b"{}", {"Content-Type": "application/json"}, 401, "bearer token"),
    (b"{}", {"Authorization": "Bearer wrong", "Content-Type": "application/json"}, 401, "bearer token"),
    (b"<html/>", {**AUTH, "Content-Type": "text/html"}, 415, "Content-Type"),
    (b"x" * 5000, {**AUTH, "Content-Type": "application/json"}, 413, "larger than"),
    (b"{not json", {**AUTH, "Content-Type": "application/json"}, 400, "invalid JSON"),
    (b"42", {**AUTH, "Content-Type": "application/json"}, 400, "expected a JSON object"),
    (b"  \n", {**AUTH, "Content-Type": "application/json"}, 400, "empty body"),
])
def test_bad_requests_get_a_4xx_with_the_reason_and_publish_nothing(data, headers, status, words):
    got, answer, sent = post(data, headers)
    assert got == status and words in answer["error"], answer
    assert sent == []


def test_a_record_the_broker_does_not_take_is_reported_as_failed():
    status, answer, _ = post(json.dumps([rec("ok1"), rec("bad1")]).encode(), {**AUTH, "Content-Type": "application/json"},
                             failures={b"bad1": 99})
    assert status == 503 and answer["accepted"] == ["ok1"] and answer["failed"] == [{"index": 1, "id": "bad1"}]


def _post_many(settings, count: int):
    async def go():
        pub = Publisher(settings, producer=FlakyProducer({}), retries=1, backoff=0.001, err=None)
        async with pub:
            async with TestClient(TestServer(make_app(settings, pub))) as client:
                out = []
                for i in range(count):
                    resp = await client.post("/articles", data=json.dumps(rec(f"r{i}")).encode(), headers=AUTH)
                    out.append((resp.status, resp.headers.get("Retry-After"), await resp.json()))
                health = await client.get("/healthz")
                return out, health.status
    return asyncio.run(go())


def test_posts_over_the_rate_limit_get_429_with_retry_after():
    # one request every 10 s, bursts of 2: the third at once is refused, nothing of it published
    settings = load({"STORYSTREAM_INGEST_TOKEN": TOKEN, "STORYSTREAM_RATE_LIMIT": "0.1", "STORYSTREAM_RATE_BURST": "2"})
    got, health = _post_many(settings, 3)
    assert [s for s, _, _ in got[:2]] == [202, 202] and got[0][2]["accepted"] == ["r0"]
    status, retry, answer = got[2]
    assert status == 429 and 1 <= int(retry) <= 10 and "too many requests" in answer["error"]
    assert health == 200                                    # the health check is not limited


def test_posts_under_the_rate_limit_or_with_it_off_are_accepted():
    for rate in ("20", "0"):
        settings = load({"STORYSTREAM_INGEST_TOKEN": TOKEN, "STORYSTREAM_RATE_LIMIT": rate, "STORYSTREAM_RATE_BURST": "40"})
        got, _ = _post_many(settings, 12)
        assert [s for s, _, _ in got] == [202] * 12, rate
