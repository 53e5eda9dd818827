"""The feeds worker's small parts: config, URLs, ownership, schedule, HTTP helpers, parsing."""
from __future__ import annotations

import gzip
import time
from datetime import datetime, timezone

import httpx
import pytest

from services.feeds.config import FeedsConfigError, load_feeds
from services.feeds.extract import charset_of, decode_page
from services.feeds.fetch import FetchError, Inflater, retry_after_seconds
from services.feeds.ownership import partition_for
from services.feeds.parse import FeedError, parse_feed
from services.feeds.schedule import Timing, max_age
from services.feeds.urls import article_id_for, canonical_url


def test_config_is_checked_as_a_whole(tmp_path):
    good = tmp_path / "feeds.yaml"
    good.write_text("feeds:\n  - url: https://news.example.org/rss.xml\n    outlet: Example\n    interval: 300\n")
    (spec,) = load_feeds(good)
    assert spec.outlet == "Example" and spec.interval == 300 and spec.language is None
    for text, words in [("feeds:\n  - url: ftp://x/feed\n    outlet: X\n", "http(s)"),
                        ("feeds:\n  - url: https://x.example/f\n", "outlet"),
                        ("feeds: [\n", "not valid YAML"),
                        ("feeds:\n  - {url: 'https://a.example/f', outlet: A}\n  - {url: 'https://a.example/f', outlet: B}\n",
                         "listed twice")]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(FeedsConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
            load_feeds(bad)
    with pytest.raises(FeedsConfigError, match="cannot read"):
        load_feeds(tmp_path / "missing.yaml")


def test_canonical_urls_and_ids():
    assert canonical_url("/a/b?utm_source=x&id=3&fbclid=y#top", "HTTPS://News.Example.org:443/feed") == \
        "https://news.example.org/a/b?id=3"
    with pytest.raises(ValueError):
        canonical_url("mailto:someone@example.org")
    long = "https://example.org/" + "a" * 600
    assert article_id_for(long).startswith("url-sha256:") and len(article_id_for(long)) < 100


def test_ownership_is_per_host_and_stable():
    a = partition_for("https://news.example.org/rss.xml", 8)
    assert a == partition_for("https://NEWS.example.org/world/atom.xml", 8)
    assert {partition_for(f"https://host{i}.example/feed", 8) for i in range(50)} == set(range(8))


def test_schedule():
    t = Timing(default=600, minimum=60, maximum=3600)
    assert t.start(None) == 600 and t.start(10) == 60
    assert t.adapt(600, 3) == 300 and t.adapt(600, 0) == 900 and t.adapt(3000, 0) == 3600
    assert t.after_success(300, 1800) == 1800 and t.after_success(300, None) == 300
    assert t.after_error(300, 1) == 600 and t.after_error(300, 10) == 3600
    assert t.after_error(300, 1, retry_after=1200) == 1200
    assert max_age(httpx.Headers({"Cache-Control": "public, max-age=120"})) == 120
    assert max_age(httpx.Headers({"Cache-Control": "no-cache"})) == 0 and max_age(httpx.Headers()) is None


def test_retry_after_and_capped_inflation():
    assert retry_after_seconds("120") == 120
    when = time.time() + 300
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
    assert 290 <= retry_after_seconds(http_date) <= 301
    assert retry_after_seconds("soon") is None
    bomb = gzip.compress(b"\0" * 50_000_000)
    out = Inflater("gzip").feed(bomb, 1000)
    assert 1000 < len(out) <= 1002, "past the room means too large, and never much more is inflated"
    with pytest.raises(FetchError, match="Content-Encoding"):
        Inflater("br")


def test_charsets():
    assert charset_of("text/html; charset=ISO-8859-1") == "iso8859-1"
    assert charset_of("text/html; charset=nonsense") is None
    assert decode_page("café".encode("latin-1"), "text/html; charset=utf-8") == "café".encode("latin-1")
    assert decode_page("café".encode(), "text/html; charset=utf-8") == "café"


def test_entity_declarations_are_refused_before_parsing():
    big = "x" * 100_000
    doc = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "{big}">]><rss version="2.0"><channel>'
           f"<title>t</title><item><title>{'&big;' * 2000}</title><link>https://a.example/1</link></item>"
           "</channel></rss>").encode()
    t0 = time.monotonic()
    with pytest.raises(FeedError, match="entity expansion is disabled"):
        parse_feed(doc, "application/rss+xml", "https://a.example/feed")
    assert time.monotonic() - t0 < 1


def test_json_feed_and_atom():
    with pytest.raises(FeedError, match="not a JSON Feed"):
        parse_feed(b'{"items": []}', "application/json", "https://a.example/feed.json")
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            b'<entry><id>urn:1</id><title>One</title><link href="/one?utm_medium=x"/>'
            b"<updated>2026-12-05T15:03:00+01:00</updated><author><name>Ann Writer</name></author></entry></feed>")
    parsed = parse_feed(atom, "application/atom+xml", "https://a.example/atom.xml")
    (e,) = parsed.entries
    assert parsed.kind == "atom" and e.link == "https://a.example/one" and e.authors == ["Ann Writer"]
    assert e.when == datetime(2026, 12, 5, 14, 3, tzinfo=timezone.utc)


def test_extraction_drops_a_repeated_headline_but_never_the_only_text():
    from services.feeds.extract import extract_page
    one = ("A bomb squad defused a device near the market on Friday, police said in a statement to reporters.")
    html = (f"<html><head><title>{one}</title></head><body><article><h1>{one}</h1><p>{one}</p></article>"
            "</body></html>").encode()
    page = extract_page(html, "text/html; charset=utf-8", "https://a.example/one")
    assert page.body == one
    two = html.replace(b"</article>", b"<p>The market reopened an hour later, and traders returned to their stalls.</p></article>")
    page = extract_page(two, "text/html; charset=utf-8", "https://a.example/one")
    assert page.body == "The market reopened an hour later, and traders returned to their stalls."


def test_worker_feeds_without_a_usable_config_exits_2(tmp_path, monkeypatch, capsys):
    from services.cli import main
    monkeypatch.setenv("STORYSTREAM_FEEDS_CONFIG", str(tmp_path / "nowhere.yaml"))
    assert main(["worker", "feeds"]) == 2
    assert "nowhere.yaml: cannot read" in capsys.readouterr().err
    assert main(["produce"]) == 2
    assert "give PATH" in capsys.readouterr().err


def test_restore_applies_tombstones_of_forgotten_items():
    """A worker taking over a partition reads ``feed-items`` from the start: an item followed by its
    tombstone (compaction has not run yet) is not remembered; one without is."""
    from aiokafka import TopicPartition

    from schemas.models import FeedItem
    from services.common.codec import article_key, encode
    from services.common.settings import Settings
    from services.feeds.worker import FeedsWorker

    settings = Settings()
    worker = FeedsWorker(settings, [])
    tp = TopicPartition(settings.topic("feed-items"), 0)
    now = datetime.now(timezone.utc)
    for link in ("http://a.invalid/1", "http://a.invalid/2"):
        item = FeedItem(article_id=link, url=link, feed_url="http://a.invalid/feed", entry_fingerprint="f",
                        status="published", content_hash="h", first_seen=now, last_seen=now)
        worker._apply(tp, article_key(link), encode(item))
    worker._apply(tp, article_key("http://a.invalid/1"), None)
    worker._apply(tp, b"not a key", None)            # logged, not raised
    assert sorted(worker.items.items) == ["http://a.invalid/2"]
    assert worker.items.published_hash("http://a.invalid/1") is None
