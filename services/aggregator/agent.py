"""aggregator: joins each article's quotes and entities, assigns it to a story,
merges it into the story state (faust tables, changelog-backed) and publishes
the new state to the compacted ``story-state`` topic, keyed by story id.

Idempotent: an article id already merged with the same content hash changes
nothing; the same id with new content is a revision that replaces the old one.
"""
from __future__ import annotations

from datetime import datetime, timezone

import faust
import structlog

from schemas.models import ArticleEntities, ArticleQuotes
from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.join import join_step
from services.aggregator.published import published_versions
from services.aggregator.storage import ROCKSDB_OPTIONS
from services.aggregator.web import register_views
from services.common import logging as slog
from services.common.app import make_app, no_commits_once_stopping
from services.common.codec import BadMessage, crash_reason, decode, encode, story_key
from services.common.deadletters import DeadLetters
from services.common.settings import Settings

SERVICE = "aggregator"
SETTLE_SECONDS = 5.0   # how often merged articles' pending join halves are dropped
RESTORE_CHECK_SECONDS = 1.0   # how soon an idle restarted aggregator restores and re-states


def build(settings: Settings, engine_config: EngineConfig | None = None):
    app = make_app(SERVICE, settings, web=True)
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
    config = engine_config or EngineConfig(close_after_seconds=settings.story_close_seconds)
    engine = StoryEngine(config)
    # closed stories and their articles live only in the tables; the engine loads them on demand
    engine.story_loader = lambda story_id: stories.get(story_id)
    engine.article_loader = lambda article_id: articles.get(article_id)
    restored = {"done": False}
    published: dict[str, dict[str, int]] = {}   # "versions": read from story-state at start
    quotes_topic = settings.topic("article-quotes")
    # (article id, content hash) merged, whose pending halves are dropped only once the
    # article record is on the broker (see ``settle_joined``)
    unsettled: list[tuple[str, str]] = []

    def settle(article_id: str, content_hash: str) -> None:
        entry = pending.get(article_id)
        if not entry or content_hash not in entry:
            return
        rest = {k: v for k, v in entry.items() if k != content_hash}
        if rest:
            pending[article_id] = rest
        else:
            del pending[article_id]

    def ensure_restored() -> None:
        if not restored["done"]:
            repaired = engine.restore([v for v in stories.values() if v], [v for v in articles.values() if v])
            for record in repaired:  # a story record left inconsistent by a kill between two table writes
                stories[record["story_id"]] = record
            # Published but never persisted (a kill between the two): re-state those stories above
            # the published version, so no stale state keeps listing an article the restarted
            # worker may place elsewhere.  Repaired stories are re-stated too.
            now = datetime.now(timezone.utc)
            versions = published["versions"]
            restate = {sid: v for sid, v in versions.items()
                       if v > ((stories.get(sid) or {}).get("version") or 0)}
            for record in repaired:
                sid = record["story_id"]
                restate[sid] = max(restate.get(sid, 0), versions.get(sid, 0), record["version"])
            for sid, version in sorted(restate.items()):
                update = engine.supersede(sid, version + 1, now)
                stories[sid] = update.story_record
                publish(update.state)
            # halves of articles already merged whose settling a kill prevented
            for article_id, entry in list(pending.items()):
                done = articles.get(article_id)
                if entry and done and done.get("content_hash") in entry:
                    unsettled.append((article_id, done["content_hash"]))
            restored["done"] = True
            log.info("aggregator.restored", stories=len(stories), articles=len(articles),
                     repaired=[r["story_id"] for r in repaired], restated=sorted(restate))

    def publish(state) -> None:
        states.send_soon(key=story_key(state.story_id), value=encode(state))

    @app.agent(results, name="aggregator-agent")
    async def aggregate(stream):
        # read before the first message is taken: nothing of a message is handled across an await
        published["versions"] = await published_versions(settings)
        async for event in stream.events():
            msg = event.message
            kind = "quotes" if msg.topic == quotes_topic else "entities"
            try:
                result = decode(ArticleQuotes if kind == "quotes" else ArticleEntities, msg.value)
            except BadMessage as exc:
                dlq.send_soon(msg, str(exc))
                continue
            except Exception as exc:  # never let one message stop the agent
                dlq.send_soon(msg, crash_reason(exc))
                continue
            ensure_restored()
            meta = result.article
            bound = log.bind(article_id=meta.article_id)
            done = articles.get(meta.article_id)
            if done and done.get("content_hash") == meta.content_hash:
                bound.info("article.duplicate_ignored", kind=kind)
                unsettled.append((meta.article_id, meta.content_hash))
                continue
            entry, joined = join_step(pending.get(meta.article_id), kind, meta.content_hash,
                                      result.model_dump(mode="json"))
            if joined is None:
                pending[meta.article_id] = entry
                bound.info("article.half_pending", kind=kind)   # (an article never joined is traceable)
                continue

            def settle_pending() -> None:
                # Not now: the other half's pending entry must outlive this message until the
                # article record is durable, else a kill that lets the deletion reach the
                # changelog but not the record loses the article (its other half's offset is
                # already committed).  ``settle_joined`` drops it after a producer flush.
                unsettled.append((meta.article_id, meta.content_hash))
            try:
                update = engine.process(ArticleQuotes.model_validate(joined[0]),
                                        ArticleEntities.model_validate(joined[1]),
                                        datetime.now(timezone.utc))
            except Exception as exc:
                dlq.send_soon(msg, crash_reason(exc), error_type="processing")
                bound.exception("article.aggregation_failed")
                settle_pending()
                continue
            if update is None:
                bound.info("article.duplicate_ignored", kind=kind)
                settle_pending()
                continue
            # Publish first, then persist: a worker stopped or killed in between re-processes the
            # article after restart (re-publishing the same state) instead of remembering an
            # article whose state never reached story-state (nor drops the first half of its join).
            # The table writes below have no await between them, so a cancellation cannot split them.
            for extra in update.extra_states:
                publish(extra)
            publish(update.state)
            stories[update.story_id] = update.story_record
            for record in update.extra_records:  # the story a revised article left, a split's or merge's other
                stories[record["story_id"]] = record
            for record in update.extra_articles:  # the articles a split or merge moved (not this one)
                articles[record["article_id"]] = record
            articles[meta.article_id] = update.article_record
            settle_pending()
            bound.info("story.updated", story_id=update.story_id, version=update.state.version,
                       articles=update.state.totals.articles, quotes=update.state.totals.quotes)
            if update.split_into:
                kept = next(s for s in [update.state, *update.extra_states] if s.delta.articles_removed)
                bound.info("story.split", story_id=kept.story_id, new_story_id=update.split_into,
                           moved=kept.delta.articles_removed, kept=kept.totals.articles)
            for target, moved in update.rehomed.items():
                bound.info("story.rehomed", story_id=update.story_id, to_story_id=target, moved=moved)
            if update.merged_from:
                bound.info("story.merged", story_id=update.story_id, merged_story_id=update.merged_from,
                           moved=update.state.delta.articles_moved_in, articles=update.state.totals.articles)

    @app.timer(interval=RESTORE_CHECK_SECONDS, on_leader=False)
    async def restore_when_idle():
        """Restore (and re-state stale published stories) as soon as the tables are recovered,
        not only when the first message arrives: an idle restart must not leave a stale state
        on story-state until the next article."""
        if not restored["done"] and "versions" in published and app.tables.recovery.completed.is_set():
            ensure_restored()

    @app.timer(interval=SETTLE_SECONDS, on_leader=False)
    async def settle_joined():
        """Drop the pending halves of merged articles once their records are on the broker:
        the flush (hardened, see ``harden_flush``) waits for every earlier send (acks=all),
        table writes included."""
        if not unsettled:
            return
        batch = len(unsettled)
        await app.producer.flush()
        for article_id, content_hash in unsettled[:batch]:
            settle(article_id, content_hash)
        del unsettled[:batch]

    @app.timer(interval=settings.close_check_seconds, on_leader=False)
    async def close_idle_stories():
        """Close stories idle (in event time) longer than STORYSTREAM_STORY_CLOSE_SECONDS:
        publish their closed state and drop them from memory; the tables keep them."""
        if not restored["done"]:
            return
        for update in engine.expire_updates(datetime.now(timezone.utc)):
            stories[update.story_id] = update.story_record
            publish(update.state)
            log.info("story.closed", story_id=update.story_id, version=update.state.version)

    register_views(app, settings, stories, max_items=config.max_list_items)
    return app
