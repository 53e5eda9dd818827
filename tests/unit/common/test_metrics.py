"""Metrics and health endpoints (services/common/metrics.py), without Kafka."""
from __future__ import annotations

import socket
from types import SimpleNamespace

from aiohttp.test_utils import TestClient, TestServer
from faust.types import TP

from services.common import metrics
from services.common.settings import load


async def client_for(server: metrics.HealthServer) -> TestClient:
    client = TestClient(TestServer(server.app()))
    await client.start_server()
    return client


async def test_readyz_follows_readiness_and_healthz_is_always_alive():
    state = {"ready": False}
    client = await client_for(metrics.HealthServer("quotes", lambda: state["ready"]))
    try:
        assert (await client.get("/healthz")).status == 200
        not_yet = await client.get("/readyz")
        assert not_yet.status == 503 and (await not_yet.json()) == {"service": "quotes", "ready": False}
        state["ready"] = True
        assert (await client.get("/readyz")).status == 200
    finally:
        await client.close()


async def test_a_readiness_check_that_raises_means_not_ready():
    client = await client_for(metrics.HealthServer("x", lambda: 1 / 0))
    try:
        assert (await client.get("/readyz")).status == 503
    finally:
        await client.close()


async def test_metrics_expose_counters_histograms_and_scrape_time_gauges():
    metrics.STAGE_IN.labels("unit-stage").inc(3)
    metrics.STAGE_OUT.labels("unit-stage").inc(2)
    metrics.DEAD_LETTERS.labels("unit-stage", "invalid").inc()
    metrics.PROCESSING.labels("unit-stage").observe(0.02)
    metrics.gauge("storystream_unit_open", "test gauge", ["table"], lambda: [(("t1",), 7)])
    metrics.gauge("storystream_unit_broken", "a gauge that cannot be read", [], lambda: 1 / 0)
    client = await client_for(metrics.HealthServer("x", lambda: True))
    try:
        resp = await client.get("/metrics")
        text = await resp.text()
    finally:
        await client.close()
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
    assert 'storystream_articles_in_total{stage="unit-stage"} 3.0' in text
    assert 'storystream_articles_out_total{stage="unit-stage"} 2.0' in text
    assert 'storystream_dead_letters_total{reason="invalid",service="unit-stage"} 1.0' in text
    assert 'storystream_processing_seconds_bucket{le="0.025",stage="unit-stage"} 1.0' in text
    assert 'storystream_unit_open{table="t1"} 7.0' in text
    assert "storystream_unit_broken" not in text      # left out, the scrape still answers


def test_consumer_lag_is_high_watermark_minus_next_offset():
    a, b, c = TP("articles", 0), TP("articles", 1), TP("articles", 2)
    consumer = SimpleNamespace(assignment=lambda: {a, b, c},
                               highwater=lambda tp: {a: 10, b: 5, c: None}[tp],
                               _read_offset={a: 6}, _committed_offset={b: 2})
    assert metrics.consumer_lag(consumer) == [(("articles", "0"), 3), (("articles", "1"), 3)]


def test_every_worker_has_its_own_port_and_zero_turns_them_off():
    s = load({"STORYSTREAM_METRICS_PORT": "19000"})
    ports = [metrics.metrics_port(s, name) for name in metrics.PORT_OFFSETS]
    assert len(set(ports)) == len(ports) and min(ports) == 19000
    assert metrics.metrics_port(load({"STORYSTREAM_METRICS_PORT": "0"}), "quotes") == 0


async def test_a_port_in_use_is_logged_not_fatal():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = metrics.HealthServer("x", lambda: True)
        assert await server.start("127.0.0.1", port) is False
        assert server.runner is None
