"""The board's Kafka side: ``story-state`` read from the beginning with a plain consumer (no
group, nothing committed: every board start rebuilds its view from the compacted topic), and
single states read back at their offset for a story page.

``story-state`` has one partition (``services.common.kafka.topic_layout``), so a record's offset
orders every update; it is the server-sent events' id.
"""
from __future__ import annotations

import asyncio
import json
from typing import Callable, Optional

from aiokafka import TopicPartition

from services.board.store import BoardStore, Update
from services.common import logging as slog
from services.common.kafka import make_consumer, wait_for_broker
from services.common.settings import Settings

log = slog.get_logger("storystream.board")


def parse(value: Optional[bytes]) -> object:
    """A record's value as JSON (None for a tombstone or a value that is not JSON)."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


class StoryStateFeed:
    def __init__(self, settings: Settings, store: BoardStore, on_update: Callable[[Update], None]) -> None:
        self.settings, self.store, self.on_update = settings, store, on_update
        self.topic = settings.topic("story-state")
        self.tp = TopicPartition(self.topic, 0)
        self.caught_up = asyncio.Event()    # the topic's end at start has been read
        self._reader = None
        self._reader_lock = asyncio.Lock()

    async def run(self, stop: asyncio.Event) -> None:
        await wait_for_broker(self.settings)
        consumer = make_consumer(self.settings, group_id=None, enable_auto_commit=False,
                                 auto_offset_reset="earliest")
        await consumer.start()
        try:
            consumer.assign([self.tp])
            await consumer.seek_to_beginning(self.tp)
            end = (await consumer.end_offsets([self.tp]))[self.tp]
            if end == 0:
                self.caught_up.set()
            log.info("board.reading", topic=self.topic, end_offset=end)
            while not stop.is_set():
                batch = await consumer.getmany(self.tp, timeout_ms=500, max_records=1000)
                for rec in batch.get(self.tp, []):
                    update = self.store.apply(rec.offset, parse(rec.value))
                    if update is not None:
                        self.on_update(update)
                if not self.caught_up.is_set() and await consumer.position(self.tp) >= end:
                    self.caught_up.set()
                    log.info("board.caught_up", stories=len(self.store.summaries), offset=self.store.offset)
        finally:
            await consumer.stop()
            if self._reader is not None:
                await self._reader.stop()

    async def read_at(self, offset: int) -> Optional[dict]:
        """The story state at ``offset`` (None if compaction removed it)."""
        async with self._reader_lock:
            if self._reader is None:
                self._reader = make_consumer(self.settings, group_id=None, enable_auto_commit=False,
                                             auto_offset_reset="earliest")
                await self._reader.start()
                self._reader.assign([self.tp])
            self._reader.seek(self.tp, offset)
            batch = await self._reader.getmany(self.tp, timeout_ms=5000, max_records=1)
            for rec in batch.get(self.tp, []):
                value = parse(rec.value)
                return value if rec.offset == offset and isinstance(value, dict) else None
            return None
