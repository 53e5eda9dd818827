"""A local KRaft cluster of N nodes from the same jars as ``LocalBroker``.

Each node is a combined controller + broker (``process.roles=broker,controller``) with its
own data dir (``node-<id>``) and ports; all share one cluster id and one static controller
quorum.  Kafka's internal topics (consumer offsets, transactions) get min(3, N) replicas and
min.insync.replicas min(2, N), so a cluster of three keeps serving with any one node down.
Nodes can be SIGKILLed and restarted one by one (fault injection).
"""
from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devtools.broker.launcher import DEFAULT_CACHE, BrokerError, LocalBroker, _kafka_uuid


@dataclass
class LocalCluster:
    data_dir: Path
    size: int = 3
    heap_mb: int = 320
    cache: Path = DEFAULT_CACHE
    fresh: bool = False
    security: object = None            # devtools/broker/security.py BrokerSecurity, or None
    log: object = field(default=print, repr=False)
    nodes: list[LocalBroker] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if self.size < 1:
            raise BrokerError("a cluster needs at least one node")

    @property
    def bootstrap(self) -> str:
        return ",".join(n.bootstrap for n in self.nodes)

    @property
    def bootstrap_file(self) -> Path:
        return self.data_dir / "bootstrap"

    def node(self, node_id: int) -> LocalBroker:
        return next(n for n in self.nodes if n.node_id == node_id)

    def _build(self) -> None:
        if self.fresh:
            import shutil
            shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        id_file = self.data_dir / "cluster-id"
        if not id_file.exists():
            id_file.write_text(_kafka_uuid() + "\n")
        cluster_id = id_file.read_text().strip()
        replicas = min(3, self.size)
        self.nodes = [LocalBroker(data_dir=self.data_dir / f"node-{i}", heap_mb=self.heap_mb, cache=self.cache,
                                  log=self.log, node_id=i, cluster_id=cluster_id, internal_replicas=replicas,
                                  security=self.security)
                      for i in range(1, self.size + 1)]
        for n in self.nodes:           # every controller port is known before any node starts
            n.assign_ports()
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        for n in self.nodes:
            n.voters = voters

    def start(self, timeout: float = 180.0) -> "LocalCluster":
        """Start every node, then wait until each serves and all are registered brokers."""
        self._build()
        try:
            for n in self.nodes:
                n.launch()
            deadline = time.monotonic() + timeout
            for n in self.nodes:
                n._wait_ready(max(1.0, deadline - time.monotonic()))
            self.wait_registered(max(1.0, deadline - time.monotonic()))
        except BaseException:
            self.stop()
            raise
        self.bootstrap_file.write_text(self.bootstrap + "\n")
        return self

    def wait_registered(self, timeout: float = 60.0, expected: int | None = None) -> None:
        """Until the cluster metadata lists ``expected`` (default: all) brokers."""
        want = self.size if expected is None else expected
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            seen = asyncio.run(_broker_count(self.bootstrap, self.security))
            if seen >= want:
                return
            time.sleep(0.5)
        raise BrokerError(f"the cluster metadata lists {seen} of {want} brokers after {timeout:.0f}s")

    def kill(self, node_id: int) -> None:
        """SIGKILL one node (fault injection)."""
        self.node(node_id).kill()

    def restart(self, node_id: int, timeout: float = 90.0) -> None:
        """Start a stopped node again (same dir, same ports) and wait until it serves."""
        n = self.node(node_id)
        n.launch()
        n._wait_ready(timeout)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every node at once, SIGKILL what is left after ``timeout``: stopped one by
        one, the last nodes wait for a controller quorum that is already gone."""
        for n in self.nodes:
            if n.process is not None and n.process.poll() is None:
                n.process.terminate()
        deadline = time.monotonic() + timeout
        for n in self.nodes:
            n.stop(timeout=max(0.1, deadline - time.monotonic()))
        if self.bootstrap_file.exists():
            self.bootstrap_file.unlink()

    def __enter__(self) -> "LocalCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


async def _broker_count(bootstrap: str, security) -> int:
    from aiokafka.admin import AIOKafkaAdminClient

    opts = security.client_options() if security is not None else {}   # (the brokers' own user)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000, **opts)
    try:
        await admin.start()
        return len((await admin.describe_cluster())["brokers"])
    except Exception:
        return 0
    finally:
        await admin.close()


def run_cluster_foreground(data_dir: Path, size: int, fresh: bool = False, sasl_ssl: bool = False) -> int:
    """``storystream broker --brokers N``: start, print the bootstrap list (and with ``sasl_ssl``
    the clients' settings), stop on a signal."""
    from devtools.broker.launcher import print_client_settings, serve_until_stopped
    from devtools.proc import stop_requested

    security = None
    if sasl_ssl:
        from devtools.broker.security import for_cli
        security = for_cli(data_dir, fresh, (data_dir / "node-1" / "kraft-logs" / "meta.properties").exists())
    cluster = LocalCluster(data_dir=data_dir, size=size, fresh=fresh, security=security,
                           log=lambda m: print(m, file=sys.stderr, flush=True))
    stop = stop_requested()
    cluster.start()
    print_client_settings(cluster.bootstrap, security)
    print(f"kafka cluster of {size} ready at {cluster.bootstrap} (data in {data_dir}); Ctrl-C stops it",
          file=sys.stderr, flush=True)

    def died() -> str | None:
        dead = [n.node_id for n in cluster.nodes if n.process is None or n.process.poll() is not None]
        return f"kafka node(s) {dead}" if dead else None
    return serve_until_stopped(stop, died, cluster.stop, "kafka cluster")
