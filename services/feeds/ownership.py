"""Which feeds worker polls which feed: each article once across several workers.

The unit of ownership is the feed's host (``host:port`` of its configured URL): it maps to one
partition of the compacted ``feed-state`` and ``feed-items`` topics (Kafka's own murmur2 key
hash, modulo their partition count), and the workers share those partitions as one Kafka
consumer group (``<app prefix>-feeds``) subscribed to ``feed-state``.  The group gives each
partition to one worker at a time, so each host (its feeds, and the per-host politeness) has one
owner.  A worker that is given a partition first reads both topics' partition to its end (the
validators, schedule and seen items its previous owner wrote) and only then polls; one that
loses a partition stops polling its feeds after the item in hand and waits until every article
and state record it sent is confirmed, before the group hands the partition on (Kafka runs the
revocation before the next assignment).  A restarted worker is the same case.

Per item the order is: article sent and confirmed, then the item's state record; a worker killed
between the two publishes the article again on restart (same id and content hash: the pipeline
ignores such a repeat).
"""
from __future__ import annotations

from aiokafka.partitioner import murmur2

from services.feeds.urls import host_of


def partition_for(url: str, partitions: int) -> int:
    """The partition owning the feed at ``url`` (Kafka's default partitioner on its host)."""
    return (murmur2(host_of(url).encode("utf-8")) & 0x7FFFFFFF) % partitions
