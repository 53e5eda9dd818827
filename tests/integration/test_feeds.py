"""The feeds worker on the real broker, against local sites (three hosts, four feeds): every item
published exactly once across polls, a second worker joining, a worker stopped and restarted;
pages fetched once; a changed page gives one revision; a bad page is dead-lettered with its
reason while the rest goes through."""
from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest

from devtools.stack import settings_for
from services.common.kafka import ensure_topics
from tests.integration.conftest import ROOT, make_env, read_until
from tests.unit.feeds.site import START, Page, Site, article_html, rss

pytestmark = pytest.mark.integration


class Outlet:
    """One host with its feeds; items are added as the test goes."""

    def __init__(self, site: Site, name: str, feeds: list[str]):
        self.site, self.name, self.feeds = site, name, {f: [] for f in feeds}
        self.n = 0
        self.versions = 0

    def add(self, feed: str) -> str:
        self.n += 1
        path = f"/{self.name}/{feed}/story-{self.n}"
        self.site.pages[path] = Page(article_html(f"{self.name.title()} {feed} story {self.n}", self.n))
        self.feeds[feed].insert(0, (self.site.url(path) + "?utm_campaign=feed", f"{self.name} {feed} {self.n}",
                                    f"{self.name}-{feed}-{self.n}", START + timedelta(minutes=self.n)))
        self.publish(feed)
        return self.site.url(path)

    def publish(self, feed: str) -> None:
        self.versions += 1
        etag = f'"v{self.versions}"'
        self.site.pages[f"/{feed}.xml"] = Page(rss(self.feeds[feed]), content_type="application/rss+xml", etag=etag)


def article_ids(records) -> Counter:
    return Counter(json.loads(r.key)["article_id"] for r in records)


def start_worker(env, log_path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "services.cli", "worker", "feeds"], env=env, cwd=ROOT,
                            stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)


def stop_worker(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(60)


def test_each_item_exactly_once_across_polls_two_workers_and_restarts(kafka_bootstrap, tmp_path):
    with contextlib.ExitStack() as stack:
        sites = [stack.enter_context(Site()) for _ in range(3)]
        outlets = [Outlet(sites[0], "north", ["north-main", "north-world"]), Outlet(sites[1], "south", ["south-main"]),
                   Outlet(sites[2], "east", ["east-main"])]
        expected: set[str] = set()

        def add_round():
            for o in outlets:
                for feed in o.feeds:
                    expected.add(o.add(feed))

        for _ in range(3):
            add_round()
        sites[1].pages["/south/report.pdf"] = Page(b"%PDF-1.4", content_type="application/pdf")
        outlets[1].feeds["south-main"].append((sites[1].url("/south/report.pdf"), "a pdf", "pdf-1", START))
        outlets[1].publish("south-main")

        config = tmp_path / "feeds.yaml"
        config.write_text("feeds:\n" + "".join(
            f"  - url: {o.site.url(f'/{feed}.xml')}\n    outlet: {o.name.title()} Gazette\n    language: en\n"
            for o in outlets for feed in o.feeds))
        env = make_env(kafka_bootstrap, tmp_path, STORYSTREAM_FEEDS_CONFIG=str(config),
                       STORYSTREAM_FEEDS_INTERVAL="1", STORYSTREAM_FEEDS_MIN_INTERVAL="0.5",
                       STORYSTREAM_FEEDS_MAX_INTERVAL="2", STORYSTREAM_FEEDS_HOST_DELAY="0",
                       STORYSTREAM_FEEDS_PARTITIONS="4")
        settings = settings_for(env)
        asyncio.run(ensure_topics(settings))
        log_path = tmp_path / "feeds.log"

        def wait_for(ids: set[str], timeout=90):
            try:
                return asyncio.run(read_until(settings, "articles", lambda rs: ids <= set(article_ids(rs)),
                                              timeout=timeout))
            except AssertionError:
                print(log_path.read_text()[-6000:])
                raise

        a = start_worker(env, log_path)
        b = None
        try:
            wait_for(set(expected))
            b = start_worker(env, log_path)            # a second worker joins: the feeds are shared
            time.sleep(4)
            add_round()
            wait_for(set(expected))
            assert stop_worker(a) == 0                 # one leaves: the other takes its feeds over
            add_round()
            wait_for(set(expected))
            a = start_worker(env, log_path)            # and it comes back
            time.sleep(4)
            add_round()
            records = wait_for(set(expected))
            time.sleep(3)                              # a few more polls: nothing may come twice
            records = wait_for(set(expected))
            counts = article_ids(records)
            assert set(counts) == expected, set(counts) ^ expected
            assert [k for k, n in counts.items() if n > 1] == [], "each item published exactly once"
            for o in outlets:
                for path, hits in o.site.hits.items():
                    if "/story-" in path:
                        assert hits == 1, f"{path} fetched {hits} times"
            feed_gets = [h for s in sites for p, h in s.log if p.endswith(".xml")]
            assert any("If-None-Match" in h for h in feed_gets), "conditional GETs"

            # a corrected page whose feed entry changed: one revision (same id, new content hash)
            o = outlets[2]
            link, title, guid, when = o.feeds["east-main"][-1]
            page = link.split("?")[0]
            o.site.pages[page.removeprefix(o.site.base)] = Page(article_html(
                title, 1, extra="<p>Correction: an earlier version misstated the length of the quay.</p>"))
            o.feeds["east-main"][-1] = (link, title + " (corrected)", guid, when)
            o.publish("east-main")
            records = asyncio.run(read_until(settings, "articles", lambda rs: article_ids(rs)[page] >= 2, timeout=60))
            time.sleep(3)
            records = asyncio.run(read_until(settings, "articles", lambda rs: article_ids(rs)[page] >= 2, timeout=30))
            versions = [json.loads(r.value) for r in records if json.loads(r.key)["article_id"] == page]
            assert len(versions) == 2 and versions[0]["content_hash"] != versions[1]["content_hash"]
            assert "Correction" in versions[1]["body"]
            assert sum(article_ids(records).values()) == len(expected) + 1, "nothing else came again"

            letters = asyncio.run(read_until(settings, "dead-letters", lambda rs: any(
                b"report.pdf" in (r.value or b"") for r in rs), timeout=30))
            letter = next(json.loads(r.value) for r in letters if b"report.pdf" in (r.value or b""))
            assert "not an HTML page" in letter["reason"] and letter["service"] == "feeds"
        finally:
            codes = [stop_worker(p) for p in (a, b) if p is not None]
        assert codes == [0, 0], log_path.read_text()[-4000:]
        assert "feeds.acquired" in log_path.read_text() and "feeds.released" in log_path.read_text()
