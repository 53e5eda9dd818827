"""A local web site for the feeds tests (no network): an aiohttp server on 127.0.0.1 in its own
thread, serving what the test puts in ``site.pages`` and logging every request.

Each page is a :class:`Page`: status, headers, body, an ETag it honours (``304`` on a matching
``If-None-Match``), or a behaviour: ``stall`` (sends part of the body, then nothing), ``huge``
(streams ``size`` bytes).  Feeds and article pages are written here from invented text.
"""
from __future__ import annotations

import asyncio
import gzip
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    etag: str | None = None
    stall: bool = False
    huge: int = 0


class Site:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, dict]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    # -------------------------------------------------------------- lifecycle
    def __enter__(self) -> "Site":
        self._thread.start()
        assert self._ready.wait(10), "the test site did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    # -------------------------------------------------------------- serving
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path_qs if request.query_string else request.path
        self.hits[request.path] += 1
        self.log.append((request.path, dict(request.headers)))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            page = self.pages.get(path) or self.pages.get(request.path)
            if page is None:
                return web.Response(status=404, text="not found")
            if page.etag and request.headers.get("If-None-Match") == page.etag:
                return web.Response(status=304, headers={"ETag": page.etag})
            headers = {"Content-Type": page.content_type, **page.headers}
            if page.etag:
                headers["ETag"] = page.etag
            if page.stall or page.huge:
                resp = web.StreamResponse(status=page.status, headers=headers)
                await resp.prepare(request)
                if page.stall:
                    await resp.write(page.body[: len(page.body) // 2] or b"<html>")
                    await asyncio.sleep(3600)
                chunk = b"<p>" + b"x" * 65530 + b"</p>"
                for _ in range(page.huge // len(chunk) + 1):
                    await resp.write(chunk)
                return resp
            return web.Response(status=page.status, body=page.body, headers=headers)
        finally:
            await asyncio.sleep(0.01)       # long enough for a second concurrent request to show
            self.in_flight -= 1


# ------------------------------------------------------------------ fixture documents
WORDS = ("The harbour board met on Tuesday to discuss the new quay, and members said the plan "
         "would take two years to complete. Engineers told the board that the old crane would stay "
         "in service until the spring. Local fishing crews asked for a second slipway near the "
         "market, which the board agreed to study.").split()


def article_html(title: str, n: int, *, extra: str = "", canonical: str | None = None,
                 charset_meta: str | None = None) -> str:
    """An invented news page: navigation, a headline, several paragraphs, a footer."""
    paras = []
    for k in range(5):
        words = WORDS[(n + k) % 7:] + WORDS[: (n + k) % 7]
        paras.append(f"<p>{' '.join(words)} ({title}, part {k + 1}.)</p>")
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{escape(title)} | Harbour Gazette</title>{link}"
            f"<meta property=\"og:site_name\" content=\"Harbour Gazette\"></head><body>"
            f"<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
            f"<article><h1>{escape(title)}</h1>{extra}{''.join(paras)}</article>"
            f"<footer>Copyright Harbour Gazette</footer></body></html>")


START = datetime(2026, 12, 5, 14, 3, tzinfo=timezone.utc)


def rss(items: list[tuple], *, ttl: int | None = None, doctype: str = "") -> bytes:
    """``items``: (link, title, guid[, date]); without a date, an hour apart from START down, in
    the order given (newest first); RFC 822 dates."""
    body = "".join(
        f"<item><title>{escape(it[1])}</title><link>{escape(it[0])}</link><guid>{escape(it[2])}</guid>"
        f"<pubDate>{format_datetime(it[3] if len(it) > 3 else START - timedelta(hours=i), usegmt=True)}</pubDate></item>"
        for i, it in enumerate(items))
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>{doctype}<rss version="2.0"><channel><title>Harbour Gazette</title>'
            f"<link>http://example.invalid/</link>{ttl_tag}{body}</channel></rss>").encode()


def gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)
