"""Publication dates as they come in records, feeds and pages, parsed by the standard
library and dateutil (no hand-written date grammar).

Accepted: ISO 8601 / RFC 3339 dates and datetimes (``2026-12-05``, ``2026-12-05T14:03:00Z``,
``2026-12-05 14:03:00+01:00``, ``20261205T140300Z``) and RFC 822 / RFC 2822 dates, the form of
RSS ``pubDate`` and of e-mail and HTTP headers (``Tue, 05 Dec 2026 14:03:00 GMT``, numeric
zones, the US zone names RFC 822 defines).  Anything else ("next tuesday", "05/12/2026": the
order of day and month is not knowable) is refused: guessing would publish a wrong date.

``parse_published`` keeps the zone the text gives (a naive value is UTC), because the day of
publication downstream is the writer's local day; ``to_utc`` converts to UTC, which is what
the feeds give as ``published``.
"""
from __future__ import annotations

import email.utils
from datetime import date, datetime, timezone

from dateutil.parser import isoparse

__all__ = ["parse_published", "to_utc"]


def _rfc822(text: str) -> datetime | None:
    if not text[:1].isalpha() and not text[:1].isdigit():
        return None
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _iso(text: str) -> datetime | None:
    if len(text) == 10 and text[4:5] == "-":
        try:
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return isoparse(text)
    except (ValueError, OverflowError):
        return None


def parse_published(value: str) -> datetime:
    """The datetime of an ISO 8601 or RFC 822 date; naive values are UTC.  ``ValueError`` with
    a one-line reason otherwise."""
    text = " ".join(value.split())
    if not text:
        raise ValueError("empty date")
    parsed = _iso(text)
    if parsed is None and not text[:4].isdigit():
        parsed = _rfc822(text)
    if parsed is None:
        raise ValueError(f"not an ISO 8601 or RFC 822 date: {text[:60]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def to_utc(value: datetime | str) -> datetime:
    """``value`` (a datetime, or a date string as ``parse_published`` reads it) in UTC."""
    when = parse_published(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)
