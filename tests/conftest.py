"""Shared fixtures.  Integration tests share ONE real Kafka broker per session."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"
GOLD = SHARED / "gold" / "seed_quotes.json"
ECB_DEV = SHARED / "eval" / "ecbplus_dev.jsonl"


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory) -> str:
    """A real broker: ``KAFKA_BOOTSTRAP`` if set, else a local KRaft broker started here.

    No skip: if the broker cannot start, every integration test errors loudly.
    """
    if os.environ.get("KAFKA_BOOTSTRAP"):
        yield os.environ["KAFKA_BOOTSTRAP"]
        return
    from devtools.broker.launcher import LocalBroker
    broker = LocalBroker(data_dir=tmp_path_factory.mktemp("kafka"), fresh=True)
    broker.start()
    os.environ["KAFKA_BOOTSTRAP"] = broker.bootstrap
    try:
        yield broker.bootstrap
    finally:
        os.environ.pop("KAFKA_BOOTSTRAP", None)
        broker.stop()


@pytest.fixture
def unique_prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}-"
