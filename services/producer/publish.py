"""Publish articles to the ``articles`` topic (acks=all, idempotent producer), every send confirmed.

Records that fail to read or validate are reported on stderr in one line each and sent to
``dead-letters`` with their original bytes; the rest go through.

Every send is confirmed: :class:`Publisher` awaits each send's delivery (in the background, so
sends still go out in batches); a send the broker refuses is retried ``retries`` times with a
growing pause, and one that still fails is reported (a stderr line and a log event naming the
record and the broker's error) and counted in ``PublishReport.failed``: the command then exits
non-zero instead of printing a clean count.  ``send_article`` and ``send_dead_letter`` return a
future of the outcome (True: the broker has it), so a caller acts only on confirmed records: the
file follower saves its offset, the drop folder moves a file, the feeds worker records an item as
seen, the ingest service answers ``202``.
"""
from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TextIO

from aiokafka.errors import KafkaError

from schemas.models import Article
from services.common import logging as slog
from services.common.codec import article_key, dead_letter, encode
from services.common.kafka import ensure_topics, make_producer, wait_for_broker
from services.common.metrics import DEAD_LETTERS, STAGE_OUT
from services.common.settings import Settings
from services.producer.sources import SourceError

# The original bytes kept in a dead letter. Every line the readers accept (at most twice the
# largest body plus 64 KiB: 8.1 MB by default) fits whole, so a refused record is never cut;
# base64 in the letter's JSON makes that <= 13.4 MiB, under the topics' 16 MiB message limit.
# Only something larger (a 50 MB page handed in whole) is cut, and the reason says so.
MAX_DEAD_LETTER_BYTES = 10 * 1024 * 1024


@dataclass
class PublishReport:
    published: int = 0
    errors: int = 0      # records refused (dead-lettered)
    failed: int = 0      # sends the broker did not take after every retry

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.failed == 0

    def line(self) -> str:
        text = f"published {self.published} article(s), {self.errors} error(s)"
        return text + (f", {self.failed} send(s) failed" if self.failed else "")


class Publisher:
    """The project's producer with confirmed, retried sends (``async with Publisher(settings)``)."""

    def __init__(self, settings: Settings, *, service: str = "producer", retries: int = 3,
                 backoff: float = 0.2, err: TextIO | None = sys.stderr, producer: Any = None,
                 ensure: bool = True) -> None:
        self.settings = settings
        self.service = service
        self.retries = retries
        self.backoff = backoff
        self.err = err
        self.ensure = ensure
        self.report = PublishReport()
        self.log = slog.get_logger(f"storystream.{service}")
        self.articles_topic = settings.topic("articles")
        self.dead_letters_topic = settings.topic("dead-letters")
        self._producer = producer
        self._own_producer = producer is None
        self._pending: set[asyncio.Task] = set()

    async def __aenter__(self) -> "Publisher":
        await self.start()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._own_producer:
            if self.ensure:
                await wait_for_broker(self.settings)
                await ensure_topics(self.settings)
            self._producer = make_producer(self.settings)
            await self._producer.start()

    async def stop(self) -> None:
        try:
            await self.drain()
        finally:
            if self._own_producer and self._producer is not None:
                await self._producer.stop()

    async def drain(self) -> None:
        """Until every send so far is confirmed or finally failed."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    # ------------------------------------------------------------------ sends
    async def send(self, topic: str, key: bytes | None, value: bytes | None, *, what: str,
                   partition: int | None = None) -> asyncio.Task:
        """Hand one record to the producer (in call order); the task's result is True once the
        broker acknowledged it, False once it failed after every retry (already reported)."""
        try:
            delivery = await self._producer.send(topic, key=key, value=value, partition=partition)
        except KafkaError as exc:      # refused before it left (e.g. larger than max_request_size)
            delivery = _failed(exc)
        task = asyncio.ensure_future(self._confirm(delivery, topic, key, value, partition, what))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def _confirm(self, delivery, topic, key, value, partition, what) -> bool:
        attempt = 0
        while True:
            try:
                await delivery
                return True
            except KafkaError as exc:
                attempt += 1
                if attempt > self.retries:
                    self.report.failed += 1
                    reason = f"{type(exc).__name__}: {exc}"
                    self.log.error("send.failed", what=what, topic=topic, attempts=attempt, error=reason)
                    if self.err is not None:
                        print(f"error: {what}: not published after {attempt} attempt(s): {reason}",
                              file=self.err, flush=True)
                    return False
                self.log.warning("send.retry", what=what, topic=topic, attempt=attempt,
                                 error=f"{type(exc).__name__}: {exc}")
                # jittered, so that records refused in one batch are not batched together again
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
                try:
                    delivery = await self._producer.send(topic, key=key, value=value, partition=partition)
                except KafkaError as again:
                    delivery = _failed(again)

    async def send_article(self, article: Article) -> asyncio.Task:
        article = article.model_copy(update={"produced_at": datetime.now(timezone.utc)})
        task = await self.send(self.articles_topic, article_key(article.article_id), encode(article),
                               what=article.source or article.article_id)

        def counted(t: asyncio.Task) -> None:
            if not t.cancelled() and t.result():
                self.report.published += 1
                STAGE_OUT.labels(self.service).inc()
                self.log.info("article.published", article_id=article.article_id, source=article.source)
        task.add_done_callback(counted)
        return task

    async def send_dead_letter(self, source: str, reason: str, raw: bytes | None, *,
                               error_type: str = "invalid", key: bytes | None = None) -> asyncio.Task:
        """A refused record: one stderr line (``error: SOURCE: REASON``), a log event and a dead
        letter with the reason, the source and (up to ``MAX_DEAD_LETTER_BYTES``) its bytes."""
        self.report.errors += 1
        DEAD_LETTERS.labels(self.service, error_type).inc()
        one_line = " ".join(f"{source}: {reason}".split())
        if self.err is not None:
            print(f"error: {one_line}", file=self.err, flush=True)
        self.log.warning("record.dead_lettered", source=source, reason=reason, error_type=error_type)
        raw = raw or b""
        if len(raw) > MAX_DEAD_LETTER_BYTES:
            one_line += f" (original cut to its first {MAX_DEAD_LETTER_BYTES} of {len(raw)} bytes)"
            raw = raw[:MAX_DEAD_LETTER_BYTES]
        letter = dead_letter(reason=one_line, error_type=error_type, service=self.service,
                             topic=None, partition=None, offset=None, key=key, value=raw)
        return await self.send(self.dead_letters_topic, key or source.encode("utf-8", "replace")[:512],
                               encode(letter), what=f"dead letter for {source}")

    async def send_item(self, item: Article | SourceError) -> asyncio.Task:
        if isinstance(item, SourceError):
            return await self.send_dead_letter(item.source, item.reason, item.raw)
        return await self.send_article(item)


def _failed(exc: BaseException) -> asyncio.Future:
    fut = asyncio.get_running_loop().create_future()
    fut.set_exception(exc)
    return fut


async def publish(records: Iterable[Article | SourceError] | AsyncIterable[Article | SourceError],
                  settings: Settings, *, err: TextIO = sys.stderr) -> PublishReport:
    """Publish every record (a plain or an async iterable: each as it comes); the report
    counts confirmed articles, refused records and failed sends."""
    async with Publisher(settings, err=err) as pub:
        await publish_all(pub, records)
    return pub.report


async def publish_all(pub: Publisher,
                      records: Iterable[Article | SourceError] | AsyncIterable[Article | SourceError]) -> None:
    """Send every record as it comes.  A plain iterable is advanced in a worker thread: reading
    a pipe blocks, and the producer must go on sending (and confirming) meanwhile."""
    if isinstance(records, AsyncIterable):
        async for record in records:
            await pub.send_item(record)
        return
    it, end = iter(records), object()
    while (record := await asyncio.to_thread(next, it, end)) is not end:
        await pub.send_item(record)
