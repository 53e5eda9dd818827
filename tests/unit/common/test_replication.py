"""Replication decisions (``services.common.replication``): factor and min.insync.replicas
from the settings or the broker count, applied to faust's own topics, idempotent producers."""
from __future__ import annotations

import asyncio

import pytest

from services.common import replication
from services.common.app import make_app
from services.common.replication import Replication, ReplicationError, plan
from services.common.settings import load


@pytest.mark.parametrize("brokers, factor, min_isr", [(1, 1, 1), (2, 2, 2), (3, 3, 2), (5, 3, 2)])
def test_defaults_follow_the_broker_count(brokers, factor, min_isr):
    assert plan(load(), brokers) == Replication(factor, min_isr, brokers)


def test_explicit_settings_win():
    s = load({"STORYSTREAM_REPLICATION_FACTOR": "2", "STORYSTREAM_MIN_INSYNC_REPLICAS": "1"})
    assert plan(s, 5) == Replication(2, 1, 5)


def test_an_explicit_factor_of_one_lowers_the_default_min_isr():
    assert plan(load({"STORYSTREAM_REPLICATION_FACTOR": "1"}), 3) == Replication(1, 1, 3)


def test_a_factor_above_the_broker_count_is_refused_with_the_variable_named():
    with pytest.raises(ReplicationError, match="STORYSTREAM_REPLICATION_FACTOR=3 .* 1 broker"):
        plan(load({"STORYSTREAM_REPLICATION_FACTOR": "3"}), 1)


def test_min_isr_above_the_factor_is_refused():
    s = load({"STORYSTREAM_REPLICATION_FACTOR": "2", "STORYSTREAM_MIN_INSYNC_REPLICAS": "3"})
    with pytest.raises(ReplicationError, match="STORYSTREAM_MIN_INSYNC_REPLICAS=3"):
        plan(s, 3)


def test_no_broker_in_the_metadata_is_an_error():
    with pytest.raises(ReplicationError):
        plan(load(), 0)


def test_topic_config_carries_min_isr():
    assert Replication(3, 2, 3).topic_config() == {"min.insync.replicas": "2"}


def test_faust_declared_topics_get_the_plan(monkeypatch, tmp_path):
    """A changelog declared by faust (replication 1 and its own config) is created with the
    planned factor and min.insync.replicas, its own config kept; the cluster is asked once."""
    settings = load({"STORYSTREAM_DATA_DIR": str(tmp_path)})
    app = make_app("unit-repl", settings)
    calls, asked = [], []

    async def fake_create(topic, partitions, replication_, *, config=None, **kw):
        calls.append((topic, partitions, replication_, dict(config or {}), kw))

    async def fake_resolve(s):
        asked.append(s)
        return Replication(3, 2, 4)

    # wrap a recording create_topic the same way make_app wrapped faust's
    app.producer.create_topic = fake_create
    monkeypatch.setattr(replication, "resolve", fake_resolve)
    replication.replicate_declared_topics(app, settings)

    async def go():
        await app.producer.create_topic("x-changelog", 1, 1, config={"cleanup.policy": "compact"},
                                        compacting=True)
        await app.producer.create_topic("y-repartition", 4, 1)
    asyncio.run(go())
    assert calls == [("x-changelog", 1, 3, {"cleanup.policy": "compact", "min.insync.replicas": "2"},
                      {"compacting": True}),
                     ("y-repartition", 4, 3, {"min.insync.replicas": "2"}, {})]
    assert len(asked) == 1


def test_make_app_wraps_faust_topic_creation(tmp_path):
    app = make_app("unit-repl2", load({"STORYSTREAM_DATA_DIR": str(tmp_path)}))
    assert app.producer.create_topic.__qualname__.startswith("replicate_declared_topics")


def test_faust_producer_is_idempotent_with_acks_all(tmp_path):
    app = make_app("unit-idem", load({"STORYSTREAM_DATA_DIR": str(tmp_path)}))
    extra = app.producer._settings_extra()
    assert extra["enable_idempotence"] is True and extra["acks"] == "all"

    async def build():
        return app.producer._new_producer()   # the aiokafka producer faust would start
    p = asyncio.run(build())
    assert p._txn_manager is not None          # aiokafka's idempotence state
