"""``storystream worker feeds``: poll the feeds of ``feeds.yaml`` that this worker owns.

Ownership, restore and hand-over are described in ``services/feeds/ownership.py``: the workers
form one Kafka consumer group over ``feed-state``; each assigned partition is restored from
``feed-state`` and ``feed-items`` before its feeds are polled, and a revoked one is released
only after its feeds stopped and every record sent for them is confirmed.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiokafka import ConsumerRebalanceListener, TopicPartition

from schemas.models import Article, ArticleKey, FeedItem, FeedKey, FeedState
from services.common import logging as slog
from services.common.codec import BadMessage, article_key, decode, encode
from services.common.kafka import make_consumer
from services.common.metrics import serve_health
from services.common.settings import Settings
from services.feeds.config import FeedSpec
from services.feeds.fetch import Fetcher
from services.feeds.ownership import partition_for
from services.feeds.poll import FeedPoller, Limits, now_utc, run_until
from services.feeds.schedule import Timing
from services.feeds.state import ItemStore
from services.producer.live import stop_event
from services.producer.publish import Publisher

log = slog.get_logger("storystream.feeds")


class KafkaSink:
    """A poll's results as Kafka records: articles (confirmed before the item is recorded), dead
    letters, and the state records on the owner's partition."""

    def __init__(self, pub: Publisher, settings: Settings) -> None:
        self.pub = pub
        self.state_topic, self.items_topic = settings.topic("feed-state"), settings.topic("feed-items")

    async def article(self, article: Article) -> bool:
        return await (await self.pub.send_article(article))

    async def dead_letter(self, source: str, reason: str, raw: bytes, error_type: str) -> None:
        await self.pub.send_dead_letter(source, reason, raw, error_type=error_type)

    async def feed_state(self, state: FeedState, partition: int) -> None:
        await self.pub.send(self.state_topic, encode(FeedKey(feed_url=state.feed_url)), encode(state),
                            partition=partition, what=f"feed state of {state.feed_url}")

    async def item_state(self, item: FeedItem, partition: int) -> None:
        await self.pub.send(self.items_topic, article_key(item.article_id), encode(item), partition=partition,
                            what=f"item state of {item.article_id}")

    async def item_forgotten(self, item_id: str, partition: int) -> None:
        await self.pub.send(self.items_topic, article_key(item_id), None, partition=partition,
                            what=f"tombstone of item {item_id}")


class FeedsWorker:
    def __init__(self, settings: Settings, specs: list[FeedSpec], *, fetcher: Fetcher | None = None) -> None:
        self.settings = settings
        self.specs = specs
        self.partitions: dict[str, int] = {s.url: partition_for(s.url, settings.feeds_partitions) for s in specs}
        self.fetcher = fetcher or Fetcher(user_agent=settings.feeds_user_agent, timeout=settings.feeds_timeout,
                                          delay=settings.feeds_host_delay,
                                          concurrency=settings.feeds_host_concurrency)
        self.timing = Timing(settings.feeds_interval, settings.feeds_min_interval, settings.feeds_max_interval)
        self.limits = Limits(max_feed_bytes=settings.feeds_max_feed_bytes,
                             max_page_bytes=settings.feeds_max_page_bytes, max_items=settings.feeds_max_items,
                             item_retries=settings.feeds_item_retries, max_body_bytes=settings.max_body_bytes,
                             item_retention_s=settings.feeds_item_retention_days * 86400.0)
        self.states: dict[str, FeedState] = {}
        self.items = ItemStore()
        self.owned: set[int] = set()
        self.releasing: set[int] = set()
        self.tasks: dict[str, asyncio.Task] = {}
        self.closing = False
        self.assigned = False     # the first rebalance has handed this worker its partitions
        self.sink: KafkaSink | None = None
        self.pub: Publisher | None = None

    # ------------------------------------------------------------------ ownership
    async def acquire(self, parts: set[int]) -> None:
        parts = parts - self.owned
        if not parts:
            return
        await self._restore(parts)
        self.owned |= parts
        self.releasing -= parts
        mine = [s for s in self.specs if self.partitions[s.url] in parts]
        log.info("feeds.acquired", partitions=sorted(parts), feeds=len(mine), items=len(self.items))
        for spec in mine:
            self.tasks[spec.url] = asyncio.create_task(self._loop(spec, self.partitions[spec.url]))

    async def release(self, parts: set[int]) -> None:
        parts = parts & self.owned
        if not parts:
            return
        self.releasing |= parts
        try:
            going = [t for url, t in self.tasks.items() if self.partitions[url] in parts]
            await asyncio.gather(*going, return_exceptions=True)
            if self.pub is not None:
                await self.pub.drain()
        finally:                      # whatever happened, these partitions are no longer ours
            for url in [u for u in self.tasks if self.partitions[u] in parts]:
                self.tasks.pop(url).cancel()
                self.states.pop(url, None)
            self.items.drop_partitions(parts)
            self.owned -= parts
        log.info("feeds.released", partitions=sorted(parts))

    async def _restore(self, parts: set[int]) -> None:
        """Read the partitions of both state topics to their end (the previous owner's last word)."""
        s = self.settings
        tps = [TopicPartition(s.topic(t), p) for t in ("feed-state", "feed-items") for p in sorted(parts)]
        consumer = make_consumer(s, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        try:
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            todo = {tp for tp in tps if ends[tp] > 0}
            while todo:
                batch = await consumer.getmany(*todo, timeout_ms=500)
                for tp, records in batch.items():
                    for r in records:
                        self._apply(tp, r.key, r.value)
                for tp in list(todo):
                    if await consumer.position(tp) >= ends[tp]:
                        todo.discard(tp)
        finally:
            await consumer.stop()

    def _apply(self, tp: TopicPartition, key: bytes | None, value: bytes | None) -> None:
        if value is None:      # a forgotten item's tombstone (compaction drops both in time)
            if tp.topic == self.settings.topic("feed-items") and key is not None:
                try:
                    self.items.forget(decode(ArticleKey, key).article_id)
                except BadMessage as exc:
                    log.warning("feeds.bad_state_record", topic=tp.topic, partition=tp.partition, reason=str(exc))
            return
        try:
            if tp.topic == self.settings.topic("feed-state"):
                state = decode(FeedState, value)
                self.states[state.feed_url] = state
            else:
                self.items.put(decode(FeedItem, value), tp.partition)
        except BadMessage as exc:
            log.warning("feeds.bad_state_record", topic=tp.topic, partition=tp.partition, reason=str(exc))

    # ------------------------------------------------------------------ polling
    async def _loop(self, spec: FeedSpec, partition: int) -> None:
        poller = FeedPoller(spec, self.fetcher, self.sink, self.timing, self.limits, self.items, partition)

        def stopping() -> bool:
            return self.closing or partition in self.releasing
        while not stopping():
            state = self.states.get(spec.url)
            if state is not None and state.gone:
                log.info("feed.not_polled", feed=spec.url, reason="gone (HTTP 410)")
                return
            if state is not None:
                await run_until(state.next_poll_at, stopping, asyncio.sleep)
                if stopping():
                    return
            try:
                self.states[spec.url] = await poller.poll(state, stopping)
            except asyncio.CancelledError:
                raise
            except Exception as exc:      # a bug must not end the feed's polling; it is logged
                log.exception("feed.poll_crashed", feed=spec.url, error=f"{type(exc).__name__}: {exc}")
                base = state or poller.initial()
                wait = self.timing.after_error(base.interval_s, base.errors + 1)
                self.states[spec.url] = base.model_copy(update={
                    "errors": base.errors + 1, "next_poll_at": now_utc() + timedelta(seconds=wait)})

    async def run(self, stop: asyncio.Event) -> int:
        s = self.settings
        async with Publisher(s, service="feeds", err=None) as pub:
            self.pub, self.sink = pub, KafkaSink(pub, s)
            # ready once the first assignment's state is read back (or none was assigned)
            health = await serve_health(s, "feeds", lambda: self.assigned and not self.closing)
            consumer = make_consumer(s, group_id=s.app_id("feeds"), enable_auto_commit=False,
                                     auto_offset_reset="latest", max_poll_interval_ms=600_000)
            consumer.subscribe([s.topic("feed-state")], listener=_Rebalance(self))
            await consumer.start()
            log.info("feeds.started", feeds=len(self.specs), partitions=s.feeds_partitions)
            try:
                while not stop.is_set():
                    await consumer.getmany(timeout_ms=500)     # membership; our own records are not needed
            finally:
                self.closing = True
                await self.release(set(self.owned))
                await consumer.stop()
                await self.fetcher.aclose()
                await health.stop()
        log.info("feeds.stopped", **pub.report.__dict__)
        return 0


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, worker: FeedsWorker) -> None:
        self.worker = worker

    async def on_partitions_revoked(self, revoked) -> None:
        await self.worker.release({tp.partition for tp in revoked})

    async def on_partitions_assigned(self, assigned) -> None:
        await self.worker.acquire({tp.partition for tp in assigned})
        self.worker.assigned = True


def run_feeds(settings: Settings, specs: list[FeedSpec]) -> int:
    """The worker until SIGINT/SIGTERM (feeds released, sends confirmed, then exit 0)."""
    async def main() -> int:
        return await FeedsWorker(settings, specs).run(stop_event())
    logging.getLogger("httpx").setLevel(logging.WARNING)    # one line per request otherwise
    return asyncio.run(main())
