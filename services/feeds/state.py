"""The feeds worker's memory of what it has seen: the items of the partitions it owns, by item
id and by the article id they were published under (restored from ``feed-items``)."""
from __future__ import annotations

from schemas.models import FeedItem


class ItemStore:
    def __init__(self) -> None:
        self.items: dict[str, FeedItem] = {}
        self.partition_of: dict[str, int] = {}
        self.by_article: dict[str, str] = {}     # published article id -> its content hash

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> FeedItem | None:
        return self.items.get(item_id)

    def put(self, item: FeedItem, partition: int) -> None:
        self.items[item.article_id] = item
        self.partition_of[item.article_id] = partition
        if item.status == "published" and item.content_hash:
            self.by_article[item.url] = item.content_hash

    def published_hash(self, article_id: str) -> str | None:
        return self.by_article.get(article_id)

    def drop_partitions(self, partitions: set[int]) -> None:
        gone = [i for i, p in self.partition_of.items() if p in partitions]
        for item_id in gone:
            item = self.items.pop(item_id)
            del self.partition_of[item_id]
            if item.status == "published" and item.url in self.by_article:
                del self.by_article[item.url]
