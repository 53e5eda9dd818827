"""Everything the engine takes from an article, checked before any state changes.

The contracts let through values the engine cannot use: ``own_date`` is only pattern-checked
(``2031-02-30`` passes), and the two halves of a join are separate messages.  A value the
engine would fail on half-way through ``process`` (after the index had changed) is refused
here, with a reason, so a refused article leaves every index as it was (issue 19, item 2).
Dates the aggregator does not read (``ArticleEntities.dates``) are not checked.
"""
from __future__ import annotations

from datetime import date

from schemas.models import ArticleEntities, ArticleQuotes
from services.common.codec import BadMessage


def check_article(quotes: ArticleQuotes, entities: ArticleEntities) -> None:
    """Raise :class:`BadMessage` (its reason names the field and value) when the engine cannot
    take this article; return None when it can."""
    q, e = quotes.article, entities.article
    if q.article_id != e.article_id:
        raise BadMessage(f"quotes and entities of different articles: {q.article_id!r} and {e.article_id!r}")
    if q.content_hash != e.content_hash:
        raise BadMessage(f"quotes and entities of different versions of {e.article_id!r}: "
                         f"content_hash {q.content_hash!r} and {e.content_hash!r}")
    if entities.own_date is not None:
        try:
            date.fromisoformat(entities.own_date)
        except ValueError as exc:
            raise BadMessage(f"own_date {entities.own_date!r} is not a calendar date ({exc})") from None
