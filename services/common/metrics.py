"""Prometheus metrics and health endpoints of every worker (prometheus-client, aiohttp).

Each worker serves, on ``STORYSTREAM_METRICS_HOST`` and its own port (``metrics_port``):

  GET /metrics   the Prometheus text format
  GET /healthz   200 while the process runs its event loop (alive)
  GET /readyz    200 once the worker is ready (a faust worker: its tables recovered and its
                 streams resumed), else 503

The port is ``STORYSTREAM_METRICS_PORT`` plus the worker's offset in ``PORT_OFFSETS``, so that
every worker of one host (``storystream worker all``, the demo) has its own; 0 turns the
endpoints off.  A port that cannot be bound is logged, never fatal: metrics must not stop a
worker.  The agents only count (``STAGE_IN.labels(stage).inc()`` ...); the gauges that read a
worker's state (consumer lag, open stories, table sizes) are read at scrape time.
"""
from __future__ import annotations

import threading
from typing import Callable, Iterable, Optional

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from services.common import logging as slog
from services.common.settings import Settings

PORT_OFFSETS = {"annotator": 0, "quotes": 1, "entities": 2, "aggregator": 3, "feeds": 4, "ingest": 5, "board": 6}

STAGE_IN = Counter("storystream_articles_in", "Messages a stage took from its input topic", ["stage"])
STAGE_OUT = Counter("storystream_articles_out", "Messages a stage sent to its output topic", ["stage"])
DEAD_LETTERS = Counter("storystream_dead_letters", "Messages sent to dead-letters, by error type",
                       ["service", "reason"])
PROCESSING = Histogram("storystream_processing_seconds",
                       "Processing time per message (a batch's time shared evenly by its messages)", ["stage"],
                       buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))

# name -> (help, labels, read() -> [(label values, value)]), read on every scrape
_GAUGES: dict[str, tuple[str, list[str], Callable[[], Iterable[tuple[tuple[str, ...], float]]]]] = {}
_lock = threading.Lock()


class _StateCollector:
    """The gauges read from a worker's state when Prometheus scrapes."""

    def collect(self):
        with _lock:
            gauges = list(_GAUGES.items())
        for name, (doc, labels, read) in gauges:
            family = GaugeMetricFamily(name, doc, labels=labels)
            try:
                for values, value in read():
                    family.add_metric(list(values), float(value))
            except Exception:   # a gauge that cannot be read now is left out of this scrape
                continue
            yield family


REGISTRY.register(_StateCollector())


def gauge(name: str, doc: str, labels: list[str],
          read: Callable[[], Iterable[tuple[tuple[str, ...], float]]]) -> None:
    """Register (or replace) a gauge read at scrape time."""
    with _lock:
        _GAUGES[name] = (doc, labels, read)


def metrics_port(settings: Settings, service: str) -> int:
    return settings.metrics_port + PORT_OFFSETS[service] if settings.metrics_port else 0


class HealthServer:
    """``/metrics``, ``/healthz`` and ``/readyz`` on the worker's own port."""

    def __init__(self, service: str, ready: Callable[[], bool]) -> None:
        self.service, self.ready = service, ready
        self.runner: Optional[web.AppRunner] = None
        self.port = 0
        self.log = slog.get_logger("storystream.metrics")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        return app

    async def _metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"service": self.service, "alive": True})

    async def _readyz(self, request: web.Request) -> web.Response:
        try:
            ready = bool(self.ready())
        except Exception:
            ready = False
        return web.json_response({"service": self.service, "ready": ready}, status=200 if ready else 503)

    async def start(self, host: str, port: int) -> bool:
        """Serve on ``host:port`` (port 0: off); False (logged) if the port cannot be bound."""
        if not port:
            return False
        self.runner = web.AppRunner(self.app(), access_log=None)
        await self.runner.setup()
        try:
            site = web.TCPSite(self.runner, host, port)
            await site.start()
        except OSError as exc:
            self.log.error("metrics.unavailable", service=self.service, host=host, port=port, error=str(exc))
            await self.runner.cleanup()
            self.runner = None
            return False
        self.port = port
        self.log.info("metrics.serving", service=self.service, host=host, port=port)
        return True

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


def consumer_lag(consumer) -> list[tuple[tuple[str, str], float]]:
    """(topic, partition) -> messages on the broker not yet read, for each assigned partition of a
    faust consumer (high watermark minus the next offset to read)."""
    out = []
    for tp in sorted(consumer.assignment()):
        high = consumer.highwater(tp)
        if high is None:
            continue
        read = consumer._read_offset.get(tp)
        nxt = read + 1 if read is not None else (consumer._committed_offset.get(tp) or 0)
        out.append(((tp.topic, str(tp.partition)), max(0, high - nxt)))
    return out


def instrument_faust(app, settings: Settings, service: str, *, tables: dict | None = None) -> HealthServer:
    """Health endpoints and consumer lag (and table sizes) of a faust worker; ready once its
    table recovery has completed (faust sets it after seeking the streams, tables or none)."""
    server = HealthServer(service, lambda: app.tables.recovery.completed.is_set() and not app.should_stop)
    gauge("storystream_consumer_lag", "Messages on the broker not yet read, per assigned partition",
          ["topic", "partition"], lambda: consumer_lag(app.consumer))
    if tables:
        gauge("storystream_table_entries", "Entries in the worker's faust tables (local store)", ["table"],
              lambda: [((name, ), len(table)) for name, table in tables.items()])

    @app.task
    async def serve_health() -> None:
        await server.start(settings.metrics_host, metrics_port(settings, service))

    return server


async def serve_health(settings: Settings, service: str, ready: Callable[[], bool]) -> HealthServer:
    """Health endpoints of a plain asyncio worker (feeds, ingest, board); stop them with ``stop()``."""
    server = HealthServer(service, ready)
    await server.start(settings.metrics_host, metrics_port(settings, service))
    return server
