"""What the feeds worker costs per article, next to the NLP: fetch + extraction CPU seconds.

The bench's articles are written as HTML pages (navigation, headline, one ``<p>`` per body
paragraph, a footer) with an RSS feed listing them, served by a separate ``python -m http.server``
process on 127.0.0.1 (its CPU is not ours).  One poll of the feed by the worker's own
``FeedPoller`` (robots.txt lookup, the feed's GET and parse, each page's GET, trafilatura
extraction, the article record) runs in this process with a sink that only counts; the process
CPU time of that poll (all threads: extraction runs in worker threads) / articles is the figure.
No Kafka: sending costs what it costs for any producer (the pipeline rows have it).
"""
from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path

from schemas.models import Article
from services.feeds.config import FeedSpec
from services.feeds.fetch import Fetcher
from services.feeds.poll import FeedPoller, Limits
from services.feeds.schedule import Timing
from services.feeds.state import ItemStore


class _CountingSink:
    def __init__(self) -> None:
        self.articles = 0
        self.refused: list[str] = []

    async def article(self, article: Article) -> bool:
        self.articles += 1
        return True

    async def dead_letter(self, source, reason, raw, error_type) -> None:
        self.refused.append(reason)

    async def feed_state(self, state, partition) -> None:
        pass

    async def item_state(self, item, partition) -> None:
        pass


def _page(a: Article) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in a.body.split("\n") if p.strip())
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(a.title)} | Bench Daily"
            f"</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/sport\">Sport"
            f"</a></nav><article><h1>{escape(a.title)}</h1>{paras}</article><aside>Most read: other stories</aside>"
            f"<footer>Copyright Bench Daily. All rights reserved.</footer></body></html>")


def _feed(base: str, articles: list[Article]) -> str:
    start = datetime(2026, 12, 5, 14, 3, tzinfo=timezone.utc)
    items = "".join(f"<item><title>{escape(a.title)}</title><link>{base}/p{k}.html</link><guid>p{k}</guid>"
                    f"<pubDate>{format_datetime(start - timedelta(minutes=k), usegmt=True)}</pubDate></item>"
                    for k, a in enumerate(articles))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_feeds(articles: list[Article], baseline: dict) -> dict:
    """One poll over the articles as pages; CPU s per article, beside the baseline's NLP figure."""
    with tempfile.TemporaryDirectory(prefix="storystream-bench-feeds-") as tmp:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        for k, a in enumerate(articles):
            Path(tmp, f"p{k}.html").write_text(_page(a), encoding="utf-8")
        Path(tmp, "feed.xml").write_text(_feed(base, articles), encoding="utf-8")
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                   "--directory", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_listening(port)
            sink = _CountingSink()

            async def poll() -> tuple[float, float]:
                fetcher = Fetcher(user_agent="storystream-bench/1 (+http://127.0.0.1/)", delay=0)
                poller = FeedPoller(FeedSpec(url=f"{base}/feed.xml", outlet="Bench Daily"), fetcher, sink,
                                    Timing(60, 60, 3600), Limits(max_items=len(articles) + 1), ItemStore())
                await fetcher.allowed(f"{base}/")            # robots.txt first: not per article
                c0, t0 = time.process_time(), time.perf_counter()
                await poller.poll(None)
                cpu, wall = time.process_time() - c0, time.perf_counter() - t0
                await fetcher.aclose()
                return cpu, wall
            cpu, wall = asyncio.run(poll())
        finally:
            server.terminate()
            server.wait(10)
    n = max(sink.articles, 1)
    nlp = baseline["cpu_s_per_article"]
    return {"articles": sink.articles, "refused": len(sink.refused), "seconds": round(wall, 3),
            "cpu_s_per_article": round(cpu / n, 4), "nlp_cpu_s_per_article": nlp,
            "ratio_to_nlp": round((cpu / n) / nlp, 3) if nlp else None}


def _wait_listening(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the bench's page server did not listen on {port}")
