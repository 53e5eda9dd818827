"""Every worker answers /healthz, /readyz and /metrics (real broker, workers as processes), and
the counters move when an article goes through the pipeline."""
from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devtools.broker.launcher import free_port
from devtools.stack import settings_for, workers
from services.common.metrics import PORT_OFFSETS, metrics_port
from tests.integration.conftest import _ensure, make_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FAUST_WORKERS = ["annotator", "quotes", "entities", "aggregator"]
ALL = [*FAUST_WORKERS, "feeds", "ingest"]


def get(port: int, path: str) -> httpx.Response | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
    except httpx.HTTPError:
        return None


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the Prometheus text ``text`` (labels matched as given)."""
    for line in text.splitlines():
        m = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            return float(m.group(3))
    return None


def wait_until(what: str, check, sup, log: Path, timeout: float = 240.0):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        dead = [c.name for c in sup.children if not c.alive()]
        assert not dead and time.monotonic() < deadline, f"{what}; dead: {dead}\n{log.read_text()[-4000:]}"
        time.sleep(0.5)


def test_every_worker_serves_health_and_metrics(kafka_bootstrap, tmp_path):
    feeds = tmp_path / "feeds.yaml"      # a feed nobody serves: the worker runs, its polls fail
    feeds.write_text(f"feeds:\n  - url: http://127.0.0.1:{free_port()}/feed.xml\n    outlet: Nobody\n")
    env = make_env(kafka_bootstrap, tmp_path, STORYSTREAM_FEEDS_CONFIG=str(feeds),
                   STORYSTREAM_INGEST_TOKEN="t0ken", STORYSTREAM_INGEST_PORT=str(free_port()))
    settings = settings_for(env)
    asyncio.run(_ensure(settings))
    ports = {name: metrics_port(settings, name) for name in ALL}
    assert len(set(ports.values())) == len(ALL) and set(ALL) <= set(PORT_OFFSETS)
    log = tmp_path / "workers.log"
    with workers(ALL, env, log) as sup:
        for name in ALL:
            wait_until(f"{name} /readyz", lambda: (r := get(ports[name], "/readyz")) is not None
                       and r.status_code == 200, sup, log)
            assert get(ports[name], "/readyz").json() == {"service": name, "ready": True}
            assert get(ports[name], "/healthz").status_code == 200
            text = get(ports[name], "/metrics").text
            assert "# TYPE storystream_dead_letters_total counter" in text, name
            assert "# TYPE storystream_processing_seconds histogram" in text, name
            if name in FAUST_WORKERS:
                wait_until(f"{name} lag", lambda: "storystream_consumer_lag{" in get(ports[name], "/metrics").text,
                           sup, log, timeout=60)

        produced = subprocess.run([sys.executable, "-m", "services.cli", "produce", str(ROOT / "seeds")], env=env,
                                  cwd=ROOT, capture_output=True, timeout=120)
        assert produced.returncode == 0, produced.stderr.decode()[-2000:]

        def aggregated():
            text = get(ports["aggregator"], "/metrics").text
            out = sample(text, "storystream_articles_out_total", stage="aggregator")
            return text if out and out >= 1 and (sample(text, "storystream_open_stories") or 0) >= 1 else None
        agg = wait_until("the aggregator publishing a story", aggregated, sup, log)
        assert sample(agg, "storystream_table_entries", table="stories") >= 1
        assert sample(agg, "storystream_articles_in_total", stage="aggregator") >= 2   # quotes + entities
        assert sample(agg, "storystream_processing_seconds_count", stage="aggregator") >= 2
        ann = get(ports["annotator"], "/metrics").text
        assert sample(ann, "storystream_articles_in_total", stage="annotator") >= 1
        assert sample(ann, "storystream_articles_out_total", stage="annotator") >= 1
        assert sample(ann, "storystream_consumer_lag", topic=settings.topic("articles")) is not None

