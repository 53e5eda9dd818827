"""What the aggregator last published: the newest version per story id in the tail of the
``story-state`` topic (read once, when a restarted aggregator restores its tables).

The aggregator publishes a story's state before it persists the change, so a worker killed
in between leaves a published version newer than its tables; ``agent.py`` re-states such
stories above that version (``StoryEngine.supersede``)."""
from __future__ import annotations

import json
import re

from aiokafka import TopicPartition

from services.common.kafka import cluster_partitions, make_consumer, topic_layout
from services.common.settings import Settings

# far more than can be published between two flushes of the aggregator's tables
TAIL_MESSAGES = 2000
_VERSION = re.compile(rb'"version"\s*:\s*(\d+)')


def version_of(value: bytes | None) -> int | None:
    """The story-state version in a message value (only the first field named so is read)."""
    if not value:
        return None
    m = _VERSION.search(value[:4096])
    return int(m.group(1)) if m else None


def story_id_of(key: bytes | None) -> str | None:
    try:
        return json.loads(key)["story_id"] if key else None
    except (ValueError, KeyError, TypeError):
        return None


async def published_versions(settings: Settings, tail: int = TAIL_MESSAGES) -> dict[str, int]:
    """story id -> highest version among the last ``tail`` messages of every partition."""
    topic = settings.topic("story-state")
    consumer = make_consumer(settings, group_id=None, enable_auto_commit=False)
    await consumer.start()
    out: dict[str, int] = {}
    try:
        # an unsubscribed consumer knows no partitions: ask the cluster (else our own layout)
        parts = (await cluster_partitions(consumer, topic)
                 or set(range(topic_layout(settings)["story-state"]["partitions"])))
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return out
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        for tp in tps:
            consumer.seek(tp, max(starts[tp], ends[tp] - tail))
        pending = {tp for tp in tps if ends[tp] > max(starts[tp], ends[tp] - tail)}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, records in batch.items():
                for r in records:
                    sid, v = story_id_of(r.key), version_of(r.value)
                    if sid is not None and v is not None and v > out.get(sid, -1):
                        out[sid] = v
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        return out
    finally:
        await consumer.stop()
