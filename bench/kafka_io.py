"""The benchmark's own Kafka clients: it produces the articles, watches ``story-state`` for
their arrival, and asks whether a consumer group has settled."""
from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timezone

from aiokafka.admin import AIOKafkaAdminClient

from schemas.models import Article
from services.common.codec import article_key, encode
from services.common.kafka import client_options, make_consumer, make_producer
from services.common.settings import Settings


async def group_ready(settings: Settings, group: str, members: int) -> bool:
    """True when the consumer group is Stable with ``members`` members that all hold partitions."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=5000)
    await admin.start()
    try:
        resp = await admin.describe_consumer_groups([group])
        g = resp[0].groups[0]
        state, ms = g[2], g[5]
        return state == "Stable" and len(ms) == members and all(len(m[-1] or b"") > 8 for m in ms)
    except Exception:  # noqa: BLE001 - any admin hiccup means "not yet"
        return False
    finally:
        await admin.close()


class StateWatcher:
    """Reads story-state; the first state carrying each article id (``delta.articles_added``)
    gives that article's arrival time (the state record's Kafka timestamp)."""

    def __init__(self, settings: Settings):
        self.consumer = make_consumer(settings, settings.topic("story-state"), group_id=None,
                                      auto_offset_reset="earliest", enable_auto_commit=False,
                                      max_partition_fetch_bytes=16 * 1024 * 1024,
                                      fetch_max_bytes=32 * 1024 * 1024)
        self.arrivals: dict[str, float] = {}
        self.states = 0
        self.task: asyncio.Task | None = None

    @staticmethod
    def added(value: bytes) -> list[str]:
        i = value.rfind(b'"delta":')
        try:  # StoryState serialises ``delta`` last: parse only that tail
            return json.loads(value[i + 8:-1])["articles_added"] if i >= 0 else []
        except (ValueError, KeyError):
            return json.loads(value).get("delta", {}).get("articles_added", [])

    async def start(self) -> "StateWatcher":
        await self.consumer.start()
        self.task = asyncio.create_task(self._loop())
        return self

    async def _loop(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                for rec in recs:
                    self.states += 1
                    for aid in self.added(rec.value):
                        self.arrivals.setdefault(aid, rec.timestamp / 1000.0)

    async def wait(self, ids, timeout: float, check=None) -> bool:
        deadline = time.monotonic() + timeout
        ids = list(ids)
        while time.monotonic() < deadline:
            if self.task.done():
                self.task.result()
            if all(a in self.arrivals for a in ids):
                return True
            if check is not None:
                check()
            await asyncio.sleep(0.1)
        return False

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        await self.consumer.stop()


async def produce(settings: Settings, articles: list[Article], rate: float | None = None) -> dict[str, float]:
    """Publish ``articles`` (burst, or paced at ``rate``/s); returns id -> produce time (epoch s)."""
    producer = make_producer(settings)
    await producer.start()
    topic, sent = settings.topic("articles"), {}
    try:
        t0 = time.time()
        for i, a in enumerate(articles):
            if rate:
                delay = t0 + i / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            now = datetime.now(timezone.utc)
            art = a.model_copy(update={"produced_at": now})
            await producer.send(topic, key=article_key(a.article_id), value=encode(art))
            sent[a.article_id] = now.timestamp()
        await producer.flush()
    finally:
        await producer.stop()
    return sent
