"""Every send confirmed: retried on failure, then reported and counted (no broker: a stand-in
producer whose deliveries fail as told)."""
from __future__ import annotations

import asyncio
import io

from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from schemas.models import Article
from services.common.settings import Settings
from services.producer.publish import Publisher
from services.producer.sources import SourceError


class FlakyProducer:
    """Fails the first ``failures[key]`` deliveries of each key."""

    def __init__(self, failures: dict[bytes, int], error=KafkaTimeoutError):
        self.failures, self.error, self.sent = dict(failures), error, []

    async def send(self, topic, key=None, value=None, partition=None):
        fut = asyncio.get_running_loop().create_future()
        self.sent.append(key)
        left = next((n for k, n in self.failures.items() if k in key), 0)
        if left:
            self.failures = {k: (n - 1 if k in key else n) for k, n in self.failures.items()}
            fut.set_exception(self.error())
        else:
            fut.set_result(None)
        return fut


def article(aid: str) -> Article:
    return Article(article_id=aid, title="T", body="B", content_hash="h", source=f"src-{aid}")


async def run(producer, items, retries=2):
    err = io.StringIO()
    pub = Publisher(Settings(), producer=producer, retries=retries, backoff=0.001, err=err)
    async with pub:
        tasks = [await pub.send_item(i) for i in items]
    return pub.report, [t.result() for t in tasks], err.getvalue()


def test_a_failed_send_is_retried_and_then_counted_as_published():
    prod = FlakyProducer({b"a1": 2})
    report, outcomes, err = asyncio.run(run(prod, [article("a1"), article("a2")]))
    assert outcomes == [True, True] and report.published == 2 and report.ok
    assert prod.sent.count(b'{"article_id":"a1"}') == 3 and err == ""


def test_a_send_failing_every_retry_is_reported_and_not_ok():
    prod = FlakyProducer({b"a1": 99}, error=MessageSizeTooLargeError)
    report, outcomes, err = asyncio.run(run(prod, [article("a1"), article("a2")]))
    assert outcomes == [False, True]
    assert report.published == 1 and report.failed == 1 and not report.ok
    assert "error: src-a1: not published after 3 attempt(s): MessageSizeTooLargeError" in err
    assert report.line() == "published 1 article(s), 0 error(s), 1 send(s) failed"


def test_refused_records_are_dead_lettered_with_reason_and_bytes_cut_to_a_bound():
    prod = FlakyProducer({})
    big = SourceError("feed.xml:3", "page is too large", b"x" * (3 << 20))
    report, outcomes, err = asyncio.run(run(prod, [big]))
    assert outcomes == [True] and report.errors == 1 and not report.ok
    assert err.startswith("error: feed.xml:3: page is too large")
    assert prod.sent == [b"feed.xml:3"]
