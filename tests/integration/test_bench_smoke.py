"""The benchmark runs end to end (a tiny run; figures are not asserted: speed is
measured by `make bench`, never in a timed test)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import REQUIRED_KEYS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_bench_smoke_writes_every_figure(kafka_bootstrap, tmp_path):
    out = tmp_path / "smoke.json"
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)], cwd=ROOT,
                          capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()[-4000:]
    data = json.loads(out.read_text())
    for key in REQUIRED_KEYS["meta"]:
        assert key in data["meta"]
    assert data["meta"]["smoke"] is True
    for section in ("baseline", "extract", "feeds", "latency", "aggregator_memory"):
        for key in REQUIRED_KEYS[section]:
            assert key in data[section], (section, key)
    for run in ("annotators_1", "annotators_2"):
        for key in REQUIRED_KEYS["pipeline_run"]:
            assert key in data["pipeline"][run], (run, key)
        assert data["pipeline"][run]["complete"] is True, "every article reached a story state"
    assert data["baseline"]["articles_per_s"] > 0
    for key in REQUIRED_KEYS["aggregator"]:
        assert key in data["aggregator"], ("aggregator", key)
    assert [p["open_stories"] for p in data["aggregator"]["points"]] == [100, 500]
    for point in data["aggregator"]["points"]:
        for key in REQUIRED_KEYS["aggregator_point"]:
            assert key in point, ("aggregator point", key)
    for key in REQUIRED_KEYS["scaling"]:
        assert key in data["scaling"], ("scaling", key)
    assert data["scaling"]["projection"][0]["annotator_cores"] == 1
    assert "| " in proc.stdout.decode(), "prints a markdown table"
