"""Integration fixtures: the real broker (session), workers as real processes."""
from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.stack import settings_for, stack_env, workers
from devtools.supervisor import Supervisor
from services.common import story_state
from services.common.kafka import ensure_topics, make_consumer, make_producer, wait_for_broker
from services.common.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ["annotator", "quotes", "entities", "aggregator"]


@dataclass
class Pipeline:
    env: dict
    settings: Settings
    log_path: Path
    supervisor: Supervisor | None = None
    web_port: int = 0
    extra: dict = field(default_factory=dict)

    def cli(self, *args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.cli", *args], env=self.env, input=stdin,
                              capture_output=True, timeout=timeout, cwd=ROOT)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def make_env(bootstrap: str, tmp: Path, **extra) -> dict:
    """Isolated topics and consumer groups per test module (``devtools.stack.stack_env``)."""
    return stack_env(bootstrap, tmp, prefix=f"it{uuid.uuid4().hex[:8]}-", STORYSTREAM_PARTITIONS="2",
                     STORYSTREAM_LOG_LEVEL="info", PYTHONPATH=str(ROOT), **extra)


@contextlib.contextmanager
def running_pipeline(kafka_bootstrap: str, tmp: Path, **extra):
    """The four workers as real processes on isolated topics; stopped (and their exit codes
    checked) on exit."""
    env = make_env(kafka_bootstrap, tmp, **extra)
    settings = settings_for(env)
    asyncio.run(_ensure(settings))
    log_path = tmp / "workers.log"
    with workers(WORKERS, env, log_path) as sup:
        p = Pipeline(env=env, settings=settings, log_path=log_path, supervisor=sup,
                     web_port=int(env["STORYSTREAM_WEB_PORT"]))
        yield p
    for c in sup.children:
        assert c.proc.returncode in (0, -15), f"worker {c.name} exited with {c.proc.returncode}\n{p.logs()[-4000:]}"


@pytest.fixture(scope="module")
def kafka_cluster(tmp_path_factory):
    """A three-node KRaft cluster (devtools/broker/cluster.py) for one test module; small
    heaps (three JVMs on two cores).  No skip: a cluster that cannot start errors."""
    from devtools.broker.cluster import LocalCluster
    cluster = LocalCluster(data_dir=tmp_path_factory.mktemp("cluster"), size=3, heap_mb=320, fresh=True)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


async def describe_topics(settings: Settings, names: list[str]) -> dict[str, list[dict]]:
    """topic -> its partitions (``partition``, ``leader``, ``replicas``, ``isr``) per the cluster."""
    from aiokafka.admin import AIOKafkaAdminClient
    from services.common.kafka import client_options
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15000)
    await admin.start()
    try:
        return {t["topic"]: sorted(t["partitions"], key=lambda p: p["partition"])
                for t in await admin.describe_topics(names)}
    finally:
        await admin.close()


async def topic_config(settings: Settings, name: str) -> dict[str, str]:
    """A topic's configuration as the cluster reports it."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
    from services.common.kafka import client_options
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15000)
    await admin.start()
    try:
        resp = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        return {c[0]: c[1] for c in resp[0].resources[0][4]}
    finally:
        await admin.close()


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap, tmp_path_factory):
    with running_pipeline(kafka_bootstrap, tmp_path_factory.mktemp("pipeline")) as p:
        yield p


async def _ensure(settings: Settings) -> None:
    await wait_for_broker(settings)
    await ensure_topics(settings)


async def read_until(settings: Settings, topic: str, predicate, timeout: float = 120.0, from_offsets=None,
                     raw_topic: bool = False):
    """Read ``topic`` (a project topic, or any topic name with ``raw_topic``) from the beginning
    with a plain consumer until ``predicate(records)`` holds."""
    consumer = make_consumer(settings, topic if raw_topic else settings.topic(topic), group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    records = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
            if predicate(records):
                return records
        raise AssertionError(f"timed out after {timeout}s reading {topic}: {len(records)} record(s)")
    finally:
        await consumer.stop()


async def send_raw(settings: Settings, topic: str, items: list[tuple[bytes | None, bytes | None]]) -> None:
    producer = make_producer(settings)
    await producer.start()
    try:
        for key, value in items:
            await producer.send_and_wait(settings.topic(topic), key=key, value=value)
    finally:
        await producer.stop()


def latest_states(records) -> dict[str, dict]:
    """story id -> latest state, from story-state consumer records."""
    return story_state.latest_states(r.value for r in records)


def covered_articles(records) -> set[str]:
    return set(story_state.membership(latest_states(records)))
