"""Plain aiokafka helpers: connection options, topic creation, readiness."""
from __future__ import annotations

import asyncio
import ssl
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from schemas.topics import TOPICS
from services.common import access, replication
from services.common.settings import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context of the SSL and SASL_SSL protocols (the CA file, else the system's CAs;
    the client certificate if one is given), for aiokafka and faust alike; None without TLS."""
    if settings.security_protocol.upper() not in ("SSL", "SASL_SSL"):
        return None
    ctx = ssl.create_default_context(cafile=settings.ssl_cafile or None)
    if settings.ssl_certfile:
        ctx.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile or None)
    return ctx


def client_options(settings: Settings) -> dict:
    """aiokafka connection options incl. SSL and SASL (PLAIN / SCRAM-SHA-256/512)."""
    opts: dict = {"bootstrap_servers": settings.bootstrap}
    proto = settings.security_protocol.upper()
    if proto != "PLAINTEXT":
        opts["security_protocol"] = proto
    ctx = ssl_context(settings)
    if ctx is not None:
        opts["ssl_context"] = ctx
    if proto.startswith("SASL"):
        opts["sasl_mechanism"] = settings.sasl_mechanism or "PLAIN"
        opts["sasl_plain_username"] = settings.sasl_username
        opts["sasl_plain_password"] = settings.sasl_password.get_secret_value()
    return opts


def topic_layout(settings: Settings) -> dict[str, dict]:
    """Partitions and configs of every topic.

    Extraction topics scale out with ``STORYSTREAM_PARTITIONS``; the aggregator's
    inputs have one partition because online clustering needs one global view
    (one aggregator instance, its tables co-partitioned with its inputs).
    """
    p = settings.article_partitions
    layout = {
        "articles": {"partitions": p, "config": {}},
        "article-annotations": {"partitions": p, "config": {}},
        "article-quotes": {"partitions": 1, "config": {}},
        "article-entities": {"partitions": 1, "config": {}},
        "story-state": {"partitions": 1, "config": {"cleanup.policy": "compact",
                                                    "min.cleanable.dirty.ratio": "0.1",
                                                    "segment.ms": "3600000"}},
        "dead-letters": {"partitions": 1, "config": {}},
        # the feeds worker's state: partition = owner unit (services/feeds/ownership.py)
        "feed-state": {"partitions": settings.feeds_partitions, "config": {"cleanup.policy": "compact"}},
        "feed-items": {"partitions": settings.feeds_partitions, "config": {"cleanup.policy": "compact"}},
    }
    assert set(layout) == set(TOPICS)
    for spec in layout.values():
        spec["config"].setdefault("max.message.bytes", str(16 * 1024 * 1024))
    return {settings.topic(name): spec for name, spec in layout.items()}


async def wait_for_broker(settings: Settings, timeout: float = 60.0) -> None:
    """Until the cluster answers; ``KafkaAccessRefused`` at once if it refuses our TLS or
    SASL login (``access.probe``: retrying cannot help)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        await access.probe(settings)
        admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaConnectionError, KafkaError, OSError) as exc:
            last = exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
    raise TimeoutError(f"Kafka at {settings.bootstrap} not reachable within {timeout}s: {last!r}")


async def ensure_topics(settings: Settings) -> list[str]:
    """Create the project's topics if missing, replicated as ``replication.plan`` decides
    for the cluster's broker count; returns those created."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        repl = replication.plan(settings, await replication.broker_count(admin))
        new = [NewTopic(name, spec["partitions"], repl.factor,
                        topic_configs={**spec["config"], **repl.topic_config()})
               for name, spec in topic_layout(settings).items() if name not in existing]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
            await _wait_for_leaders(settings, [t.name for t in new])
        return [t.name for t in new]
    finally:
        await admin.close()


async def _wait_for_leaders(settings: Settings, names: list[str], timeout: float = 30.0) -> None:
    """Until every partition of the new topics answers on its leader: the metadata names a
    leader at once, but the first sends to a topic just created still meet
    ``NotLeaderForPartitionError`` for a moment (retried, yet logged as warnings).  Asking
    each partition's end offset is answered by the leader only, and aiokafka retries it."""
    consumer = make_consumer(settings, request_timeout_ms=15000)
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        tps = []
        for name in names:
            while not (parts := await cluster_partitions(consumer, name)):
                if loop.time() > deadline:
                    raise TimeoutError(f"topic {name} not in the cluster metadata after {timeout:.0f}s")
                await asyncio.sleep(0.1)
            tps += [TopicPartition(name, p) for p in sorted(parts)]
        try:
            await asyncio.wait_for(consumer.end_offsets(tps), max(1.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            raise TimeoutError(f"new topics not served by a partition leader after {timeout:.0f}s: "
                               f"{sorted(names)} (is the broker healthy?)") from None
    finally:
        await consumer.stop()


def make_producer(settings: Settings, **extra) -> AIOKafkaProducer:
    """Idempotent producer with acks=all."""
    return AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True,
                            max_request_size=16 * 1024 * 1024, linger_ms=5, **extra)


def make_consumer(settings: Settings, *topics: str, **extra) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(*topics, **client_options(settings), **extra)


async def cluster_partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The partitions of ``topic`` per the cluster's metadata (a consumer that subscribed to
    nothing knows none of its own); empty when the topic does not exist."""
    cluster = await consumer._client.fetch_all_metadata()   # (aiokafka has no public call for it)
    return set(cluster.partitions_for_topic(topic) or ())
