from __future__ import annotations

from services.common.kafka import client_options, topic_layout
from services.common.settings import Settings


def test_env_overrides(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "example:1234")
    monkeypatch.setenv("STORYSTREAM_TOPIC_PREFIX", "p-")
    s = Settings()
    assert s.bootstrap == "example:1234"
    assert s.topic("articles") == "p-articles"


def test_secrets_never_in_public_view_or_repr(monkeypatch):
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "hunter2")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "svc")
    s = Settings()
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(s.public())
    opts = client_options(s)
    assert opts["sasl_mechanism"] == "SCRAM-SHA-512" and opts["sasl_plain_password"] == "hunter2"
    assert opts["security_protocol"] == "SASL_PLAINTEXT"


def test_topic_layout_story_state_is_compacted_and_aggregator_inputs_single_partition(monkeypatch):
    monkeypatch.setenv("STORYSTREAM_PARTITIONS", "6")
    layout = topic_layout(Settings())
    assert layout["story-state"]["config"]["cleanup.policy"] == "compact"
    assert layout["articles"]["partitions"] == 6
    assert layout["article-quotes"]["partitions"] == 1 and layout["article-entities"]["partitions"] == 1


async def test_topics_never_served_by_a_leader_fail_with_a_clear_error(monkeypatch):
    """``ensure_topics`` waits for new partitions to answer on their leader; a broker that
    never serves them makes start-up fail with the topics named, not hang."""
    import asyncio

    import pytest

    from services.common import kafka

    class NeverServed:
        async def start(self):
            pass

        async def stop(self):
            pass

        async def end_offsets(self, tps):
            await asyncio.sleep(3600)

    async def partitions(consumer, topic):
        return {0, 1}

    monkeypatch.setattr(kafka, "make_consumer", lambda *a, **k: NeverServed())
    monkeypatch.setattr(kafka, "cluster_partitions", partitions)
    with pytest.raises(TimeoutError, match=r"partition leader after 1s: \['x-articles'\]"):
        await kafka._wait_for_leaders(Settings(), ["x-articles"], timeout=1.0)
