"""The push service (``storystream worker ingest``): ``POST /articles`` for CMS and webhook sources.

Request: ``Authorization: Bearer $STORYSTREAM_INGEST_TOKEN``; a body of at most
``STORYSTREAM_INGEST_MAX_BYTES``: a JSON object (one record), a JSON array of records, or NDJSON
(one record a line; ``Content-Type: application/x-ndjson``, or any body that is not one JSON
document).  Records have the fields ``storystream produce`` reads (title, body, id, outlet, url,
published in ISO 8601 or RFC 822, authors, language).

Answers:
* ``202`` ``{"accepted": [ids], "refused": [{"index": i, "reason": ...}]}``: every accepted
  record is on the ``articles`` topic (the broker confirmed it); each refused one is dead-lettered
  with its reason (source ``push:<request id>:<index>``);
* ``400`` (not JSON / NDJSON, empty, not records), ``401`` (token missing or wrong), ``413`` (too
  large), ``415`` (another content type): ``{"error": reason}``, nothing published;
* ``429`` with ``Retry-After`` past ``STORYSTREAM_RATE_LIMIT`` requests a second per client
  (bursts of ``STORYSTREAM_RATE_BURST``), nothing read;
* ``503`` when the broker did not confirm a record after the producer's retries: the records
  it lists under ``failed`` were not published (send them again; those accepted were).

The service refuses to start without a token.  ``GET /healthz`` answers 200.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import sys
import uuid

from aiohttp import web

from services.common import logging as slog
from services.common.metrics import serve_health
from services.common.ratelimit import rate_limit_middleware
from services.common.settings import Settings
from services.producer.live import stop_event
from services.producer.publish import Publisher
from services.producer.sources import SourceError, read_json_value

log = slog.get_logger("storystream.ingest")
JSON_TYPES = ("application/json", "text/json")
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
PUBLISHER = web.AppKey("publisher", Publisher)
SETTINGS = web.AppKey("settings", Settings)


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _records(body: bytes, ctype: str) -> list[tuple[int, object, bytes]]:
    """``(index, decoded value, raw bytes)`` per record; ``ValueError`` for a body that is neither
    one JSON document nor NDJSON."""
    if ctype not in NDJSON_TYPES:
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError) as exc:
            if ctype in JSON_TYPES:
                raise ValueError(f"invalid JSON: {exc}") from None
        else:
            if isinstance(doc, list):
                return [(i, rec, json.dumps(rec).encode()) for i, rec in enumerate(doc)]
            if isinstance(doc, dict):
                return [(0, doc, body)]
            raise ValueError("expected a JSON object, an array of objects, or NDJSON")
    out = []
    for i, line in enumerate(ln for ln in body.split(b"\n") if ln.strip()):
        try:
            out.append((i, json.loads(line), line))
        except (ValueError, RecursionError) as exc:
            out.append((i, SourceError("", f"invalid JSON: {exc}"), line))
    if not out:
        raise ValueError("no records in the body")
    return out


async def post_articles(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    token = settings.ingest_token.get_secret_value()
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return _error(401, "missing or wrong bearer token")
    ctype = (request.content_type or "").lower()
    if ctype not in (*JSON_TYPES, *NDJSON_TYPES, "text/plain", "application/octet-stream"):
        return _error(415, f"unsupported Content-Type {ctype!r}: send JSON or NDJSON")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, f"body larger than {settings.ingest_max_bytes} bytes")
    if not body.strip():
        return _error(400, "empty body")
    try:
        records = _records(body, ctype)
    except ValueError as exc:
        return _error(400, str(exc))
    pub: Publisher = request.app[PUBLISHER]
    request_id = uuid.uuid4().hex[:12]
    accepted, refused, sends = [], [], []
    for index, value, raw in records:
        source = f"push:{request_id}:{index}"
        items = [value] if isinstance(value, SourceError) else list(
            read_json_value(value, raw, source, max_body_bytes=settings.max_body_bytes))
        for item in items:
            if isinstance(item, SourceError):
                refused.append({"index": index, "reason": item.reason})
                await pub.send_dead_letter(source, item.reason, raw)
            else:
                sends.append((index, item.article_id, await pub.send_article(item)))
    failed = []
    for index, article_id, task in sends:
        if await task:
            accepted.append(article_id)
        else:
            failed.append({"index": index, "id": article_id})
    log.info("ingest.request", request_id=request_id, accepted=len(accepted), refused=len(refused),
             failed=len(failed))
    answer = {"request_id": request_id, "accepted": accepted, "refused": refused}
    if failed:
        answer["failed"] = failed
        return web.json_response(answer, status=503)
    return web.json_response(answer, status=202)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def make_app(settings: Settings, publisher: Publisher) -> web.Application:
    limit = rate_limit_middleware(settings.rate_limit, settings.rate_burst, ("/articles",),
                                  settings.trusted_networks)
    app = web.Application(client_max_size=settings.ingest_max_bytes, middlewares=[limit] if limit else [])
    app[SETTINGS] = settings
    app[PUBLISHER] = publisher
    app.router.add_post("/articles", post_articles)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(settings: Settings, stop: asyncio.Event) -> int:
    async with Publisher(settings, service="ingest", err=None) as pub:
        runner = web.AppRunner(make_app(settings, pub), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.ingest_host, settings.ingest_port)
        await site.start()
        log.info("ingest.started", host=settings.ingest_host, port=settings.ingest_port)
        health = await serve_health(settings, "ingest", lambda: not stop.is_set())
        try:
            await stop.wait()
        finally:
            await health.stop()
            await runner.cleanup()
    log.info("ingest.stopped", **pub.report.__dict__)
    return 0


def run_ingest(settings: Settings) -> int:
    if not settings.ingest_token.get_secret_value():
        print("storystream: error: STORYSTREAM_INGEST_TOKEN is not set: the ingest service needs a bearer token",
              file=sys.stderr, flush=True)
        return 2

    async def main() -> int:
        return await serve(settings, stop_event())
    return asyncio.run(main())
