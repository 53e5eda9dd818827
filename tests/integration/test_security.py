"""SASL_SSL end to end (issue 19, item 6): a broker that requires SCRAM-SHA-512 over TLS
(a CA and certificates generated here), the seeds through the four workers over it, and
clients that are refused: a wrong password, a CA that does not sign the broker's
certificate.  A refused worker says so in one log line and exits non-zero at once; no
secret appears in any log or in the story state."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.broker.launcher import LocalBroker
from devtools.broker.security import BrokerSecurity, write_ca
from services.common.app import ACCESS_REFUSED_EXIT
from tests.integration.conftest import covered_articles, make_env, read_until, running_pipeline

ROOT = Path(__file__).resolve().parents[2]
SEED_IDS = {p.name for p in (ROOT / "seeds").glob("*.txt")}

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory):
    """One broker whose only client listener is SASL_SSL (SCRAM-SHA-512)."""
    base = tmp_path_factory.mktemp("secure")
    security = BrokerSecurity.create(base / "certs", users=("storystream",))
    broker = LocalBroker(data_dir=base / "broker", heap_mb=320, fresh=True, security=security)
    broker.start(timeout=150)
    try:
        yield broker
    finally:
        broker.stop()


def _secrets(broker) -> list[str]:
    return list(broker.security.passwords.values())


def test_the_broker_refuses_plaintext_clients(secure_broker, tmp_path):
    env = make_env(secure_broker.bootstrap, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "services.cli", "topics"], env=env, capture_output=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode != 0   # (a PLAINTEXT client gets no answer it can read: an outage to it)


def test_seeds_end_to_end_over_sasl_ssl_without_leaking_secrets(secure_broker, tmp_path):
    sec = secure_broker.security
    with running_pipeline(secure_broker.bootstrap, tmp_path, **sec.client_env("storystream")) as p:
        assert p.settings.security_protocol == "SASL_SSL"
        proc = p.cli("produce", str(ROOT / "seeds"))
        assert proc.returncode == 0, proc.stderr.decode()
        assert b"published 5 article(s), 0 error(s)" in proc.stderr
        records = asyncio.run(read_until(p.settings, "story-state",
                                         lambda rs: SEED_IDS <= covered_articles(rs), timeout=180))
        letters = asyncio.run(read_until(p.settings, "dead-letters", lambda rs: True, timeout=5))
    assert letters == []
    logs = p.logs()
    assert "worker.starting" in logs and "SASL_SSL" in logs   # the log is captured, the settings in it
    texts = {"worker log": logs, "produce stdout/stderr": (proc.stdout + proc.stderr).decode(),
             "story-state": "\n".join(r.value.decode() for r in records),
             "story-state keys": "\n".join(r.key.decode() for r in records)}
    for secret in _secrets(secure_broker):
        for where, text in texts.items():
            assert secret not in text, f"a password appears in the {where}"


def _refused_worker(env: dict) -> tuple[subprocess.CompletedProcess, list[str]]:
    proc = subprocess.run([sys.executable, "-m", "services.cli", "worker", "quotes"], env=env,
                          capture_output=True, timeout=150, cwd=ROOT)
    lines = (proc.stdout + proc.stderr).decode(errors="replace").splitlines()
    return proc, lines


def _one_refusal(lines: list[str]) -> dict:
    refusals = [line for line in lines if "kafka_refused" in line]
    assert len(refusals) == 1, "\n".join(lines[-30:])
    # nothing else complains: no aiokafka retry lines, no traceback
    noise = [line for line in lines if ("Unable connect" in line or "Traceback" in line or "bootstrap" in line.lower())
             and "kafka_refused" not in line and "worker.starting" not in line]
    assert noise == [], noise
    return json.loads(refusals[0])


def test_a_wrong_password_is_refused_in_one_line_and_the_worker_exits(secure_broker, tmp_path):
    env = make_env(secure_broker.bootstrap, tmp_path,
                   **{**secure_broker.security.client_env("storystream"), "KAFKA_SASL_PASSWORD": "not-the-password-42"})
    proc, lines = _refused_worker(env)
    assert proc.returncode == ACCESS_REFUSED_EXIT, "\n".join(lines[-30:])
    event = _one_refusal(lines)
    print(json.dumps(event))
    assert event["level"] == "error"
    assert "SASL SCRAM-SHA-512 login of user 'storystream' failed" in event["reason"]
    text = "\n".join(lines)
    for secret in ["not-the-password-42", *_secrets(secure_broker)]:
        assert secret not in text


def test_a_client_that_does_not_trust_the_broker_ca_is_refused(secure_broker, tmp_path):
    other_ca, _, _ = write_ca(tmp_path / "other-ca", "some-other-ca")
    env = make_env(secure_broker.bootstrap, tmp_path,
                   **{**secure_broker.security.client_env("storystream"), "KAFKA_SSL_CAFILE": str(other_ca)})
    proc, lines = _refused_worker(env)
    assert proc.returncode == ACCESS_REFUSED_EXIT, "\n".join(lines[-30:])
    event = _one_refusal(lines)
    print(json.dumps(event))
    assert "TLS certificate is not trusted" in event["reason"] and str(other_ca) in event["reason"]
    text = "\n".join(lines)
    for secret in _secrets(secure_broker):
        assert secret not in text


def test_a_three_node_cluster_replicates_over_sasl_ssl(tmp_path):
    """Clients and the brokers' own replication over SASL_SSL only: every project topic has
    three replicas in sync, and acks=all writes are acknowledged."""
    from devtools.broker.cluster import LocalCluster
    from devtools.stack import settings_for
    from services.common.kafka import ensure_topics, make_producer
    from tests.integration.conftest import describe_topics

    sec = BrokerSecurity.create(tmp_path / "certs", users=("storystream",))
    with LocalCluster(data_dir=tmp_path / "cluster", size=3, heap_mb=320, fresh=True, security=sec) as cluster:
        settings = settings_for(make_env(cluster.bootstrap, tmp_path / "data", **sec.client_env("storystream")))

        async def go():
            created = await ensure_topics(settings)
            parts = await describe_topics(settings, created)
            producer = make_producer(settings)
            await producer.start()
            try:
                for i in range(10):
                    await producer.send_and_wait(settings.topic("dead-letters"), f"r{i}".encode(), key=b"k")
            finally:
                await producer.stop()
            return created, parts
        created, parts = asyncio.run(go())
    assert created
    for name in created:
        for p in parts[name]:
            assert sorted(p["replicas"]) == [1, 2, 3] and sorted(p["isr"]) == [1, 2, 3], (name, p)


def test_storystream_broker_sasl_ssl_prints_settings_a_client_connects_with(tmp_path):
    """``storystream broker --sasl-ssl``: stdout has the bootstrap line, then shell export lines
    for the clients (the password read from a 0600 file, never printed); a CLI client run with
    exactly those settings creates the topics; a wrong password is refused."""
    import os
    import signal
    import stat

    data = tmp_path / "broker"
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "broker", "--sasl-ssl", "--fresh",
                             "--data-dir", str(data)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        lines = [proc.stdout.readline().strip()]
        while lines[-1] and not lines[-1].startswith("export KAFKA_SASL_PASSWORD="):
            lines.append(proc.stdout.readline().strip())
        assert lines[-1], f"the broker stopped: {proc.stderr.read()[-3000:]}"
        bootstrap, exports = lines[0], "\n".join(lines[1:])
        password_file = data.with_name("broker-security") / "storystream.password"
        password = password_file.read_text().strip()
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert password and password not in exports
        shell = subprocess.run(["bash", "-c", exports + "\nenv -0"], capture_output=True, text=True, check=True)
        env = dict(kv.split("=", 1) for kv in shell.stdout.split("\0") if kv.startswith("KAFKA_"))
        assert env["KAFKA_BOOTSTRAP"] == bootstrap and env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512" and env["KAFKA_SASL_USERNAME"] == "storystream"
        assert env["KAFKA_SASL_PASSWORD"] == password and Path(env["KAFKA_SSL_CAFILE"]).exists()
        client = make_env(bootstrap, tmp_path / "client", **env)
        topics = subprocess.run([sys.executable, "-m", "services.cli", "topics"], env=client, capture_output=True,
                                text=True, timeout=120, cwd=ROOT)
        assert topics.returncode == 0, topics.stderr[-3000:]
        wrong = subprocess.run([sys.executable, "-m", "services.cli", "topics"], capture_output=True, text=True,
                               env={**client, "KAFKA_SASL_PASSWORD": "not-the-password-42"}, timeout=120, cwd=ROOT)
        assert wrong.returncode == ACCESS_REFUSED_EXIT, wrong.stderr[-3000:]
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert password not in err and "storystream.password" in err
