"""Online clustering scored through the real pipeline on Kafka, in 5 seeded orders
(`storystream eval stories`)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ECB_DEV = ROOT.parent / "shared" / "eval" / "ecbplus_dev.jsonl"
pytestmark = pytest.mark.integration

# a little below what the dev set scores (see the README); the bar is 0.94
MIN_MEAN_F1 = 0.94
MIN_WORST_F1 = 0.93


def test_eval_stories_through_kafka_in_five_orders(kafka_bootstrap):
    proc = subprocess.run([sys.executable, "-m", "services.cli", "eval", "stories", str(ECB_DEV), "--json"],
                          cwd=ROOT, capture_output=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr.decode()[-4000:]
    result = json.loads(proc.stdout)
    print(json.dumps({k: v for k, v in result.items() if k != "orders"}, indent=1))
    assert result["articles"] == 277
    assert len(result["orders"]) == 5
    for order in result["orders"].values():
        assert order["articles"] == 277, "every article ended in exactly one story"
    assert result["mean_pairwise_f1"] >= MIN_MEAN_F1
    assert result["mean_bcubed_f1"] >= MIN_MEAN_F1
    assert result["worst_pairwise_f1"] >= MIN_WORST_F1
    assert result["worst_bcubed_f1"] >= MIN_WORST_F1
