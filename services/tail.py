"""``storystream tail``: a plain Kafka consumer that prints story states."""
from __future__ import annotations

import asyncio
import json
import sys
import time

from services.common.kafka import make_consumer, wait_for_broker
from services.common.settings import Settings
from services.render import render_story


async def tail(settings: Settings, *, topic: str = "story-state", as_json: bool = False,
               from_beginning: bool = False, idle: float | None = None, limit: int | None = None,
               out=sys.stdout) -> int:
    await wait_for_broker(settings)
    consumer = make_consumer(settings, settings.topic(topic), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest" if from_beginning else "latest")
    await consumer.start()
    seen, last = 0, time.monotonic()
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batch.values():
                for rec in records:
                    seen += 1
                    last = time.monotonic()
                    text = rec.value.decode("utf-8", "replace") if rec.value is not None else "null"
                    if as_json:
                        print(text, file=out, flush=True)
                    else:
                        try:
                            value = json.loads(text)
                        except json.JSONDecodeError:
                            print(text, file=out, flush=True)
                            continue
                        if isinstance(value, dict) and "story_id" in value and "version" in value:
                            print(render_story(value), file=out, flush=True)
                        else:
                            print(json.dumps(value, indent=2, ensure_ascii=False), file=out, flush=True)
                    if limit is not None and seen >= limit:
                        return 0
            if idle is not None and time.monotonic() - last > idle:
                return 0
    except asyncio.CancelledError:
        return 0
    finally:
        await consumer.stop()
