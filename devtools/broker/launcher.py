"""A real single-node Apache Kafka (KRaft) broker on loopback, without Docker.

The broker's jars are resolved by Maven from ``pom.xml`` beside this file into a
git-ignored cache (``.cache/kafka-libs``); once cached, starting needs no network.
Storage is formatted in a data dir, then ``kafka.Kafka`` runs as broker and
controller on 127.0.0.1 with a small heap, transactions usable on one node and no
initial rebalance delay.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from devtools.proc import parent_death_signal, stop_requested

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
POM = HERE / "pom.xml"
LOG4J = HERE / "log4j2.properties"
DEFAULT_CACHE = Path(os.environ.get("STORYSTREAM_KAFKA_CACHE", str(ROOT / ".cache" / "kafka-libs")))


class BrokerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resolve_jars(cache: Path = DEFAULT_CACHE, log=print) -> list[Path]:
    """The broker classpath; runs ``mvn dependency:copy-dependencies`` only on a cache miss."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    marker = cache / f".complete-{digest}"
    if not marker.exists():
        if shutil.which("mvn") is None:
            raise BrokerError("Maven ('mvn') is needed once to fetch the Kafka jars; install it or set KAFKA_BOOTSTRAP")
        tmp = cache.with_name(cache.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"resolving Kafka broker jars with Maven into {cache} ...")
        cmd = ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BrokerError(f"mvn failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
        marker.write_text(digest)
    jars = sorted(cache.glob("*.jar"))
    if not any(j.name.startswith("kafka_2.13-") for j in jars):
        raise BrokerError(f"no kafka jar in {cache}")
    return jars


@dataclass
class LocalBroker:
    data_dir: Path
    port: int = 0
    controller_port: int = 0
    heap_mb: int = 384
    cache: Path = DEFAULT_CACHE
    fresh: bool = False
    log: object = field(default=print, repr=False)
    # one node of a cluster (devtools/broker/cluster.py): its id, the shared cluster id, the
    # controller quorum ("1@host:port,...") and the replication of Kafka's internal topics
    node_id: int = 1
    cluster_id: str = ""
    voters: str = ""
    internal_replicas: int = 1
    # SASL_SSL on the client listener (devtools/broker/security.py), else PLAINTEXT
    security: object = None
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def bootstrap_file(self) -> Path:
        return self.data_dir / "bootstrap"

    def _properties(self) -> str:
        logs = self.data_dir / "kraft-logs"
        voters = self.voters or f"{self.node_id}@127.0.0.1:{self.controller_port}"
        rf, min_isr = self.internal_replicas, min(2, self.internal_replicas)
        listener = "SASL_SSL" if self.security is not None else "PLAINTEXT"
        lines = [
            "process.roles=broker,controller",
            f"node.id={self.node_id}",
            f"controller.quorum.voters={voters}",
            f"listeners={listener}://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners={listener}://127.0.0.1:{self.port}",
            "controller.listener.names=CONTROLLER",
            f"listener.security.protocol.map={listener}:{listener},CONTROLLER:PLAINTEXT",
            f"inter.broker.listener.name={listener}",
            f"log.dirs={logs}",
            "num.partitions=1",
            f"default.replication.factor={rf}",
            f"offsets.topic.replication.factor={rf}",
            "offsets.topic.num.partitions=4",
            f"transaction.state.log.replication.factor={rf}",
            f"transaction.state.log.min.isr={min_isr}",
            "transaction.state.log.num.partitions=4",
            f"share.coordinator.state.topic.replication.factor={rf}",
            f"share.coordinator.state.topic.min.isr={min_isr}",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "message.max.bytes=16777216",
            "replica.fetch.max.bytes=16777216",
            "log.retention.hours=168",
            "log.cleaner.backoff.ms=5000",
        ]
        if self.security is not None:
            lines += self.security.broker_properties(listener)
        return "\n".join(lines + [""])

    def _format(self, classpath: str, props: Path) -> None:
        meta = self.data_dir / "kraft-logs" / "meta.properties"
        if meta.exists():
            return
        cluster = self.cluster_id or _kafka_uuid()
        cmd = ["java", "-cp", classpath, f"-Dlog4j2.configurationFile={LOG4J}",
               f"-Dkafka.logs.dir={self.data_dir}", "kafka.tools.StorageTool", "format",
               f"--cluster-id={cluster}", f"--config={props}"]
        if self.security is not None:   # SCRAM credentials written into the metadata log
            cmd += self.security.format_args()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BrokerError(f"formatting KRaft storage failed:\n{proc.stdout}\n{proc.stderr}")

    def start(self, timeout: float = 90.0) -> "LocalBroker":
        self.launch()
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self.bootstrap_file.write_text(self.bootstrap + "\n")
        return self

    def assign_ports(self) -> None:
        """Ports from the data dir (a restarted node keeps its address: clients and the
        stored metadata rely on it), else free ones; saved for the next start."""
        if self.fresh:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.fresh = False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ports_file = self.data_dir / "ports"
        if ports_file.exists() and not self.port:
            saved = ports_file.read_text().split()
            self.port, self.controller_port = int(saved[0]), int(saved[1])
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        ports_file.write_text(f"{self.port} {self.controller_port}\n")

    def launch(self) -> None:
        """Format (first time) and start the JVM without waiting for it to serve."""
        self.assign_ports()
        classpath = os.pathsep.join(str(j) for j in resolve_jars(self.cache, log=self.log))
        props = self.data_dir / "server.properties"
        props.write_text(self._properties())
        self._format(classpath, props)
        out = open(self.data_dir / "broker.out", "ab")
        cmd = ["java", f"-Xmx{self.heap_mb}m", f"-Xms{min(128, self.heap_mb)}m", "-XX:+UseSerialGC",
               "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
               f"-Dlog4j2.configurationFile={LOG4J}", f"-Dkafka.logs.dir={self.data_dir}",
               "-cp", classpath, "kafka.Kafka", str(props)]
        self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        preexec_fn=parent_death_signal(signal.SIGKILL, new_session=True))
        out.close()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.data_dir / "broker.out").read_text(errors="replace")[-3000:]
                server_log = self.data_dir / "server.log"
                if server_log.exists():
                    tail += server_log.read_text(errors="replace")[-3000:]
                raise BrokerError(f"Kafka exited with {self.process.returncode} during start:\n{tail}")
            if _api_versions_ok(self.port, self.security.client_tls() if self.security else None):
                return
            time.sleep(0.25)
        raise BrokerError(f"Kafka did not accept requests on {self.bootstrap} within {timeout}s")

    def stop(self, timeout: float = 30.0) -> None:
        proc, self.process = self.process, None
        with contextlib.suppress(FileNotFoundError):
            self.bootstrap_file.unlink()
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def kill(self) -> None:
        """SIGKILL (fault injection)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> "LocalBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _kafka_uuid() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding.

    Like Kafka's own ``Uuid.randomUuid`` it never starts with ``-``: such an id would be
    read as an option by command-line parsers (one format in 64 failed that way).
    """
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _api_versions_ok(port: int, tls=None) -> bool:
    """True when the broker answers an ApiVersions request (not just accepts TCP); over TLS
    with ``tls`` (an ``ssl.SSLContext``): Kafka answers ApiVersions before SASL."""
    req_body = b""  # ApiVersions v0 has an empty body
    header = (18).to_bytes(2, "big") + (0).to_bytes(2, "big") + (1).to_bytes(4, "big") + (-1).to_bytes(2, "big", signed=True)
    payload = header + req_body
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
            s = tls.wrap_socket(raw, server_hostname="localhost") if tls is not None else raw
            s.sendall(len(payload).to_bytes(4, "big") + payload)
            size = int.from_bytes(_recv_exact(s, 4), "big")
            data = _recv_exact(s, size)
            return len(data) >= 6 and int.from_bytes(data[4:6], "big") == 0
    except OSError:
        return False


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    return buf


def print_client_settings(bootstrap: str, security) -> None:
    """After the bootstrap line on stdout: with SASL_SSL, the clients' settings as shell lines."""
    print(bootstrap, flush=True)
    if security is None:
        return
    print("\n".join(security.client_exports(bootstrap)), flush=True)
    print(f"SASL_SSL (SCRAM-SHA-512) as user 'storystream'; its password is in "
          f"{security.password_file('storystream')} (mode 0600), never printed: eval the export lines "
          f"above to use it", file=sys.stderr, flush=True)


def run_foreground(data_dir: Path, port: int = 0, fresh: bool = False, sasl_ssl: bool = False) -> int:
    """``storystream broker``: start, print the bootstrap address (and with ``sasl_ssl`` the
    clients' settings), stop on SIGTERM/SIGINT."""
    security = None
    if sasl_ssl:
        from devtools.broker.security import for_cli
        security = for_cli(data_dir, fresh, (data_dir / "kraft-logs" / "meta.properties").exists())
    broker = LocalBroker(data_dir=data_dir, port=port, fresh=fresh, security=security,
                         log=lambda m: print(m, file=sys.stderr, flush=True))
    stop = stop_requested()
    broker.start()
    print_client_settings(broker.bootstrap, security)
    print(f"kafka broker ready at {broker.bootstrap} (data in {data_dir}); Ctrl-C stops it", file=sys.stderr, flush=True)

    def died() -> str | None:
        return "kafka broker" if broker.process is None or broker.process.poll() is not None else None
    return serve_until_stopped(stop, died, broker.stop, "kafka broker")


def serve_until_stopped(stop, died, shut_down, what: str) -> int:
    """Wait for ``stop`` (an event set by a signal) while checking ``died()`` (what exited, or
    None) every 0.2 s; ``shut_down()`` either way.  1 when something exited on its own, else 0."""
    try:
        while not stop.is_set():
            gone = died()
            if gone:
                print(f"{gone} exited unexpectedly", file=sys.stderr)
                return 1
            time.sleep(0.2)
    finally:
        shut_down()
        print(f"{what} stopped", file=sys.stderr, flush=True)
    return 0
