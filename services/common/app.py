"""faust app factory and worker runner shared by every service."""
from __future__ import annotations

import asyncio

import faust
from faust.types.tuples import FutureMessage, PendingMessage

from services.common import logging as slog
from services.common.access import ACCESS_REFUSED_EXIT, KafkaAccessRefused  # noqa: F401  (the exit code: re-exported)
from services.common.kafka import ensure_topics, ssl_context, wait_for_broker
from services.common.replication import idempotent_producer, replicate_declared_topics
from services.common.settings import Settings


def _credentials(settings: Settings):
    proto = settings.security_protocol.upper()
    if proto == "PLAINTEXT":
        return None
    ctx = ssl_context(settings)
    if proto == "SSL":
        return faust.SSLCredentials(ctx)
    mechanism = (settings.sasl_mechanism or "PLAIN").upper()
    password = settings.sasl_password.get_secret_value()
    if mechanism.startswith("SCRAM"):
        return faust.SASLCredentials(username=settings.sasl_username, password=password,
                                     mechanism=mechanism, ssl_context=ctx)
    return faust.SASLCredentials(username=settings.sasl_username, password=password, ssl_context=ctx)


class _BufferMark:
    """Stands in for a topic: "publishing" it only records that faust's producer buffer (one
    queue, one sender task, first in first out) got this far."""

    async def publish_message(self, fut: FutureMessage, wait: bool = False) -> FutureMessage:
        if not fut.done():
            fut.set_result(None)
        return fut


FLUSH_TIMEOUT_SECONDS = 60.0


def harden_flush(producer, timeout: float = FLUSH_TIMEOUT_SECONDS) -> None:
    """Make ``producer.flush()`` mean "everything sent before is acknowledged".

    faust's ``Producer.flush`` drains its in-process buffer only while a message leaves it
    every 0.1 s (``ProducerBuffer.flush_atmost`` returns at the first 0.1 s without a send,
    e.g. while a long synchronous step holds the event loop), then flushes aiokafka.  Offset
    commits rely on it (table writes and ``send_soon`` messages go through that buffer), so
    an offset could be committed while what its message produced was still in memory: a
    worker stopped or killed then would lose it.  A mark now goes through the buffer first;
    once the sender task has handled it, every earlier message is in aiokafka's accumulator,
    whose flush waits for the broker's acknowledgements."""
    original = producer.flush

    async def flush() -> None:
        buffer = producer.buffer
        threaded = bool(getattr(getattr(buffer.app, "conf", None), "producer_threaded", False))
        if buffer.state == "running" and not buffer.should_stop and not threaded:
            mark = FutureMessage(PendingMessage(_BufferMark(), None, None, None, None, None, None, None, None))
            buffer.put(mark)
            await asyncio.wait_for(asyncio.shield(mark), timeout)
        await original()

    producer.flush = flush


def no_commits_once_stopping(app: faust.App) -> None:
    """Commit no offset once the worker has begun to stop (SIGTERM, crash): a restart then
    re-reads at most the last commit interval, which an idempotent consumer can afford.

    Added while chasing a lost article after the aggregator's SIGTERM and restart (a result
    record just after the shutdown point was never handled by the restarted worker).  That
    loss turned out to be the restarted worker's own queue being emptied on resume (see
    ``keep_queued_on_resume``); this guard only made it rarer, because the first messages a
    restart re-reads are then usually duplicates.  It stays as a margin: re-reading the last
    second is cheap for the aggregator, and no commit races the shutdown.  Every commit faust
    makes on the way down (the final ``wait_empty`` commit, the commit timer, revocation)
    goes through ``consumer.commit``."""
    consumer = app.consumer
    original = consumer.commit

    async def commit(*args, **kwargs) -> bool:
        if app.should_stop or consumer.should_stop:
            return False
        return await original(*args, **kwargs)

    consumer.commit = commit


def keep_queued_on_resume(app: faust.App) -> None:
    """Resuming flow control no longer empties the agents' input queues.

    mode's ``FlowControlEvent.resume`` clears every queue it manages, and faust's table
    recovery calls it *after* seeking the stream partitions to their committed offsets, while
    the fetcher is already running.  A message the fetcher delivered in between (the first
    one read after a restart, typically) was dropped from the agent's queue, never handled,
    and never fetched again: the fetcher had moved on, and faust's commit bookkeeping lets a
    later commit pass an unacknowledged offset sitting exactly at the committed position.
    Observed as a lost article in about 1 in 30 loaded restarts of the aggregator.

    Messages left from before a rebalance still go: faust clears the queues explicitly when
    partitions are revoked, and a stream skips any message of an older consumer generation.
    The table manager's changelog queue is still cleared on resume, as faust intends."""
    fc = app.flow_control
    resume = type(fc).resume

    def clear_changelog_queue_only() -> None:
        app.tables.changelog_queue.clear()

    def resume_keeping_queues() -> None:
        clear = fc.clear
        fc.clear = clear_changelog_queue_only     # resume() calls self.clear()
        try:
            resume(fc)
        finally:
            fc.clear = clear

    fc.resume = resume_keeping_queues


def make_app(service: str, settings: Settings, *, web: bool = False, web_options: dict | None = None) -> faust.App:
    """One faust app per service: its own consumer group (the app id).  ``web_options``: the
    aiohttp ``Application`` options of its web server (middlewares, ``client_max_size``)."""
    app = _new_app(service, settings, web=web, web_options=web_options)
    replicate_declared_topics(app, settings)
    idempotent_producer(app)
    harden_flush(app.producer)
    keep_queued_on_resume(app)
    return app


def _new_app(service: str, settings: Settings, *, web: bool = False, web_options: dict | None = None) -> faust.App:
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.app_id(service),
        broker=f"kafka://{settings.bootstrap}",
        broker_credentials=_credentials(settings),
        store=settings.store,
        datadir=str(settings.data_dir / "faust" / service),
        processing_guarantee="at_least_once",
        topic_partitions=1,
        topic_allow_declare=True,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_max_request_size=16 * 1024 * 1024,
        consumer_max_fetch_size=16 * 1024 * 1024,
        broker_commit_every=200,
        # a killed worker's partitions move on after 10 s, not faust's default 60 s
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        broker_commit_interval=1.0,
        stream_wait_empty=True,
        web_enabled=web,
        # faust's own views are off: /table serves raw table records (pending-join payloads
        # included), /router the cluster's topology, / with stats the sensors; only the views a
        # service registers are served (and faust's {"status": "OK"} index at /)
        web_tables_enabled=False,
        web_router_enabled=False,
        web_stats_enabled=False,
        web_graph_enabled=False,
        web_application_options=web_options or {},
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        table_cleanup_interval=60.0,
        logging_config=None,
    )


def prepare(settings: Settings) -> None:
    """Wait for Kafka and create missing topics (before faust declares anything)."""
    async def _go() -> None:
        await wait_for_broker(settings)
        await ensure_topics(settings)
    asyncio.run(_go())


def run_worker(app: faust.App, settings: Settings, service: str) -> int:
    """Run a faust worker with our JSON logging; SIGTERM/SIGINT drain and commit."""
    slog.configure(settings.log_level, service=service)
    log = slog.get_logger("storystream.worker")
    try:
        prepare(settings)
    except KafkaAccessRefused as exc:   # configuration, not an outage: one line, no retries
        log.error("worker.kafka_refused", reason=str(exc))
        return ACCESS_REFUSED_EXIT
    log.info("worker.starting", app_id=app.conf.id, settings=settings.public())
    worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False, quiet=True)
    worker.spinner = None  # no terminal escapes in the JSON log stream
    worker.execute_from_commandline()  # exits the process via sys.exit
    return 0
