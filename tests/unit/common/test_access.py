"""``access.probe``: refusals are told apart from outages (no broker needed for these)."""
from __future__ import annotations

import asyncio
import socket

from services.common.access import _addresses, probe
from services.common.settings import load


def test_bootstrap_addresses_are_split():
    assert _addresses("127.0.0.1:9092, broker-2:19092,[::1]:9093") == [
        ("127.0.0.1", 9092), ("broker-2", 19092), ("::1", 9093)]


def test_plaintext_is_not_probed():
    # nothing listens on a just-freed port: a probe would still return, but PLAINTEXT does not even try
    asyncio.run(probe(load({"KAFKA_BOOTSTRAP": "127.0.0.1:1"})))


def test_an_unreachable_broker_is_an_outage_not_a_refusal(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = load({"KAFKA_BOOTSTRAP": f"127.0.0.1:{port}", "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                     "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": "u",
                     "KAFKA_SASL_PASSWORD": "p"})
    asyncio.run(probe(settings, timeout_ms=2000))    # returns: the caller's retry loop goes on
