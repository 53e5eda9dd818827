from __future__ import annotations

from pathlib import Path

from services.broker.launcher import POM, LocalBroker


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
