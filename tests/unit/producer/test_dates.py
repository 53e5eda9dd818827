"""Publication dates: ISO 8601 and RFC 822 accepted, zones kept or converted, guesses refused."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from services.producer.dates import parse_published, to_utc
from services.producer.records import record_to_article
from services.producer.sources import read_json_lines
from schemas.models import Article

UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-12-05", datetime(2026, 12, 5, tzinfo=UTC)),
    ("2026-12-05T14:03:00Z", datetime(2026, 12, 5, 14, 3, tzinfo=UTC)),
    ("2026-12-05T14:03:00", datetime(2026, 12, 5, 14, 3, tzinfo=UTC)),
    ("20261205T140300Z", datetime(2026, 12, 5, 14, 3, tzinfo=UTC)),
    ("Tue, 05 Dec 2026 14:03:00 GMT", datetime(2026, 12, 5, 14, 3, tzinfo=UTC)),
    ("5 Dec 2026 14:03:00 -0000", datetime(2026, 12, 5, 14, 3, tzinfo=UTC)),
])
def test_utc_inputs(text, expected):
    assert parse_published(text) == expected
    assert to_utc(text) == expected and to_utc(text).utcoffset() == timedelta(0)


@pytest.mark.parametrize("text, offset_h, utc_hour", [
    ("2026-12-05 14:03:00+01:00", 1, 13),
    ("2026-12-05T14:03:00.5+0530", 5.5, 8),
    ("Tue, 05 Dec 2026 14:03:00 +0200", 2, 12),
    ("Tue, 05 Dec 2026 14:03:00 EST", -5, 19),
    ("Tue, 05 Dec 2026 14:03:00 PDT", -7, 21),
])
def test_zones_are_kept_and_converted(text, offset_h, utc_hour):
    parsed = parse_published(text)
    assert parsed.utcoffset() == timedelta(hours=offset_h)
    assert to_utc(text).hour == utc_hour and to_utc(text).tzinfo == UTC


@pytest.mark.parametrize("text", ["next tuesday", "05/12/2026", "2026-13-01", "Tue, 45 Dec 2026 10:00:00 GMT",
                                  "", "   ", "1", "yesterday at noon"])
def test_refused(text):
    with pytest.raises(ValueError):
        parse_published(text)


def test_rfc822_record_is_published_not_dead_lettered():
    rec = {"title": "Harbour crane toppled", "body": "A crane fell over in the harbour on Tuesday.",
           "published": "Tue, 05 Dec 2026 14:03:00 GMT", "authors": ["Ann Writer", " "], "language": "en"}
    item = next(read_json_lines([json.dumps(rec).encode()], "wire.jsonl"))
    assert isinstance(item, Article), item
    assert item.published == datetime(2026, 12, 5, 14, 3, tzinfo=UTC)
    assert item.authors == ["Ann Writer"] and item.language == "en"


def test_authors_must_be_strings():
    with pytest.raises(ValueError, match="authors"):
        record_to_article({"title": "t", "body": "b", "authors": [1]}, "x")


def test_article_contract_reads_rfc822_published():
    a = Article.model_validate({"article_id": "a", "title": "t", "body": "b", "content_hash": "h",
                                "published": "Tue, 05 Dec 2026 14:03:00 GMT"})
    assert a.published == datetime(2026, 12, 5, 14, 3, tzinfo=UTC)
    assert Article.model_validate_json(a.model_dump_json()).published == a.published
    with pytest.raises(ValueError):
        Article.model_validate({"article_id": "a", "title": "t", "body": "b", "content_hash": "h",
                                "published": "next tuesday"})
