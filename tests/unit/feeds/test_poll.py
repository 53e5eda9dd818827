"""One feed's polls against a local site (no network, no Kafka: a sink that keeps what it gets):
each item once, conditional GET, revisions, server hints, and every kind of bad input costing a
bounded effort, leaving a reason, and letting the good items through."""
from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from services.feeds.config import FeedSpec
from services.feeds.fetch import Fetcher
from services.feeds.poll import FeedPoller, Limits
from services.feeds.schedule import Timing
from services.feeds.state import ItemStore
from tests.unit.feeds.site import START, Page, Site, article_html, gzip_bomb, rss

UTC = timezone.utc


class Sink:
    def __init__(self):
        self.articles, self.letters, self.states, self.items, self.forgotten = [], [], [], [], []

    async def article(self, article):
        self.articles.append(article)
        return True

    async def dead_letter(self, source, reason, raw, error_type):
        self.letters.append((source, reason, len(raw), error_type))

    async def feed_state(self, state, partition):
        self.states.append(state)

    async def item_state(self, item, partition):
        self.items.append(item)

    async def item_forgotten(self, item_id, partition):
        self.forgotten.append(item_id)


class Log:
    def __init__(self):
        self.events = []

    def _add(self, event, **kw):
        self.events.append((event, kw))
    info = warning = error = exception = _add

    def reasons(self, event):
        return [kw.get("problem") or kw.get("reason") for e, kw in self.events if e == event]


@pytest.fixture(scope="module")
def site():
    with Site() as s:
        yield s


TIMING = Timing(default=60, minimum=10, maximum=3600)


def poller(site, path, *, timeout=5.0, limits=None, items=None, **spec):
    fetcher = Fetcher(user_agent="storystream-test/1 (+http://example.invalid/contact)", timeout=timeout, delay=0)
    p = FeedPoller(FeedSpec(url=site.url(path), outlet="Harbour Gazette", **spec), fetcher, Sink(), TIMING,
                   limits or Limits(max_items=50, item_retries=1), items if items is not None else ItemStore())
    p.log = Log()
    return p


def good_items(site, prefix, n, start=0):
    items = []
    for i in range(start, start + n):
        path = f"/{prefix}/story-{i}"
        site.pages[path] = Page(article_html(f"{prefix.title()} story number {i}", i))
        items.append((site.url(path) + "?utm_source=rss&utm_medium=feed", f"{prefix} story {i}", f"{prefix}-{i}",
                      START - timedelta(hours=i)))
    return items


async def run(p, state=None):
    try:
        return await p.poll(state)
    finally:
        await p.fetcher.aclose()


def first_poll(site, name: str, n: int):
    """A feed ``/<name>.xml`` of ``n`` good items, polled once into a fresh item store:
    (items, store, poller, poll state)."""
    items = good_items(site, name, n)
    site.pages[f"/{name}.xml"] = Page(rss(items), content_type="application/rss+xml")
    store = ItemStore()
    p = poller(site, f"/{name}.xml", items=store)
    return items, store, p, asyncio.run(run(p))


def test_each_item_once_then_304_without_fetching_pages(site):
    items = good_items(site, "basic", 3)
    site.pages["/basic.xml"] = Page(rss(items, ttl=30), content_type="application/rss+xml", etag='"v1"',
                                    headers={"Cache-Control": "max-age=120"})
    store = ItemStore()
    p = poller(site, "/basic.xml", items=store)
    state = asyncio.run(run(p))
    arts = p.sink.articles
    assert len(arts) == 3 and state.errors == 0 and state.etag == '"v1"'
    a = next(a for a in arts if a.article_id.endswith("story-0"))
    assert a.article_id == site.url("/basic/story-0"), "tracking parameters stripped"
    assert a.published == datetime(2026, 12, 5, 14, 3, tzinfo=UTC), "RFC 822 pubDate in UTC"
    assert a.title == "Basic story number 0" and a.outlet == "Harbour Gazette"
    assert not a.body.startswith("Basic story number 0"), "the headline is not repeated in the body"
    assert "harbour board" in a.body
    assert state.next_poll_at - state.last_polled_at >= timedelta(minutes=30), "<ttl> is a floor"
    page_hits = sum(site.hits[f"/basic/story-{i}"] for i in range(3))

    p2 = poller(site, "/basic.xml", items=store)
    state2 = asyncio.run(run(p2, state))
    assert state2.last_status == 304 and p2.sink.articles == []
    assert sum(site.hits[f"/basic/story-{i}"] for i in range(3)) == page_hits, "304: no page fetched"
    assert site.log[-1][1].get("If-None-Match") == '"v1"'
    assert "storystream-test/1 (+http://example.invalid/contact)" == site.log[-1][1]["User-Agent"]
    assert state2.interval_s > state.interval_s, "nothing new: the interval grows"

    # the feed changes (a new item): only the new one is fetched and published
    items2 = good_items(site, "basic", 1, start=3) + items
    site.pages["/basic.xml"] = Page(rss(items2), content_type="application/rss+xml", etag='"v2"')
    p3 = poller(site, "/basic.xml", items=store)
    asyncio.run(run(p3, state2))
    assert [a.article_id for a in p3.sink.articles] == [site.url("/basic/story-3")]
    assert sum(site.hits[f"/basic/story-{i}"] for i in range(3)) == page_hits


def test_a_changed_page_is_one_revision_and_an_unchanged_one_none(site):
    items, store, p, state = first_poll(site, "rev", 2)
    first = {a.article_id: a for a in p.sink.articles}
    # the outlet corrects story 0 and re-titles both entries in the feed (story 1's text is the same)
    site.pages["/rev/story-0"] = Page(article_html("Rev story number 0", 0, extra="<p>Correction: the quay opens in May.</p>"))
    site.pages["/rev.xml"] = Page(rss([(u, t + " (updated)", g, d) for u, t, g, d in items]),
                                  content_type="application/rss+xml")
    p2 = poller(site, "/rev.xml", items=store)
    asyncio.run(run(p2, state))
    assert len(p2.sink.articles) == 1, [a.article_id for a in p2.sink.articles]
    rev = p2.sink.articles[0]
    assert rev.article_id == site.url("/rev/story-0")
    assert rev.content_hash != first[rev.article_id].content_hash and "Correction" in rev.body


def test_server_hints_gone_moved_and_rate_limited(site):
    site.pages["/gone.xml"] = Page(b"", status=410)
    p = poller(site, "/gone.xml")
    state = asyncio.run(run(p))
    assert state.gone and "410" in p.sink.letters[0][1]

    items = good_items(site, "moved", 1)
    site.pages["/old.xml"] = Page(b"", status=301, headers={"Location": "/new.xml"})
    site.pages["/new.xml"] = Page(rss(items), content_type="application/rss+xml")
    p = poller(site, "/old.xml")
    state = asyncio.run(run(p))
    assert state.url == site.url("/new.xml") and len(p.sink.articles) == 1

    site.pages["/busy.xml"] = Page(b"slow down", status=429, headers={"Retry-After": "1200"})
    p = poller(site, "/busy.xml")
    state = asyncio.run(run(p))
    assert state.errors == 1 and p.sink.letters == []
    assert state.next_poll_at - state.last_polled_at >= timedelta(seconds=1199)

    site.pages["/broken.xml"] = Page(b"oops", status=500)
    p = poller(site, "/broken.xml")
    s1 = asyncio.run(run(p))
    p2 = poller(site, "/broken.xml")
    s2 = asyncio.run(run(p2, s1))
    assert len(p.sink.letters) == 1 and p2.sink.letters == [], "one dead letter per streak of failures"
    assert (s2.next_poll_at - s2.last_polled_at) > (s1.next_poll_at - s1.last_polled_at), "back-off grows"


def test_robots_txt_and_one_request_per_host(site):
    items = good_items(site, "private", 1) + good_items(site, "open", 4)
    site.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    try:
        site.pages["/mixed.xml"] = Page(rss(items), content_type="application/rss+xml")
        site.max_in_flight = 0
        p = poller(site, "/mixed.xml")
        asyncio.run(run(p))
        assert {a.article_id for a in p.sink.articles} == {site.url(f"/open/story-{i}") for i in range(4)}
        assert site.hits["/private/story-0"] == 0
        assert any("robots.txt disallows" in letter[1] for letter in p.sink.letters)
        assert site.max_in_flight == 1
    finally:
        del site.pages["/robots.txt"]


BAD_PAGES = {
    # path: (page, words expected in the dead letter's reason)
    "/bad/bomb": (Page(gzip_bomb(200_000_000), headers={"Content-Encoding": "gzip"}), "too large"),
    "/bad/huge": (Page(huge=50_000_000), "too large"),
    "/bad/loop-a": (Page(status=302, headers={"Location": "/bad/loop-b"}), "redirect loop"),
    "/bad/stall": (Page(article_html("Stalled", 1).encode(), stall=True), "no complete answer"),
    "/bad/pdf": (Page(b"%PDF-1.4 ...", content_type="application/pdf"), "not an HTML page"),
    "/bad/empty": (Page(b"<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>"),
                   ("no article text", "body is empty")),
    "/bad/missing": (Page(b"gone", status=404), "HTTP 404"),
}


def test_bad_pages_are_dead_lettered_with_their_reason_and_the_rest_goes_through(site):
    site.pages["/bad/loop-b"] = Page(status=302, headers={"Location": "/bad/loop-a"})
    for path, (page, _) in BAD_PAGES.items():
        site.pages[path] = page
    good = good_items(site, "fine", 3)
    bad = [(site.url(path), f"bad {path}", path, START) for path in BAD_PAGES]
    site.pages["/bad.xml"] = Page(rss(good[:1] + bad + good[1:]), content_type="application/rss+xml")
    p = poller(site, "/bad.xml", timeout=2.0,
               limits=Limits(max_items=50, item_retries=1, max_page_bytes=5_000_000))
    t0 = time.monotonic()
    state = asyncio.run(run(p))
    assert time.monotonic() - t0 < 30, "each bad page costs a bounded time"
    assert {a.article_id for a in p.sink.articles} == {site.url(f"/fine/story-{i}") for i in range(3)}
    letters = {src.split(": ", 1)[1]: reason for src, reason, _, kind in p.sink.letters if kind == "feed_item"}
    for path, (_, words) in BAD_PAGES.items():
        reason = letters[site.url(path)]
        assert any(w in reason for w in ((words,) if isinstance(words, str) else words)), (path, reason)
    assert all(size <= 64 * 1024 for _, _, size, _ in p.sink.letters), "dead letters keep a bounded part"
    assert state.errors == 0
    refused = {i.article_id for i in p.sink.items if i.status == "refused"}
    assert refused == {site.url(path) for path in BAD_PAGES}


def test_wrong_or_missing_charset(site):
    title = "Café owners welcome the new quay"
    body = article_html(title, 2).replace("The harbour board", "The café board")
    site.pages["/cs/wrong"] = Page(body.encode("latin-1"), content_type="text/html; charset=utf-8")
    site.pages["/cs/meta"] = Page(article_html(title, 3, charset_meta="windows-1252")
                                  .replace("The harbour board", "The café board").encode("cp1252"),
                                  content_type="text/html")
    site.pages["/cs.xml"] = Page(rss([(site.url("/cs/wrong"), "w", "w"), (site.url("/cs/meta"), "m", "m")]),
                                 content_type="application/rss+xml")
    p = poller(site, "/cs.xml")
    asyncio.run(run(p))
    assert len(p.sink.articles) == 2
    for a in p.sink.articles:
        assert a.title == title and "café board" in a.body, (a.article_id, a.title)


def test_bad_feeds(site):
    items = good_items(site, "malformed", 2)
    xml = rss(items).replace(b"</title><link>", b"</title><link>", 1).replace(b"</channel>", b"<item><title>broken &</channel>")
    site.pages["/malformed.xml"] = Page(xml, content_type="application/rss+xml")
    p = poller(site, "/malformed.xml")
    asyncio.run(run(p))
    assert len(p.sink.articles) == 2, "a malformed feed is read leniently"
    assert any("not well-formed" in r for r in p.log.reasons("feed.problem"))

    laughs = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{laughs}<!ENTITY big "{"x" * 100_000}">]>'
    laugh = rss(good_items(site, "laugh", 1), doctype=doctype).replace(b"<title>Harbour Gazette", b"<title>&lol9;&big;&big;")
    site.pages["/laughs.xml"] = Page(laugh, content_type="application/rss+xml")
    p = poller(site, "/laughs.xml")
    t0 = time.monotonic()
    state = asyncio.run(run(p))
    assert time.monotonic() - t0 < 5 and state.errors == 1 and not p.sink.articles
    assert "entity expansion is disabled" in p.sink.letters[0][1]

    site.pages["/feedbomb.xml"] = Page(gzip_bomb(100_000_000), content_type="application/rss+xml",
                                       headers={"Content-Encoding": "gzip"})
    p = poller(site, "/feedbomb.xml", limits=Limits(max_feed_bytes=1_000_000))
    asyncio.run(run(p))
    assert "too large" in p.sink.letters[0][1]

    site.pages["/notafeed.xml"] = Page(b"<html><body>hello</body></html>", content_type="text/html")
    p = poller(site, "/notafeed.xml")
    asyncio.run(run(p))
    assert "not a feed" in p.sink.letters[0][1]


def test_duplicate_guids_and_a_feed_of_10000_items(site):
    items = good_items(site, "dup", 2)
    site.pages["/dup.xml"] = Page(rss(items + [items[0], (items[1][0] + "&fbclid=zz", "again", "dup-1", START)]),
                                  content_type="application/rss+xml")
    p = poller(site, "/dup.xml")
    asyncio.run(run(p))
    assert len(p.sink.articles) == 2
    assert any("2 duplicate entries" in r for r in p.log.reasons("feed.problem"))

    many = [(site.url(f"/many/story-{i}"), f"many {i}", f"many-{i}") for i in range(10_000)]
    for i in range(40):                  # only the newest are ever fetched
        site.pages[f"/many/story-{i}"] = Page(article_html(f"Many story {i}", i))
    site.pages["/many.xml"] = Page(rss(many), content_type="application/rss+xml")
    store = ItemStore()
    p = poller(site, "/many.xml", items=store, limits=Limits(max_items=20, item_retries=1))
    t0 = time.monotonic()
    state = asyncio.run(run(p))
    assert time.monotonic() - t0 < 60
    assert len(p.sink.articles) == 20 and state.interval_s == TIMING.minimum, "backlog: soonest next poll"
    assert {a.article_id for a in p.sink.articles} == {site.url(f"/many/story-{i}") for i in range(20)}, "newest first"
    assert p.log.reasons("feed.backlog")
    p2 = poller(site, "/many.xml", items=store, limits=Limits(max_items=20, item_retries=1))
    asyncio.run(run(p2, state))
    assert {a.article_id for a in p2.sink.articles} == {site.url(f"/many/story-{i}") for i in range(20, 40)}


def test_json_feed_and_news_sitemap(site):
    items = good_items(site, "jf", 2)
    site.pages["/feed.json"] = Page(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Gazette",
        "items": [{"id": g, "url": u, "title": t, "date_published": "2026-12-05T15:03:00+01:00",
                   "authors": [{"name": "Ann Writer"}]} for u, t, g, _ in items]}).encode(),
        content_type="application/feed+json")
    p = poller(site, "/feed.json", language="en")
    asyncio.run(run(p))
    assert len(p.sink.articles) == 2
    a = p.sink.articles[0]
    assert a.published == datetime(2026, 12, 5, 14, 3, tzinfo=UTC) and a.authors == ["Ann Writer"]
    assert a.language == "en"

    sm_items = good_items(site, "sm", 2)
    urls = "".join(
        f"<url><loc>{u}</loc><news:news><news:publication><news:name>Gazette</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>2026-12-05T14:03:00Z</news:publication_date><news:title>{t}</news:title>"
        f"</news:news></url>" for u, t, _, _ in sm_items)
    site.pages["/news-sitemap.xml"] = Page(
        ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
         'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>").replace("&", "&amp;").encode(),
        content_type="application/xml")
    site.pages["/sitemap-index.xml"] = Page(
        ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         f"<sitemap><loc>{site.url('/news-sitemap.xml')}</loc><lastmod>2026-12-05</lastmod></sitemap>"
         "</sitemapindex>").encode(), content_type="application/xml")
    p = poller(site, "/sitemap-index.xml")
    asyncio.run(run(p))
    assert {a.article_id for a in p.sink.articles} == {site.url(f"/sm/story-{i}") for i in range(2)}
    assert all(a.published == datetime(2026, 12, 5, 14, 3, tzinfo=UTC) for a in p.sink.articles)


def test_items_no_longer_listed_are_forgotten_after_the_retention(site):
    items, store, p, state = first_poll(site, "ret", 4)
    assert len(p.sink.articles) == 4 and len(store) == 4
    ids = sorted(store.items)
    gone, kept = ids[:2], ids[2:]
    # the feed drops two items: within the retention they are remembered (no tombstone)
    listed = [it for it in items if it[0].split("?")[0] in kept]
    assert len(listed) == 2
    site.pages["/ret.xml"] = Page(rss(listed), content_type="application/rss+xml")
    p2 = poller(site, "/ret.xml", items=store)
    state = asyncio.run(run(p2, state))
    assert p2.sink.forgotten == [] and len(store) == 4 and p2.sink.articles == []
    # 31 days after their last fetch they are forgotten: a tombstone each, out of memory
    old = datetime.now(UTC) - timedelta(days=31)
    for i in ids:
        store.put(store.items[i].model_copy(update={"last_seen": old}), 0)
    p3 = poller(site, "/ret.xml", items=store)
    state = asyncio.run(run(p3, state))
    assert p3.sink.forgotten == gone, "unlisted and stale: forgotten, in a stable order"
    assert sorted(store.items) == kept, "still listed: kept however old its last fetch"
    assert all(store.published_hash(g) is None for g in gone) and all(store.published_hash(k) for k in kept)
    assert store.by_feed[p3.spec.url] == set(kept)
    # a feed that lists nothing (broken or emptied) forgets nothing
    site.pages["/ret.xml"] = Page(rss([]), content_type="application/rss+xml")
    p4 = poller(site, "/ret.xml", items=store)
    asyncio.run(run(p4, state))
    assert p4.sink.forgotten == [] and sorted(store.items) == kept


def test_the_store_forgets_a_page_only_when_no_remembered_link_publishes_it():
    from schemas.models import FeedItem
    now = datetime.now(UTC)

    def item(link, url, feed="http://a.invalid/feed"):
        return FeedItem(article_id=link, url=url, feed_url=feed, entry_fingerprint="f", status="published",
                        content_hash="h1", first_seen=now, last_seen=now)
    store = ItemStore()
    store.put(item("http://a.invalid/x?from=feed", "http://a.invalid/x"), 0)
    store.put(item("http://a.invalid/x", "http://a.invalid/x", feed="http://a.invalid/other"), 1)
    store.forget("http://a.invalid/x?from=feed")
    assert store.published_hash("http://a.invalid/x") == "h1", "the other link still publishes the page"
    assert store.stale("http://a.invalid/other", [], now + timedelta(seconds=1)) == ["http://a.invalid/x"]
    store.forget("http://a.invalid/x")
    assert store.published_hash("http://a.invalid/x") is None and len(store) == 0 and store.by_feed == {}
    store.forget("http://a.invalid/never")   # forgetting twice, or what was never seen, is a no-op
