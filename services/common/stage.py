"""A thin, generic faust stage: read a topic in batches, parse each message
with its schema, run a pure batch function off the event loop, send results.

Bad messages (unparseable, or failing alone in processing) go to dead-letters
with their origin; the batch's good messages still go through.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Callable, Sequence

import faust
from pydantic import BaseModel

from services.common import logging as slog
from services.common.codec import BadMessage, crash_reason, decode
from services.common.deadletters import DeadLetters
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
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=service)

    async def run(items: list[tuple[object, BaseModel]]) -> list[tuple[object, tuple]]:
        loop = asyncio.get_running_loop()
        try:
            outs = await loop.run_in_executor(pool, process, [m for _, m in items])
            return list(zip([msg for msg, _ in items], outs))
        except Exception:
            if len(items) == 1:
                raise
        # isolate the failing message(s): process one by one
        results = []
        for msg, m in items:
            try:
                out = await loop.run_in_executor(pool, process, [m])
                results.append((msg, out[0]))
            except Exception as exc:  # a message that crashes the pure logic
                await dlq.send(msg, crash_reason(exc), error_type="processing")
        return results

    @app.agent(src, name=f"{service}-agent")
    async def stage(stream):
        async for events in stream.take_events(settings.batch_size, within=settings.batch_within):
            items = []
            for ev in events:
                try:
                    parsed = decode(model, ev.message.value)
                    reason = check(parsed) if check else None
                    if reason:
                        raise BadMessage(reason)
                    items.append((ev.message, parsed))
                except BadMessage as exc:
                    await dlq.send(ev.message, str(exc), error_type="invalid")
                except Exception as exc:  # never let one message stop the agent
                    await dlq.send(ev.message, crash_reason(exc), error_type="invalid")
            if not items:
                continue
            try:
                done = await run(items)
            except Exception as exc:
                msg = items[0][0]
                await dlq.send(msg, crash_reason(exc), error_type="processing")
                continue
            for msg, (article_id, key, value, fields) in done:
                await dst.send(key=key, value=value)
                log.info(event, article_id=article_id, partition=msg.partition, offset=msg.offset, **fields)
