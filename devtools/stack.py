"""Start the pieces a one-shot command needs: a local broker (unless
``KAFKA_BOOTSTRAP`` names one) and worker processes with their own topic and
consumer-group prefix.  Used by ``storystream demo``, ``storystream eval stories``
and the benchmark."""
from __future__ import annotations

import contextlib
import os
import random
import socket
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

from devtools.broker.launcher import LocalBroker, free_port
from devtools.supervisor import Supervisor
from services.common.metrics import PORT_OFFSETS
from services.common.settings import Settings, load


def say(msg: str) -> None:
    print(f"[storystream] {msg}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def kafka_for(run_dir: Path, log: Callable[[str], None] = say) -> Iterator[tuple[str, LocalBroker | None]]:
    """The bootstrap address, and the broker started here: ``KAFKA_BOOTSTRAP`` (no broker), or
    a fresh local broker in ``run_dir/broker``, stopped on exit."""
    if os.environ.get("KAFKA_BOOTSTRAP"):
        yield os.environ["KAFKA_BOOTSTRAP"], None
        return
    log("starting a local Kafka broker (KRaft, single node) ...")
    broker = LocalBroker(data_dir=run_dir / "broker", fresh=True, log=log).start()
    log(f"broker ready at {broker.bootstrap}")
    try:
        yield broker.bootstrap, broker
    finally:
        log("stopping broker ...")
        broker.stop()


@contextlib.contextmanager
def broker_for(run_dir: Path) -> Iterator[str]:
    """The bootstrap address: ``KAFKA_BOOTSTRAP`` or a fresh local broker stopped on exit."""
    with kafka_for(run_dir) as (bootstrap, _):
        yield bootstrap


def free_port_block(count: int, attempts: int = 200) -> int:
    """The first of ``count`` consecutive free loopback ports (the workers' metrics ports)."""
    for _ in range(attempts):
        base = random.randrange(20000, 60000 - count)
        socks = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports found")


def stack_env(bootstrap: str, run_dir: Path, prefix: str | None = None, **extra) -> dict:
    """Environment for workers: an isolated topic prefix and consumer groups."""
    tag = prefix or f"r{uuid.uuid4().hex[:8]}-"
    env = dict(os.environ)
    env.update({
        "KAFKA_BOOTSTRAP": bootstrap,
        "STORYSTREAM_TOPIC_PREFIX": tag,
        "STORYSTREAM_APP_PREFIX": f"storystream-{tag.rstrip('-')}",
        "STORYSTREAM_DATA_DIR": str(run_dir),
        "STORYSTREAM_WEB_PORT": str(free_port()),
        "STORYSTREAM_METRICS_PORT": str(free_port_block(len(PORT_OFFSETS))),
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def settings_for(env: dict) -> Settings:
    """The settings the workers started with ``env`` read."""
    return load(env)


@contextlib.contextmanager
def workers(names: list[str], env: dict, log_path: Path) -> Iterator[Supervisor]:
    """The workers as supervised processes, stopped on exit; their logs appended to ``log_path``.

    A name given more than once (several annotators) runs that many processes in one
    consumer group; each one after the first gets its own data dir (``<name><n>`` in the
    run's), so that no two processes share faust's directories."""
    with open(log_path, "ab") as log_file:
        sup = Supervisor(names, env=env, log_file=log_file)
        seen: Counter[str] = Counter()
        for child in sup.children:
            seen[child.name] += 1
            if seen[child.name] > 1:
                own = Path(env["STORYSTREAM_DATA_DIR"]) / f"{child.name}{seen[child.name]}"
                child.env = {**env, "STORYSTREAM_DATA_DIR": str(own)}
        sup.start()
        try:
            yield sup
        finally:
            sup.stop()
