"""A thin, generic faust stage: read a topic in batches, parse each message
with its schema, run a pure batch function, send results.

The batch function runs on the event loop, synchronously: a batch is handled
with no await from taking it to buffering its results, so a stop (SIGTERM)
cannot split it (see ``handle_batch``).  The worker's other tasks (the
consumer's heartbeats, the producer's sender) wait meanwhile, so one batch must
take well under the consumer session timeout (``make_app``: 10 s).

Bad messages (unparseable, or failing alone in processing) go to dead-letters
with their origin; the batch's good messages still go through.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Sequence

import faust
from pydantic import BaseModel

from services.common import logging as slog
from services.common.codec import BadMessage, crash_reason, decode
from services.common.deadletters import DeadLetters
from services.common.metrics import PROCESSING, STAGE_IN, STAGE_OUT, instrument_faust
from services.common.settings import Settings

# (input models) -> list of (article_id, key bytes, value bytes, log fields)
BatchFn = Callable[[Sequence[BaseModel]], list[tuple[str, bytes, bytes, dict]]]


def register_stage(app: faust.App, settings: Settings, *, service: str, source: str, sink: str,
                   model: type[BaseModel], process: BatchFn, event: str,
                   check: Callable[[BaseModel], str | None] | None = None) -> None:
    """``check(model) -> reason or None`` refuses a parsed message (e.g. over a size limit)."""
    src = app.topic(settings.topic(source), key_serializer="raw", value_serializer="raw")
    dst = app.topic(settings.topic(sink), key_serializer="raw", value_serializer="raw")
    dlq = DeadLetters(app, settings, service)
    log = slog.get_logger(f"storystream.{service}")
    instrument_faust(app, settings, service)
    taken, sent, timing = STAGE_IN.labels(service), STAGE_OUT.labels(service), PROCESSING.labels(service)

    def run(items: list[tuple[object, BaseModel]]) -> list[tuple[object, tuple]]:
        try:
            return list(zip([msg for msg, _ in items], process([m for _, m in items])))
        except Exception:
            if len(items) == 1:
                dlq.send_soon(items[0][0], crash_reason_now(), error_type="processing")
                return []
        results = []  # isolate the failing message(s): process one by one
        for msg, m in items:
            try:
                results.append((msg, process([m])[0]))
            except Exception as exc:  # a message that crashes the pure logic
                dlq.send_soon(msg, crash_reason(exc), error_type="processing")
        return results

    def handle_batch(events) -> None:
        """No await in here: faust acks a taken batch when the agent is cancelled (SIGTERM)
        at an await mid-batch, so the whole batch is handled, and its results are in the
        producer buffer (flushed before any offset commit), before control goes back."""
        taken.inc(len(events))
        items = []
        for ev in events:
            try:
                parsed = decode(model, ev.message.value)
                reason = check(parsed) if check else None
                if reason:
                    raise BadMessage(reason)
                items.append((ev.message, parsed))
            except BadMessage as exc:
                dlq.send_soon(ev.message, str(exc), error_type="invalid")
            except Exception as exc:  # never let one message stop the agent
                dlq.send_soon(ev.message, crash_reason(exc), error_type="invalid")
        started = time.perf_counter()
        results = run(items) if items else []
        for _ in items:
            timing.observe((time.perf_counter() - started) / len(items))
        for msg, (article_id, key, value, fields) in results:
            dst.send_soon(key=key, value=value)
            sent.inc()
            log.info(event, article_id=article_id, partition=msg.partition, offset=msg.offset, **fields)

    @app.agent(src, name=f"{service}-agent")
    async def stage(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_within):
            handle_batch(events)


def crash_reason_now() -> str:
    exc = sys.exc_info()[1]
    return crash_reason(exc) if exc else "processing failed"
