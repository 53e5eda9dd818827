"""One poll of one feed: conditional GET, the feed's entries, each new or changed item's page
fetched, extracted and published once, and the feed's state for the next poll.

What a poll does with each answer:
* ``304``: nothing to read; no page is fetched; the interval grows.
* ``200``: validators (ETag, Last-Modified) kept for the next conditional GET; a permanent
  redirect (301/308 all the way) moves the feed to its new URL; the entries are read and each
  one not seen before, or whose entry changed (title, update date), has its page fetched.
  At most ``max_items`` pages per poll (newest entries first, published oldest first); the rest
  wait for the next polls, which come at the shortest interval while a backlog remains.
* ``410``: the feed is gone and no longer polled.  ``429``/``503`` with ``Retry-After``: waited out.
  Any other failure backs off exponentially; the first failure of a streak (or one with a new
  reason) is dead-lettered with its reason, every one is logged.

Each item: its id is the canonical URL of its link (``services.feeds.urls``); the article is
published under the page's canonical URL (when the page names one on its own site).  A page
fetched again (its entry changed) whose text is unchanged publishes nothing; with new text it is
a *revision*: the same id, a new content hash.  A page that fails for good (not HTML, too large,
no article text, 4xx, robots.txt) is dead-lettered and not fetched again unless its entry changes;
one that fails for a while (timeout, 5xx) is tried again on the next polls, ``item_retries`` times.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable, Protocol

from schemas.models import Article, FeedItem, FeedState
from services.common import logging as slog
from services.feeds.config import FeedSpec
from services.feeds.extract import ExtractError, extract_page, is_html
from services.feeds.fetch import FetchError, Fetched, Fetcher
from services.feeds.parse import FeedEntry, FeedError, ParsedFeed, parse_feed
from services.feeds.schedule import Timing, max_age
from services.feeds.state import ItemStore
from services.feeds.urls import article_id_for
from services.producer.records import record_to_article

log = slog.get_logger("storystream.feeds")
MAX_CHILD_SITEMAPS = 3
RAW_KEEP = 64 * 1024        # bytes of a refused page or feed kept in its dead letter


class Sink(Protocol):
    """Where a poll's results go (Kafka in the worker; a list in unit tests)."""

    async def article(self, article: Article) -> bool: ...
    async def dead_letter(self, source: str, reason: str, raw: bytes, error_type: str) -> None: ...
    async def feed_state(self, state: FeedState, partition: int) -> None: ...
    async def item_state(self, item: FeedItem, partition: int) -> None: ...
    async def item_forgotten(self, item_id: str, partition: int) -> None: ...


@dataclass(frozen=True)
class Limits:
    max_feed_bytes: int = 10 * 1024 * 1024
    max_page_bytes: int = 5 * 1024 * 1024
    max_items: int = 200
    item_retries: int = 3
    max_body_bytes: int = 4 * 1024 * 1024
    # an item its feed no longer lists is forgotten this long after its page was last fetched
    # (a tombstone on feed-items); not fitted: an operating choice, see docs/operations.md
    item_retention_s: float = 30 * 86400.0


def conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The validators of a conditional GET."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


class FeedPoller:
    def __init__(self, spec: FeedSpec, fetcher: Fetcher, sink: Sink, timing: Timing, limits: Limits,
                 items: ItemStore, partition: int = 0) -> None:
        self.spec, self.fetcher, self.sink, self.timing, self.limits = spec, fetcher, sink, timing, limits
        self.items = items          # shared by the feeds of one worker
        self.partition = partition  # where this feed's state records go (its owner's partition)
        self.log = log

    def initial(self) -> FeedState:
        now = now_utc()
        return FeedState(feed_url=self.spec.url, url=self.spec.url, interval_s=self.timing.start(self.spec.interval),
                         next_poll_at=now, updated_at=now)

    # ------------------------------------------------------------------ the feed
    async def poll(self, state: FeedState | None, stopping: Callable[[], bool] = lambda: False) -> FeedState:
        state = state or self.initial()
        if state.gone:
            return state
        now = now_utc()
        headers = conditional(state.etag, state.last_modified)
        try:
            got = await self.fetcher.get(state.url, max_bytes=self.limits.max_feed_bytes, headers=headers)
        except FetchError as exc:
            return await self._failed(state, exc.reason, status=exc.status, retry_after=exc.retry_after, raw=exc.body)
        if got.moved_to:
            self.log.info("feed.moved", feed=self.spec.url, old=state.url, new=got.moved_to)
            state = state.model_copy(update={"url": got.moved_to})
        if got.status == 304:
            interval = self.timing.adapt(state.interval_s, 0)
            return await self._save(state, now, interval, max_age(got.headers), last_status=304)
        if got.status != 200:
            return await self._failed(state, f"HTTP {got.status}", status=got.status)
        try:
            parsed = await asyncio.to_thread(parse_feed, got.body, got.headers.get("content-type", ""), got.url)
            if parsed.kind == "sitemapindex":
                parsed = await self._children(parsed)
        except FeedError as exc:
            return await self._failed(state, str(exc), status=200, raw=got.body)
        for problem in parsed.problems:
            self.log.warning("feed.problem", feed=self.spec.url, problem=problem)
        taken = await self._items(parsed, stopping)
        await self._forget_unlisted(parsed, now)
        backlog = taken < 0
        interval = self.timing.minimum if backlog else self.timing.adapt(state.interval_s, taken)
        hint = None if backlog else max(max_age(got.headers) or 0.0, parsed.ttl_s or 0.0) or None
        state = state.model_copy(update={"etag": got.headers.get("etag"),
                                         "last_modified": got.headers.get("last-modified")})
        return await self._save(state, now, interval, hint, last_status=200)

    async def _children(self, index: ParsedFeed) -> ParsedFeed:
        """A sitemap index: the newest child sitemaps' entries."""
        newest = sorted(index.sitemaps, key=lambda s: s[1] or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        merged = ParsedFeed("sitemap", [], problems=index.problems)
        for loc, _ in newest[:MAX_CHILD_SITEMAPS]:
            try:
                got = await self.fetcher.get(loc, max_bytes=self.limits.max_feed_bytes)
                child = await asyncio.to_thread(parse_feed, got.body, got.headers.get("content-type", ""), got.url)
            except (FetchError, FeedError) as exc:
                merged.problems.append(f"child sitemap {loc}: {exc}")
                continue
            merged.entries += child.entries
            merged.problems += child.problems
        return merged

    async def _save(self, state: FeedState, now: datetime, interval: float, hint: float | None, *,
                    last_status: int) -> FeedState:
        wait = self.timing.after_success(interval, hint)
        state = state.model_copy(update={"interval_s": interval, "next_poll_at": now + timedelta(seconds=wait),
                                         "last_polled_at": now, "last_status": last_status, "errors": 0,
                                         "last_error": None, "updated_at": now_utc()})
        await self.sink.feed_state(state, self.partition)
        return state

    async def _failed(self, state: FeedState, reason: str, *, status: int | None = None,
                      retry_after: float | None = None, raw: bytes = b"") -> FeedState:
        now = now_utc()
        source = f"feed {self.spec.url}"
        if status == 410:
            self.log.warning("feed.gone", feed=self.spec.url, url=state.url, reason="HTTP 410 Gone: polling stopped")
            await self.sink.dead_letter(source, f"{state.url}: HTTP 410 Gone: polling stopped", raw[:RAW_KEEP], "feed")
            state = state.model_copy(update={"gone": True, "last_status": 410, "last_polled_at": now,
                                             "last_error": "HTTP 410 Gone", "updated_at": now})
            await self.sink.feed_state(state, self.partition)
            return state
        errors = state.errors + 1
        wait = self.timing.after_error(state.interval_s, errors, retry_after)
        self.log.warning("feed.poll_failed", feed=self.spec.url, url=state.url, reason=reason, errors=errors,
                    next_poll_s=round(wait, 1))
        if status not in (429, 503) and (state.errors == 0 or state.last_error != reason):
            await self.sink.dead_letter(source, f"{state.url}: {reason}", raw[:RAW_KEEP], "feed")
        state = state.model_copy(update={"errors": errors, "last_error": reason, "last_status": status,
                                         "last_polled_at": now, "next_poll_at": now + timedelta(seconds=wait),
                                         "updated_at": now})
        await self.sink.feed_state(state, self.partition)
        return state

    # ------------------------------------------------------------------ the items
    async def _forget_unlisted(self, parsed: ParsedFeed, now: datetime) -> None:
        """Forget the items this feed no longer lists and has not fetched within the retention.
        A feed that lists nothing (broken for a while, or emptied) forgets nothing: its items
        would all be fetched again when it comes back."""
        if not parsed.entries:
            return
        listed = {article_id_for(e.link) for e in parsed.entries}
        stale = self.items.stale(self.spec.url, listed, now - timedelta(seconds=self.limits.item_retention_s))
        for item_id in stale:
            self.items.forget(item_id)
            await self.sink.item_forgotten(item_id, self.partition)
        if stale:
            self.log.info("feed.items_forgotten", feed=self.spec.url, items=len(stale),
                          reason="no longer listed and not fetched within the retention")

    def _wanted(self, entries: list[FeedEntry]) -> list[tuple[FeedEntry, FeedItem | None]]:
        wanted = []
        for entry in entries:
            seen = self.items.get(article_id_for(entry.link))
            if seen is None or seen.status == "pending" or seen.entry_fingerprint != entry.fingerprint:
                wanted.append((entry, seen))
        return wanted

    async def _items(self, parsed: ParsedFeed, stopping: Callable[[], bool]) -> int:
        """Fetch and publish the wanted items; the number published, or -1 when some are left."""
        wanted = self._wanted(parsed.entries)
        left = len(wanted) > self.limits.max_items
        if left:
            oldest = datetime.min.replace(tzinfo=timezone.utc)
            self.log.warning("feed.backlog", feed=self.spec.url, wanted=len(wanted), taken=self.limits.max_items,
                        reason="more new items than max_items: the rest on the next polls")
            wanted = sorted(wanted, key=lambda w: w[0].when or oldest, reverse=True)[: self.limits.max_items]
        published = 0
        for entry, seen in reversed(wanted):
            if stopping():
                return -1
            published += await self._item(entry, seen)
        return -1 if left else published

    async def _item(self, entry: FeedEntry, seen: FeedItem | None) -> int:
        item_id = article_id_for(entry.link)
        headers = conditional(seen.page_etag, seen.page_last_modified) \
            if seen is not None and seen.status == "published" else {}
        try:
            got = await self.fetcher.get(entry.link, max_bytes=self.limits.max_page_bytes, headers=headers)
        except FetchError as exc:
            return await self._item_failed(entry, seen, exc.reason, exc.transient, exc.body)
        if got.status == 304 and seen is not None:
            await self._remember(entry, seen, "published", seen.content_hash, got, url=seen.url)
            return 0
        if got.status != 200:
            return await self._item_failed(entry, seen, f"HTTP {got.status}", False, got.body)
        ctype = got.headers.get("content-type", "")
        if not is_html(ctype):
            return await self._item_failed(entry, seen, f"not an HTML page: Content-Type {ctype!r}", False, got.body)
        try:
            page = await asyncio.to_thread(extract_page, got.body, ctype, got.url)
            article = self._article(entry, page, item_id)
        except (ExtractError, ValueError) as exc:
            return await self._item_failed(entry, seen, str(exc), False, got.body)
        already = self.items.published_hash(article.article_id)
        if already == article.content_hash:         # unchanged text, or the same page by another link
            await self._remember(entry, seen, "published", article.content_hash, got, url=article.article_id)
            return 0
        if not await self.sink.article(article):
            return await self._item_failed(entry, seen, "the broker did not take the article", True, b"")
        self.log.info("feed.article", feed=self.spec.url, article_id=article.article_id,
                 revision=already is not None)
        await self._remember(entry, seen, "published", article.content_hash, got, url=article.article_id)
        return 1

    def _article(self, entry: FeedEntry, page, item_id: str) -> Article:
        published = entry.when or page.published
        record = {"id": article_id_for(page.url), "title": page.title or entry.title or "", "body": page.body,
                  "outlet": self.spec.outlet, "url": page.url,
                  "published": published.isoformat() if published else None,
                  "authors": entry.authors or page.authors,
                  "language": self.spec.language or entry.language}
        return record_to_article(record, f"feed {self.spec.url}: {item_id}", max_body_bytes=self.limits.max_body_bytes)

    async def _remember(self, entry: FeedEntry, seen: FeedItem | None, status: str, content_hash: str | None,
                        got: Fetched | None, *, url: str, attempts: int = 0, reason: str | None = None) -> None:
        now = now_utc()
        item_id = article_id_for(entry.link)
        keep_validators = got is not None and got.status == 304 and seen is not None
        item = FeedItem(
            article_id=item_id, url=url, feed_url=self.spec.url, entry_fingerprint=entry.fingerprint,
            status=status, content_hash=content_hash,
            page_etag=(seen.page_etag if keep_validators else got.headers.get("etag")) if got else None,
            page_last_modified=(seen.page_last_modified if keep_validators else got.headers.get("last-modified"))
            if got else None,
            attempts=attempts, reason=reason, first_seen=seen.first_seen if seen else now, last_seen=now)
        self.items.put(item, self.partition)
        await self.sink.item_state(item, self.partition)

    async def _item_failed(self, entry: FeedEntry, seen: FeedItem | None, reason: str, transient: bool,
                           raw: bytes) -> int:
        attempts = (seen.attempts if seen is not None and seen.status == "pending" else 0) + 1
        item_id = article_id_for(entry.link)
        if transient and attempts < self.limits.item_retries:
            self.log.warning("feed.item_retry", feed=self.spec.url, item=item_id, reason=reason, attempts=attempts)
            await self._remember(entry, seen, "pending", seen.content_hash if seen else None, None,
                                 url=seen.url if seen else item_id, attempts=attempts, reason=reason)
            return 0
        if transient:
            reason = f"{reason} (after {attempts} attempts)"
        await self.sink.dead_letter(f"feed {self.spec.url}: {item_id}", reason, raw[:RAW_KEEP], "feed_item")
        await self._remember(entry, seen, "refused", seen.content_hash if seen else None, None,
                             url=seen.url if seen else item_id, attempts=attempts, reason=reason)
        return 0


async def run_until(when: datetime, stop: Callable[[], bool], sleep: Callable[[float], Awaitable[None]]) -> None:
    """Sleep until ``when`` in short steps, returning early once ``stop()`` holds."""
    while not stop():
        left = (when - now_utc()).total_seconds()
        if left <= 0:
            return
        await sleep(min(left, 0.5))
