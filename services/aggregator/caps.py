"""The caps on a story state's lists that grow with a story's size, and which elements they keep.

A story state is one Kafka message.  Kafka's default ``max.message.bytes`` (and the producer's
``max.request.size``) is 1 MiB; this service creates its own topics with 16 MiB, but a state must
also fit a topic created or mirrored with the defaults.  The lists capped by ``max_list_items``
(50 articles, entities, speakers, quotes) are small; what grew without a bound was the
membership (``article_ids``) and, per quote, its ``article_ids`` and ``variants`` (one per
article that carries the quote: wire copy repeats a statement in hundreds of articles).

Budget at 64-character article ids and 300-character wordings (the ids of the evaluation data
are 19 characters), every list full:

=====================================  =====================  ========
list                                   size                   bytes
=====================================  =====================  ========
``article_ids`` (membership)           5,000 x 67             335 KB
50 quotes' ``article_ids``             50 x 20 x 67            67 KB
50 quotes' ``variants``                50 x 20 x ~410         410 KB
everything else (50 articles, ...)                            < 100 KB
=====================================  =====================  ========

which stays under 1 MiB (``tests/unit/aggregator/test_caps.py`` measures it: under 0.9 MiB).
None of these values is fitted: they are output bounds and change no clustering decision.  On
the evaluation data (ecbplus_dev, ecbplus_more, news_cluster) no cap bites (the largest story has 30 members, the most wordings of one
quote are 17, the most articles carrying one quote 9), so their states list everything.
The totals next to a capped list are always true counts.

Which elements are kept is a function of the story record alone (arrival order, then id), so
a story rebuilt from its records (a restore, a replay) publishes the same lists.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True, slots=True)
class StateCaps:
    # a story's member ids listed in its state; 5,000 members is ~100 times the largest story of
    # the evaluation data, and ~335 KB of the 1 MiB at 64-character ids (budget above).  Beyond
    # it the state lists the oldest and the newest members; ``totals.articles`` stays true.
    member_ids: int = 5000
    # article ids listed per quote: a statement carried by more articles is wire copy, whose
    # count (``articles_total``) says more than its ids; 67 KB of the budget at 20
    quote_articles: int = 20
    # wordings listed per quote: a statement has a handful of distinct wordings (full, trimmed,
    # partial, headline) and one article may carry several; 17 at most on the evaluation data
    # (one quote in news_cluster); past 20 the rest are repeats of those.  410 KB of the budget
    quote_variants: int = 20


DEFAULT_CAPS = StateCaps()


def oldest_and_newest(ranked: Sequence[str], cap: int) -> list[str]:
    """``ranked`` (oldest first) when it fits, else its oldest half and newest half of ``cap``."""
    if len(ranked) <= cap:
        return list(ranked)
    old = cap // 2
    return list(ranked[:old]) + list(ranked[len(ranked) - (cap - old):])


def first_distinct(items: Sequence, key, cap: int) -> list:
    """At most ``cap`` of ``items`` in their order: the first of each distinct ``key`` first, then
    the earliest of the rest."""
    if len(items) <= cap:
        return list(items)
    chosen: set[int] = set()
    seen: set = set()
    for i, it in enumerate(items):
        if len(chosen) == cap:
            break
        k = key(it)
        if k not in seen:
            seen.add(k)
            chosen.add(i)
    for i in range(len(items)):
        if len(chosen) == cap:
            break
        chosen.add(i)
    return [items[i] for i in sorted(chosen)]

