"""Fault injection on a three-node cluster (issue 19): N articles through the real
pipeline while the node leading the ``articles`` partitions is SIGKILLed, later the node
leading the aggregator's ``stories`` changelog, plus the usual worker SIGKILLs; each node
comes back after a few seconds.  Topics and changelogs have 3 replicas and
min.insync.replicas 2 (the services' defaults on three brokers), so the pipeline keeps
running on two nodes.  Afterwards the same checks as the single-broker test
(``faults.check_run``): nothing lost or doubled, counts and extraction exact, the stories
identical to the in-process engine fed the order the aggregator consumed.

    RELIABILITY_CLUSTER_ARTICLES (200)  articles streamed (ECB+ dev repeated, fresh ids)
    RELIABILITY_CLUSTER_KILLS (4)       worker SIGKILLs, spread over the four worker types
    RELIABILITY_SEED                    replay a run (the seed is printed at start)
"""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter

import pytest

from devtools.broker.cluster import LocalCluster
from devtools.broker.launcher import _api_versions_ok
from services.common.kafka import client_options
from tests.reliability.faults import check_run, drive, make_schedule, note_schedule, plan
from tests.reliability.harness import (Workers, build_corpus, code_fingerprint, log, make_env,
                                       prepare_topics, settings_for)

pytestmark = pytest.mark.integration

ISR_TIMEOUT = 120.0


def cluster_schedule(rng: random.Random, n: int, kills: int) -> list[tuple[int, str, float]]:
    """The worker kills of ``make_schedule`` (its single-broker restart dropped), the
    ``articles`` leader killed in the first half and the changelog leader in the second."""
    workers = [e for e in make_schedule(rng, n, kills) if e[1] != "broker"]
    leaders = [(rng.randint(int(0.15 * n), int(0.35 * n)), "leader:articles", round(rng.uniform(3, 10), 1)),
               (rng.randint(int(0.55 * n), int(0.75 * n)), "leader:changelog", round(rng.uniform(3, 10), 1))]
    return sorted(workers + leaders)


async def _partitions(settings, topics: list[str]) -> list[dict]:
    from aiokafka.admin import AIOKafkaAdminClient
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=10000)
    await admin.start()
    try:
        out = []
        for t in await admin.describe_topics(topics):
            out += [dict(p, topic=t["topic"]) for p in t["partitions"]]
        return out
    finally:
        await admin.close()


class NodeFaults:
    """SIGKILL the leader of a topic's partitions, restart it after ``down`` seconds, and
    hold the next node kill until every watched partition has its three replicas in sync
    again (killing a second node first would leave one in-sync copy: below min.insync)."""

    def __init__(self, cluster: LocalCluster, settings, watched: list[str]) -> None:
        self.cluster, self.settings, self.watched = cluster, settings, watched
        self.lock = asyncio.Lock()
        self.kills: Counter = Counter()

    def action(self, kind: str, topic: str):
        async def fault(progress: int, down: float) -> dict:
            async with self.lock:
                parts = [p for p in await _partitions(self.settings, [topic]) if p["leader"] >= 0]
                leader = Counter(p["leader"] for p in parts).most_common(1)[0][0]
                log(f"progress {progress}: SIGKILL kafka node {leader} (leader of {topic}), down {down}s")
                t_k = time.monotonic()
                self.cluster.kill(leader)
                self.kills[kind] += 1
                await asyncio.sleep(down)
                node = self.cluster.node(leader)
                node.launch()            # (the event loop's thread: the main one)
                while not await asyncio.to_thread(_api_versions_ok, node.port):
                    await asyncio.sleep(0.5)
                back = time.monotonic() - t_k
                in_sync = await self.wait_in_sync()
                log(f"kafka node {leader} back after {back:.1f}s, all replicas in sync after "
                    f"{time.monotonic() - t_k:.1f}s")
                return {"node": leader, "topic": topic, "down_s": round(back, 1),
                        "in_sync_after_s": round(time.monotonic() - t_k, 1) if in_sync else None}
        return fault

    async def wait_in_sync(self) -> bool:
        deadline = time.monotonic() + ISR_TIMEOUT
        while time.monotonic() < deadline:
            try:
                parts = await _partitions(self.settings, self.watched)
                if parts and all(len(p["isr"]) == len(p["replicas"]) for p in parts):
                    return True
            except Exception as exc:   # metadata while a node rejoins
                log(f"describe_topics: {exc!r}")
            await asyncio.sleep(1.0)
        return False


def test_node_kills_on_a_three_node_cluster_change_nothing(tmp_path, figures):
    p = plan("cluster fault injection", figures, ("RELIABILITY_CLUSTER_ARTICLES", 200),
             ("RELIABILITY_CLUSTER_KILLS", 4))
    s, rng = p.seed, p.rng
    corpus = build_corpus(p.n, rng)
    schedule = cluster_schedule(rng, p.n, p.kills)
    note_schedule(schedule, figures)

    code_before = code_fingerprint()
    cluster = LocalCluster(data_dir=tmp_path / "cluster", size=3, heap_mb=320, fresh=True)
    cluster.start()
    try:
        env = make_env(cluster.bootstrap, tmp_path / "data")
        settings = settings_for(env)
        asyncio.run(prepare_topics(settings))
        changelog = f"{settings.app_id('aggregator')}-stories-changelog"
        watched = [settings.topic(t) for t in ("articles", "article-annotations", "article-quotes",
                                                 "article-entities", "story-state")]
        faults = NodeFaults(cluster, settings, watched)
        actions = {"leader:articles": faults.action("leader:articles", settings.topic("articles")),
                   "leader:changelog": faults.action("leader:changelog", changelog)}
        workers = Workers(env=env, log_path=tmp_path / "workers.log").start()
        try:
            out = asyncio.run(drive(corpus, schedule, settings, workers, None, rng, figures, actions=actions))
            changelog_parts = asyncio.run(_partitions(settings, [changelog]))
        finally:
            exit_codes = workers.stop()
            log_tail = workers.logs(8000)
    finally:
        cluster.stop()

    figures["node_kills"] = dict(faults.kills)
    figures["changelog_replicas"] = [len(p["replicas"]) for p in changelog_parts]
    assert faults.kills == {"leader:articles": 1, "leader:changelog": 1}, faults.kills
    assert all(r.get("in_sync_after_s") is not None for r in out["restarts"] if r["worker"].startswith("leader:")), \
        [r for r in out["restarts"] if r["worker"].startswith("leader:")]
    assert figures["changelog_replicas"] == [3], changelog_parts
    check_run(corpus, out, workers, exit_codes, log_tail, figures, s, tmp_path, code_before)
