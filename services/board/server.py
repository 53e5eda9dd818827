"""The story board's web server (aiohttp): one static page, a JSON API over the board's store and
server-sent events.

  GET /                       the page (board.js renders everything with textContent)
  GET /static/{board.js,board.css}
  GET /api/stories            a page of story summaries (?sort=newest|biggest&q=&page=&per_page=)
  GET /api/stories/{id}       one story's full state and its membership changes
  GET /events                 server-sent events: each accepted update, its topic offset as the
                              event id; a reconnecting browser sends Last-Event-ID (or ?after=)
                              and gets what it missed, or a ``reset`` event when that is no
                              longer kept (it reloads its snapshot)

``/api/`` answers 429 with Retry-After past the per-client rate limit (``STORYSTREAM_RATE_LIMIT``
requests a second, bursts of ``STORYSTREAM_RATE_BURST``).  Every response carries a Content-Security-Policy that allows only the page's own script, style
and connections: article text is data, and nothing in it can run or load anything.
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Awaitable, Callable, Optional

from aiohttp import web

from services.board.store import BoardStore, Update
from services.common.ratelimit import rate_limit_middleware

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"board.js": "text/javascript", "board.css": "text/css"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
HEARTBEAT_SECONDS = 15.0
QUEUE_LIMIT = 1000    # updates waiting for one slow browser; past it, it gets a reset

ReadAt = Callable[[int], Awaitable[Optional[dict]]]
STORE = web.AppKey("store", BoardStore)
HUB = web.AppKey("hub", object)
READ_AT = web.AppKey("read_at", object)


class Hub:
    """The connected browsers' queues; ``publish`` is called for every accepted update."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()

    def publish(self, update: Update) -> None:
        for q in list(self.queues):
            if q.qsize() >= QUEUE_LIMIT:
                q.put_nowait(None)          # too far behind: reset, the browser reloads
                self.queues.discard(q)
            else:
                q.put_nowait(update)


def sse(update: Update) -> bytes:
    data = json.dumps({"story": update.summary, "changes": update.changes}, ensure_ascii=True)
    return f"id: {update.offset}\nevent: story\ndata: {data}\n\n".encode()


RESET = b"event: reset\ndata: {}\n\n"


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        resp = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    resp.headers.update(SECURITY_HEADERS)
    return resp


async def index(request: web.Request) -> web.Response:
    return web.FileResponse(STATIC / "index.html", headers={"Content-Type": "text/html; charset=utf-8",
                                                            "Cache-Control": "no-cache"})


async def static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC / name, headers={"Content-Type": f"{STATIC_FILES[name]}; charset=utf-8",
                                                    "Cache-Control": "no-cache"})


def _int(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.query.get(name, default))
    except ValueError:
        raise web.HTTPBadRequest(text=json.dumps({"error": f"{name} must be an integer"}),
                                 content_type="application/json") from None


async def list_stories(request: web.Request) -> web.Response:
    store = request.app[STORE]
    try:
        body = store.page(sort=request.query.get("sort", "newest"), query=request.query.get("q", "")[:200],
                          page=_int(request, "page", 1), per_page=_int(request, "per_page", 20))
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(body)


async def story(request: web.Request) -> web.Response:
    store = request.app[STORE]
    sid = request.match_info["story_id"]
    summary = store.summaries.get(sid)
    if summary is None:
        return web.json_response({"error": "no such story"}, status=404)
    state = store.cached(sid)
    if state is None:
        state = await request.app[READ_AT](summary.offset)
        if state is None:
            return web.json_response({"error": "the story's state is no longer on the topic"}, status=404)
        store.remember(sid, state)
    return web.json_response({"summary": summary.public(), "state": state, "changes": store.story_changes(sid)})


def _last_seen(request: web.Request) -> Optional[int]:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after")
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


async def events(request: web.Request) -> web.StreamResponse:
    store, hub = request.app[STORE], request.app[HUB]
    queue: asyncio.Queue = asyncio.Queue()
    hub.queues.add(queue)       # before reading the backlog: nothing falls between the two
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                       "X-Accel-Buffering": "no"})
    try:
        await resp.prepare(request)
        await resp.write(b"retry: 2000\n\n")
        last = _last_seen(request)
        sent = last if last is not None else store.offset
        if last is not None:
            missed = store.since(last)
            if missed is None:
                await resp.write(RESET)
                return resp
            for update in missed:
                await resp.write(sse(update))
                sent = update.offset
        while True:
            try:
                update = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                await resp.write(b": keep-alive\n\n")
                continue
            if update is None:
                await resp.write(RESET)
                return resp
            if update.offset > sent:
                await resp.write(sse(update))
                sent = update.offset
    finally:
        hub.queues.discard(queue)


def make_app(store: BoardStore, hub: Hub, read_at: ReadAt, rate: float = 0.0, burst: int = 1,
             trusted: tuple = ()) -> web.Application:
    """``rate``/``burst``: the per-client limit of ``/api/`` (0: none); ``trusted``: the reverse
    proxies whose ``X-Forwarded-For`` names the client."""
    limit = rate_limit_middleware(rate, burst, ("/api/",), trusted)
    app = web.Application(middlewares=[security_headers] + ([limit] if limit else []))
    app[STORE], app[HUB], app[READ_AT] = store, hub, read_at
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/stories", list_stories)
    app.router.add_get("/api/stories/{story_id}", story)
    app.router.add_get("/events", events)
    return app
