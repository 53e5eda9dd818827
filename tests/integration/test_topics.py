"""`ensure_topics` on the real broker: topics come back ready to take writes."""
from __future__ import annotations

import logging

import pytest

from devtools.stack import settings_for
from services.common.kafka import ensure_topics, make_producer, topic_layout
from tests.integration.conftest import make_env

pytestmark = pytest.mark.integration


async def test_new_topics_take_their_first_writes_without_leader_retries(kafka_bootstrap, tmp_path, caplog):
    """The broker names a leader in its metadata before it acts as one; without waiting for
    the partitions to answer, the first sends to fresh topics met NotLeaderForPartitionError
    (2 of 3 fresh prefixes in a probe) and aiokafka logged a warning for each retry."""
    for attempt in range(3):
        settings = settings_for(make_env(kafka_bootstrap, tmp_path / str(attempt)))
        created = await ensure_topics(settings)
        assert sorted(created) == sorted(topic_layout(settings))
        caplog.clear()
        producer = make_producer(settings)
        await producer.start()
        try:
            with caplog.at_level(logging.WARNING, logger="aiokafka"):
                for name, spec in topic_layout(settings).items():
                    for p in range(spec["partitions"]):
                        await producer.send_and_wait(name, b"{}", key=b"k", partition=p)
        finally:
            await producer.stop()
        retries = [r.getMessage() for r in caplog.records if "NotLeader" in r.getMessage()]
        assert retries == [], retries
        assert await ensure_topics(settings) == []     # idempotent: nothing created twice
