"""The three-node local cluster (``storystream broker --brokers 3``) and the replication
the services give their topics on it (issue 19, item 3)."""
from __future__ import annotations

import pytest

from devtools.stack import settings_for
from services.common.app import make_app
from services.common.kafka import ensure_topics, make_producer, topic_layout
from tests.integration.conftest import describe_topics, make_env, topic_config

pytestmark = pytest.mark.integration


async def test_project_topics_have_three_replicas_all_in_sync(kafka_cluster, tmp_path):
    settings = settings_for(make_env(kafka_cluster.bootstrap, tmp_path))
    created = await ensure_topics(settings)
    assert sorted(created) == sorted(topic_layout(settings))
    parts = await describe_topics(settings, created)
    for name in created:
        for p in parts[name]:
            assert len(p["replicas"]) == 3, (name, p)
            assert sorted(p["isr"]) == [1, 2, 3], (name, p)
        assert (await topic_config(settings, name))["min.insync.replicas"] == "2", name


async def test_a_faust_changelog_is_created_with_the_same_replication(kafka_cluster, tmp_path):
    """faust declares a table's changelog itself (replication 1 by its settings): the wrapped
    create_topic gives it 3 replicas and min.insync.replicas 2, keeping its compaction."""
    settings = settings_for(make_env(kafka_cluster.bootstrap, tmp_path))
    app = make_app("it-changelog", settings)
    table = app.Table("probe", default=None, partitions=1)
    try:
        await table.changelog_topic.maybe_declare()
    finally:
        await app.producer.stop()
    name = table.changelog_topic.get_topic_name()
    (p,) = (await describe_topics(settings, [name]))[name]
    assert len(p["replicas"]) == 3 and sorted(p["isr"]) == [1, 2, 3], p
    config = await topic_config(settings, name)
    assert config["min.insync.replicas"] == "2"
    assert config["cleanup.policy"] == "compact"


async def test_acks_all_writes_survive_a_killed_leader(kafka_cluster, tmp_path):
    """SIGKILL the leader of a partition: the idempotent acks=all producer still writes
    (two replicas in sync >= min.insync.replicas), the ISR shrinks to the two live nodes and
    is back to three once the node restarts; every acknowledged record is there once."""
    from tests.integration.conftest import read_until

    settings = settings_for(make_env(kafka_cluster.bootstrap, tmp_path))
    await ensure_topics(settings)
    topic = settings.topic("dead-letters")
    (p,) = (await describe_topics(settings, [topic]))[topic]
    leader = p["leader"]
    producer = make_producer(settings, request_timeout_ms=30000)
    await producer.start()
    try:
        for i in range(20):
            await producer.send_and_wait(topic, f"before-{i}".encode(), key=b"k")
        kafka_cluster.kill(leader)
        for i in range(20):
            await producer.send_and_wait(topic, f"after-{i}".encode(), key=b"k")
        (p,) = (await describe_topics(settings, [topic]))[topic]
        assert p["leader"] != leader and leader not in p["isr"] and len(p["isr"]) == 2, p
    finally:
        await producer.stop()
        kafka_cluster.restart(leader)
    records = await read_until(settings, "dead-letters", lambda rs: len(rs) >= 40, timeout=60)
    assert sorted(r.value for r in records) == sorted(
        [f"before-{i}".encode() for i in range(20)] + [f"after-{i}".encode() for i in range(20)])
    import asyncio
    for _ in range(120):
        (p,) = (await describe_topics(settings, [topic]))[topic]
        if sorted(p["isr"]) == [1, 2, 3]:
            break
        await asyncio.sleep(0.5)
    assert sorted(p["isr"]) == [1, 2, 3], p
