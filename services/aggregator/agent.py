"""aggregator: joins each article's quotes and entities, assigns it to a story,
merges it into the story state (faust tables, changelog-backed) and publishes
the new state to the compacted ``story-state`` topic, keyed by story id.

Idempotent: an article id already merged with the same content hash changes
nothing; the same id with new content is a revision that replaces the old one.

This module wires faust (topics, tables, timers) to the durability protocol of
``services/aggregator/durability.py`` (restore, publish before persist, settle
after a flush), which holds the logic and is tested without Kafka.
"""
from __future__ import annotations

import time
import json

import faust

from schemas.models import ArticleEntities, ArticleQuotes
from services.aggregator.durability import Durability
from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.listing import ListedTable, StoryListing
from services.aggregator.published import published_versions
from services.aggregator.storage import ROCKSDB_OPTIONS
from services.aggregator.web import register_views, web_options
from services.common import logging as slog
from services.common.app import make_app, no_commits_once_stopping
from services.common.codec import BadMessage, article_key, crash_reason, decode, encode, story_key
from services.common.deadletters import DeadLetters
from services.common.metrics import PROCESSING, STAGE_IN, STAGE_OUT, gauge, instrument_faust
from services.common.settings import Settings

SERVICE = "aggregator"
SETTLE_SECONDS = 5.0   # how often merged articles' pending join halves are dropped
RESTORE_CHECK_SECONDS = 1.0   # how soon an idle restarted aggregator restores and re-states
PENDING_CHECK_SECONDS = 60.0  # how often lone join halves are checked for expiry


def build(settings: Settings, engine_config: EngineConfig | None = None):
    app = make_app(SERVICE, settings, web=True, web_options=web_options(settings))
    no_commits_once_stopping(app)   # (its inputs are re-read idempotently after a restart)
    results = app.topic(settings.topic("article-quotes"), settings.topic("article-entities"),
                        key_serializer="raw", value_serializer="raw")
    states = app.topic(settings.topic("story-state"), key_serializer="raw", value_serializer="raw")
    dlq = DeadLetters(app, settings, SERVICE)
    log = slog.get_logger("storystream.aggregator")
    # use_partitioner: the timers below write too, outside any stream event (one partition)
    table_opts = dict(partitions=1, use_partitioner=True,
                      schema=faust.Schema(key_serializer="json", value_serializer="json"))
    if settings.store.startswith("rocksdb"):
        table_opts["options"] = dict(ROCKSDB_OPTIONS)
    pending = app.Table("pending-joins", default=None, **table_opts)
    stories = app.Table("stories", default=None, **table_opts)
    articles = app.Table("story-articles", default=None, **table_opts)
    config = engine_config or EngineConfig(close_after_seconds=settings.story_close_seconds,
                                           reopen_after_seconds=settings.story_reopen_seconds)

    taken, sent, timing = STAGE_IN.labels(SERVICE), STAGE_OUT.labels(SERVICE), PROCESSING.labels(SERVICE)

    def publish(state) -> None:
        states.send_soon(key=story_key(state.story_id), value=encode(state))
        sent.inc()

    listing = StoryListing()                 # GET /stories' order, kept up to date by the writes
    durable = Durability(StoryEngine(config), ListedTable(stories, listing), articles, pending, publish, log)
    instrument_faust(app, settings, SERVICE,
                     tables={"stories": stories, "story-articles": articles, "pending-joins": pending})
    gauge("storystream_open_stories", "Open stories held by the aggregator", [],
          lambda: [((), len(durable.engine.index.members))])
    published: dict[str, dict[str, int]] = {}   # "versions": read from story-state at start
    quotes_topic = settings.topic("article-quotes")

    def refuse(msg, exc: Exception) -> None:
        """Dead-letter an article the engine refused (its reason) or failed on (where)."""
        if isinstance(exc, BadMessage):
            dlq.send_soon(msg, str(exc))
        else:
            dlq.send_soon(msg, crash_reason(exc), error_type="processing")

    @app.agent(results, name="aggregator-agent")
    async def aggregate(stream):
        # read before the first message is taken: nothing of a message is handled across an await
        published["versions"] = await published_versions(settings)
        async for event in stream.events():
            msg = event.message
            taken.inc()
            kind = "quotes" if msg.topic == quotes_topic else "entities"
            try:
                result = decode(ArticleQuotes if kind == "quotes" else ArticleEntities, msg.value)
            except BadMessage as exc:
                dlq.send_soon(msg, str(exc))
                continue
            except Exception as exc:  # never let one message stop the agent
                dlq.send_soon(msg, crash_reason(exc))
                continue
            started = time.perf_counter()
            durable.restore(published["versions"])
            # no await from here to the end of the message: a cancellation cannot split its
            # publishing and table writes (see services/aggregator/durability.py)
            durable.receive(kind, result, lambda exc, msg=msg: refuse(msg, exc))
            timing.observe(time.perf_counter() - started)

    @app.timer(interval=RESTORE_CHECK_SECONDS, on_leader=False)
    async def restore_when_idle():
        """Restore (and re-state stale published stories) as soon as the tables are recovered,
        not only when the first message arrives: an idle restart must not leave a stale state
        on story-state until the next article."""
        if not durable.restored and "versions" in published and app.tables.recovery.completed.is_set():
            durable.restore(published["versions"])

    @app.timer(interval=SETTLE_SECONDS, on_leader=False)
    async def settle_joined():
        """Drop the pending halves of merged articles once their records are on the broker:
        the flush (hardened, see ``harden_flush``) waits for every earlier send (acks=all),
        table writes included."""
        batch = durable.settle_mark()
        if not batch:
            return
        await app.producer.flush()
        durable.settle(batch)

    @app.timer(interval=min(PENDING_CHECK_SECONDS, settings.pending_expire_seconds), on_leader=False)
    async def expire_lone_halves():
        """Drop and dead-letter the join halves whose twin never came (STORYSTREAM_PENDING_EXPIRE_SECONDS),
        one dead letter per half, naming what never arrived."""
        limit = settings.pending_expire_seconds
        for x in durable.expire_pending(limit):
            for kind, payload in sorted(x.halves.items()):
                dlq.send_record(settings.topic(f"article-{kind}"), article_key(x.article_id),
                                json.dumps(payload).encode(), x.reason(limit), error_type="expired")

    @app.timer(interval=settings.close_check_seconds, on_leader=False)
    async def close_idle_stories():
        """Close stories idle (in event time) longer than STORYSTREAM_STORY_CLOSE_SECONDS:
        publish their closed state and drop them from memory; the tables keep them."""
        durable.close_idle()

    register_views(app, settings, stories, listing,
                   ready=lambda: app.tables.recovery.completed.is_set() and durable.restored,
                   lookup=lambda sid: durable.engine.view(sid), max_items=config.max_list_items)
    return app
