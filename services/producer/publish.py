"""Publish articles to the ``articles`` topic (acks=all, idempotent producer).

Records that fail to read or validate are reported on stderr in one line each
and sent to ``dead-letters`` with their original bytes; the rest go through.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from schemas.models import Article
from services.common import logging as slog
from services.common.codec import article_key, dead_letter, encode
from services.common.kafka import ensure_topics, make_producer, wait_for_broker
from services.common.settings import Settings
from services.producer.sources import SourceError


@dataclass
class PublishReport:
    published: int = 0
    errors: int = 0

    def line(self) -> str:
        return f"published {self.published} article(s), {self.errors} error(s)"


async def publish(records: Iterable[Article | SourceError], settings: Settings, *, err=sys.stderr) -> PublishReport:
    log = slog.get_logger("storystream.producer")
    await wait_for_broker(settings)
    await ensure_topics(settings)
    producer = make_producer(settings)
    await producer.start()
    report = PublishReport()
    topic, dlq = settings.topic("articles"), settings.topic("dead-letters")
    try:
        for record in records:
            if isinstance(record, SourceError):
                report.errors += 1
                print(record.line(), file=err, flush=True)
                letter = dead_letter(reason=f"{record.source}: {record.reason}", error_type="invalid",
                                     service="producer",
                                     topic=None, partition=None, offset=None, key=None, value=record.raw)
                await producer.send_and_wait(dlq, key=record.source.encode("utf-8", "replace")[:512],
                                             value=encode(letter))
                continue
            article = record.model_copy(update={"produced_at": datetime.now(timezone.utc)})
            await producer.send(topic, key=article_key(article.article_id), value=encode(article))
            report.published += 1
            log.info("article.published", article_id=article.article_id, source=article.source)
        await producer.flush()
    finally:
        await producer.stop()
    return report
