"""The feeds worker's memory of what it has seen: the items of the partitions it owns, by item
id, by feed and by the article id they were published under (restored from ``feed-items``).

An item its feed no longer lists is kept for a retention period (``stale``), then forgotten: a
tombstone on ``feed-items`` and out of memory, so the state of a long-running worker is bounded by
what its feeds list plus what they listed within the retention, not by everything ever seen."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from schemas.models import FeedItem


class ItemStore:
    def __init__(self) -> None:
        self.items: dict[str, FeedItem] = {}
        self.partition_of: dict[str, int] = {}
        self.by_article: dict[str, str] = {}     # published article id -> its content hash
        self.by_feed: dict[str, set[str]] = {}   # feed url -> its item ids
        self.links: dict[str, set[str]] = {}     # published article id -> the item ids published as it

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> FeedItem | None:
        return self.items.get(item_id)

    def put(self, item: FeedItem, partition: int) -> None:
        old = self.items.get(item.article_id)
        if old is not None and (old.feed_url, old.url) != (item.feed_url, item.url):
            self._unlist(old)
        self.items[item.article_id] = item
        self.by_feed.setdefault(item.feed_url, set()).add(item.article_id)
        self.partition_of[item.article_id] = partition
        if item.status == "published" and item.content_hash:
            self.by_article[item.url] = item.content_hash
            self.links.setdefault(item.url, set()).add(item.article_id)

    def published_hash(self, article_id: str) -> str | None:
        return self.by_article.get(article_id)

    def stale(self, feed_url: str, listed: Iterable[str], before: datetime) -> list[str]:
        """The items of ``feed_url`` not among ``listed`` (the ids its feed lists now) whose last
        fetch was before ``before``: sorted, for a deterministic order of tombstones."""
        now_listed = set(listed)
        return sorted(i for i in self.by_feed.get(feed_url, ())
                      if i not in now_listed and self.items[i].last_seen < before)

    def forget(self, item_id: str) -> None:
        item = self.items.pop(item_id, None)
        if item is None:
            return
        self.partition_of.pop(item_id, None)
        self._unlist(item)

    def _unlist(self, item: FeedItem) -> None:
        ids = self.by_feed.get(item.feed_url)
        if ids is not None:
            ids.discard(item.article_id)
            if not ids:
                del self.by_feed[item.feed_url]
        links = self.links.get(item.url)
        if links is not None:
            links.discard(item.article_id)
            if not links:          # no remembered link publishes that page any more
                del self.links[item.url]
                self.by_article.pop(item.url, None)

    def drop_partitions(self, partitions: set[int]) -> None:
        gone = [i for i, p in self.partition_of.items() if p in partitions]
        for item_id in gone:
            item = self.items.pop(item_id)
            del self.partition_of[item_id]
            self._unlist(item)
