"""Polite, bounded HTTP fetching for the feeds worker (httpx, Protego for robots.txt).

Politeness, per host (``host:port``):
* robots.txt is fetched once an hour and honoured (Protego: Google's matching rules), its
  ``Crawl-delay`` too; a robots.txt that answers 4xx allows everything, one that cannot be had
  (5xx, timeout) disallows the host until the next try, as crawlers commonly do;
* at most ``concurrency`` requests in flight (1 by default) and ``delay`` seconds between the
  start of two requests (or the crawl delay, when larger);
* a ``429`` or ``503`` with ``Retry-After`` holds back every request to the host until then;
* every request carries the configured User-Agent (with a contact URL).

Bounded cost, per request: one deadline for the whole exchange (a server that stalls mid-body
is cut off), a byte limit on the *decoded* body (gzip/deflate are inflated here with a cap on
each step, so a compression bomb costs at most the limit), at most ``max_redirects`` redirects
and none twice (a loop is reported as such).  Each failure is a :class:`FetchError` with a
one-line reason and a kind the poller turns into back-off, a retry or a dead letter.
"""
from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from services.feeds.urls import host_of

ROBOTS_TTL = 3600.0
ROBOTS_RETRY = 300.0
ROBOTS_MAX_BYTES = 512 * 1024
PERMANENT = (301, 308)


class FetchError(Exception):
    """A fetch that gave no usable body.  ``transient``: worth trying again later."""

    def __init__(self, reason: str, *, kind: str, status: int | None = None, transient: bool = False,
                 retry_after: float | None = None, body: bytes = b"") -> None:
        super().__init__(reason)
        self.reason, self.kind, self.status = reason, kind, status
        self.transient, self.retry_after, self.body = transient, retry_after, body


@dataclass
class Fetched:
    url: str                     # the final URL (after redirects)
    status: int                  # 200 or 304
    headers: httpx.Headers
    body: bytes
    moved_to: str | None = None  # the new URL when every redirect was permanent (301/308)


@dataclass
class _Host:
    gate: asyncio.Semaphore
    next_start: float = 0.0
    robots: Protego | None = None
    robots_error: str | None = None
    robots_until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Inflater:
    """Content-Encoding gzip / deflate / identity, each step capped so a bomb stays bounded."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.z = None
        elif encoding in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.z = zlib.decompressobj()
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}", kind="encoding")

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Up to ``room + 1`` decoded bytes of ``chunk`` (one more than room means: too large)."""
        if self.z is None:
            return chunk
        try:
            out = self.z.decompress(chunk, room + 1)
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}", kind="encoding") from None
        if self.z.unconsumed_tail:
            return out + b"x"       # more output pending than room: over the limit
        return out


class Fetcher:
    def __init__(self, *, user_agent: str, timeout: float = 30.0, delay: float = 1.0, concurrency: int = 1,
                 max_redirects: int = 5, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.user_agent, self.timeout, self.delay = user_agent, timeout, delay
        self.concurrency, self.max_redirects = concurrency, max_redirects
        self.hosts: dict[str, _Host] = {}
        self.requests = 0
        self.client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout), follow_redirects=False, transport=transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))

    async def aclose(self) -> None:
        await self.client.aclose()

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        if key not in self.hosts:
            self.hosts[key] = _Host(asyncio.Semaphore(self.concurrency))
        return self.hosts[key]

    # ------------------------------------------------------------------ robots.txt
    async def allowed(self, url: str) -> tuple[bool, str]:
        """Whether robots.txt lets our User-Agent fetch ``url`` (and why not)."""
        host = self._host(url)
        async with host.lock:
            if time.monotonic() >= host.robots_until:
                await self._load_robots(url, host)
        if host.robots_error:
            return False, host.robots_error
        if host.robots is not None and not host.robots.can_fetch(url, self.user_agent):
            return False, "robots.txt disallows it"
        return True, ""

    async def _load_robots(self, url: str, host: _Host) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        host.robots, host.robots_error = None, None
        try:
            got = await self._exchange(robots_url, {}, ROBOTS_MAX_BYTES, host)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                host.robots_until = time.monotonic() + ROBOTS_TTL      # no robots.txt: all allowed
            else:
                host.robots_error = f"robots.txt unavailable ({exc.reason})"
                host.robots_until = time.monotonic() + ROBOTS_RETRY
            return
        host.robots = Protego.parse(got.body.decode("utf-8", "replace"))
        host.robots_until = time.monotonic() + ROBOTS_TTL

    def crawl_delay(self, host: _Host) -> float:
        if host.robots is None:
            return self.delay
        return max(self.delay, float(host.robots.crawl_delay(self.user_agent) or 0.0))

    # ------------------------------------------------------------------ fetching
    async def get(self, url: str, *, max_bytes: int, headers: dict[str, str] | None = None,
                  check_robots: bool = True) -> Fetched:
        """GET ``url`` politely, following up to ``max_redirects`` redirects (each hop checked
        against robots.txt); raises :class:`FetchError`."""
        seen = [url]
        permanent = True
        current = url
        for _ in range(self.max_redirects + 1):
            if check_robots:
                ok, why = await self.allowed(current)
                if not ok:
                    raise FetchError(f"{why}: {current}", kind="robots", transient="unavailable" in why)
            got = await self._exchange(current, headers or {}, max_bytes, self._host(current))
            if got.status not in (301, 302, 303, 307, 308):
                moved = current if permanent and current != url else None
                return Fetched(current, got.status, got.headers, got.body, moved)
            location = got.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {got.status} without a Location", kind="http", status=got.status)
            permanent = permanent and got.status in PERMANENT
            current = urljoin(current, location)
            if current in seen:
                raise FetchError("redirect loop: " + " -> ".join([*seen, current])[:500], kind="redirect")
            seen.append(current)
        raise FetchError(f"more than {self.max_redirects} redirects: " + " -> ".join(seen)[:500], kind="redirect")

    async def _exchange(self, url: str, headers: dict[str, str], max_bytes: int, host: _Host) -> Fetched:
        """One request/response under the host's gate and one deadline; 2xx, 304 and 3xx come
        back, any other status is a FetchError."""
        async with host.gate:
            wait = host.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_start = time.monotonic() + self.crawl_delay(host)
            self.requests += 1
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._read(url, headers, max_bytes, host)
            except TimeoutError:
                raise FetchError(f"no complete answer within {self.timeout:g}s", kind="timeout",
                                 transient=True) from None
            except httpx.TransportError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}"[:300], kind="network", transient=True) from None

    async def _read(self, url: str, headers: dict[str, str], max_bytes: int, host: _Host) -> Fetched:
        request = self.client.build_request("GET", url, headers=headers)
        response = await self.client.send(request, stream=True)
        try:
            status = response.status_code
            if status in (429, 503):
                wait = retry_after_seconds(response.headers.get("retry-after"))
                if wait is not None:
                    host.next_start = max(host.next_start, time.monotonic() + wait)
                raise FetchError(f"HTTP {status}" + (f", Retry-After {wait:.0f}s" if wait is not None else ""),
                                 kind="http", status=status, transient=True, retry_after=wait)
            if status == 304 or 300 <= status < 400:
                return Fetched(url, status, response.headers, b"")
            declared = response.headers.get("content-length", "")
            encoding = response.headers.get("content-encoding", "")
            if declared.isdigit() and not encoding and int(declared) > max_bytes:
                raise FetchError(f"body too large: Content-Length {declared} bytes (max {max_bytes})", kind="size")
            body = await self._body(response, max_bytes)
            if status >= 400:
                raise FetchError(f"HTTP {status}", kind="http", status=status, transient=status >= 500 or status == 408,
                                 body=body[:4096])
            return Fetched(url, status, response.headers, body)
        finally:
            await response.aclose()

    @staticmethod
    async def _body(response: httpx.Response, max_bytes: int) -> bytes:
        inflater = Inflater(response.headers.get("content-encoding", ""))
        parts, size = [], 0
        async for chunk in response.aiter_raw():
            out = inflater.feed(chunk, max_bytes - size)
            size += len(out)
            if size > max_bytes:
                raise FetchError(f"body too large: more than {max_bytes} bytes"
                                 + (" once decompressed" if inflater.z is not None else ""), kind="size")
            parts.append(out)
        return b"".join(parts)
