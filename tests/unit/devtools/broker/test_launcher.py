from __future__ import annotations

import base64
import uuid
from pathlib import Path

from devtools.broker import launcher
from devtools.broker.launcher import POM, LocalBroker


def test_properties_single_node_kraft_with_transactions(tmp_path):
    b = LocalBroker(data_dir=tmp_path, port=19092, controller_port=19093)
    props = dict(line.split("=", 1) for line in b._properties().splitlines() if "=" in line)
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"].startswith("PLAINTEXT://127.0.0.1:19092")
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert b.heap_mb <= 512


def test_pom_pins_kafka_4():
    text = Path(POM).read_text()
    assert "<artifactId>kafka_2.13</artifactId>" in text
    assert "<kafka.version>4." in text


def test_cluster_ids_are_valid_and_never_look_like_options(monkeypatch):
    """A cluster id starting with ``-`` made ``StorageTool format`` fail (1 format in 64)."""
    # Force the first draw to encode to an id starting with "-" (0xF8 -> "-" in urlsafe b64).
    draws = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(bytes=b"\x01" * 16)])
    monkeypatch.setattr(launcher.uuid, "uuid4", lambda: next(draws))
    cid = launcher._kafka_uuid()
    assert not cid.startswith("-")
    assert len(base64.urlsafe_b64decode(cid + "==")) == 16
    monkeypatch.undo()
    for _ in range(500):
        cid = launcher._kafka_uuid()
        assert len(cid) == 22 and not cid.startswith("-")


def test_format_passes_the_cluster_id_as_one_token(tmp_path, monkeypatch):
    seen = {}

    class Done:
        returncode = 0
        stdout = stderr = ""

    def fake_run(cmd, **kw):
        seen["cmd"] = cmd
        return Done()

    monkeypatch.setattr(launcher.subprocess, "run", fake_run)
    monkeypatch.setattr(launcher, "_kafka_uuid", lambda: "-starts-with-a-dash-xx")
    b = LocalBroker(data_dir=tmp_path, port=19092, controller_port=19093)
    b._format("cp", tmp_path / "server.properties")
    assert "--cluster-id=-starts-with-a-dash-xx" in seen["cmd"]
