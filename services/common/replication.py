"""How many copies every topic the services create keeps, decided from the cluster.

The replication factor and ``min.insync.replicas`` come from the settings
(``STORYSTREAM_REPLICATION_FACTOR`` / ``STORYSTREAM_MIN_INSYNC_REPLICAS``); unset, they
are min(3, brokers) and min(2, brokers), the broker count read from the cluster's
metadata when topics are created.  With ``acks=all`` a write is then acknowledged once
``min.insync.replicas`` copies have it, so one broker can die without losing an
acknowledged record (and, with three brokers, without stopping writes).

The same decision reaches faust's own topics (table changelogs, repartition topics):
``replicate_declared_topics`` wraps the app producer's ``create_topic``.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import Settings

DEFAULT_MAX_FACTOR = 3     # three copies: one broker down for maintenance, one more can fail
DEFAULT_MAX_MIN_ISR = 2    # an acknowledged write is on two brokers


class ReplicationError(ValueError):
    """Settings that the cluster cannot satisfy (one line, names the variable)."""


@dataclass(frozen=True)
class Replication:
    factor: int
    min_insync: int
    brokers: int

    def topic_config(self) -> dict[str, str]:
        return {"min.insync.replicas": str(self.min_insync)}


def plan(settings: Settings, brokers: int) -> Replication:
    """The replication of new topics on a cluster of ``brokers`` brokers.

    An explicit factor above the broker count, or a ``min.insync.replicas`` above the
    factor (every write would be refused), is an error, not silently lowered."""
    if brokers < 1:
        raise ReplicationError("the cluster metadata lists no broker")
    factor = settings.replication_factor or min(DEFAULT_MAX_FACTOR, brokers)
    if factor > brokers:
        raise ReplicationError(f"STORYSTREAM_REPLICATION_FACTOR={factor} but the cluster at "
                               f"{settings.bootstrap} has {brokers} broker(s)")
    # min(2, brokers) by default; capped by an explicit factor (factor 1 -> 1)
    min_isr = settings.min_insync_replicas or min(DEFAULT_MAX_MIN_ISR, brokers, factor)
    if min_isr > factor:
        raise ReplicationError(f"STORYSTREAM_MIN_INSYNC_REPLICAS={min_isr} exceeds the replication "
                               f"factor {factor}: every acks=all write would be refused")
    return Replication(factor=factor, min_insync=min_isr, brokers=brokers)


async def broker_count(admin) -> int:
    """Brokers in the cluster metadata (``AIOKafkaAdminClient``, started)."""
    return len((await admin.describe_cluster())["brokers"])


async def resolve(settings: Settings) -> Replication:
    """Ask the cluster for its size and plan (one short admin connection)."""
    from aiokafka.admin import AIOKafkaAdminClient

    from services.common.kafka import client_options

    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15000)
    await admin.start()
    try:
        return plan(settings, await broker_count(admin))
    finally:
        await admin.close()


def replicate_declared_topics(app, settings: Settings) -> None:
    """Every topic faust creates (changelogs, repartition topics) gets the planned factor
    and ``min.insync.replicas``; the plan is resolved at the first creation (the event loop
    runs then) and kept."""
    producer = app.producer
    original = producer.create_topic
    decided: list[Replication] = []

    async def create_topic(topic, partitions, replication, *, config=None, **kwargs):
        if not decided:
            decided.append(await resolve(settings))
        repl = decided[0]
        return await original(topic, partitions, repl.factor,
                              config={**(config or {}), **repl.topic_config()}, **kwargs)

    producer.create_topic = create_topic


def idempotent_producer(app) -> None:
    """faust's producer with ``acks=all`` and idempotence (faust enables idempotence only
    inside transactions): a retried send after a leader change is not written twice."""
    producer = app.producer
    original = producer._settings_extra

    def settings_extra():
        return {**original(), "acks": "all", "enable_idempotence": True}

    producer._settings_extra = settings_extra
