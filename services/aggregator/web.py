"""HTTP views of the aggregator (faust's aiohttp web server).

GET /stories               latest state of each story, newest first, paginated (?page=&per_page=)
GET /stories/{story_id}   full state of one story (a story merged into another: 301 to it)
GET /schemas/story-state  the JSON Schema the responses follow

The server binds 127.0.0.1 unless STORYSTREAM_WEB_HOST says otherwise; faust's own table and
router views are off (``services/common/app.py``).  :func:`web_options` guards every request:
with STORYSTREAM_WEB_TOKEN set, ``/stories`` asks for ``Authorization: Bearer <token>`` (401
without it); a request declaring a body over STORYSTREAM_WEB_MAX_REQUEST_BYTES gets 413, and
aiohttp reads no more than that; past STORYSTREAM_RATE_LIMIT requests a second per client
(bursts of STORYSTREAM_RATE_BURST), ``/stories`` answers 429 with Retry-After.  ``GET /stories`` pages through a :class:`StoryListing` kept
up to date by the aggregator's writes, not by sorting the table per request.

A state is rendered from the story itself (``lookup``: ``StoryEngine.view``): the table holds
version-3 heads (:mod:`records`), not the members and aggregates a state lists.
"""
from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Callable, Optional

import faust
from aiohttp import web as aioweb
from faust.web import Request, Response, View

from services.aggregator.listing import StoryListing
from services.aggregator.quotes import forget
from services.aggregator.records import StoryRecord
from services.aggregator.state import render
from services.common.ratelimit import rate_limit_middleware
from services.common.settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "json" / "story-state.value.schema.json"


SCHEMA_LINK = "/schemas/story-state"
DESCRIBED_BY = {"Link": f'<{SCHEMA_LINK}>; rel="describedby"'}   # on every response carrying states


Lookup = Callable[[str], Optional[StoryRecord]]   # story id -> the story (members, aggregates)


def state_of(story: Optional[StoryRecord], max_items: int = 50) -> dict | None:
    """The full state of a story with articles (else None)."""
    if story is None or not story.articles:
        return None
    return render(story, max_items, {}).model_dump(mode="json")


def detail(story_id: str, story: Optional[StoryRecord], max_items: int = 50) -> tuple[int, dict, dict]:
    """(status, body, headers) of ``GET /stories/{story_id}``: the state; for a story merged
    into another, a permanent redirect to it (links to it keep working); else 404."""
    state = state_of(story, max_items)
    if state is not None:
        return 200, state, dict(DESCRIBED_BY)
    target = story.merged_into if story is not None else None
    if target:
        return 301, {"story_id": story_id, "merged_into": target}, {"Location": f"/stories/{target}"}
    return 404, {"error": f"no story {story_id!r}"}, {}


def web_options(settings: Settings) -> dict:
    """aiohttp ``Application`` options of the aggregator's server: the request size limit, the
    rate limit of ``/stories`` and the guard middleware (token, declared size)."""
    token = settings.web_token.get_secret_value().encode()
    limit = settings.web_max_request_bytes

    @aioweb.middleware
    async def guard(request, handler):
        if request.content_length is not None and request.content_length > limit:
            return aioweb.json_response({"error": f"request body larger than {limit} bytes"}, status=413)
        if token and request.path.startswith("/stories"):
            given = request.headers.get("Authorization", "")
            if not (given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token)):
                return aioweb.json_response({"error": "missing or wrong bearer token"}, status=401,
                                            headers={"WWW-Authenticate": 'Bearer realm="stories"'})
        return await handler(request)

    rate_limit = rate_limit_middleware(settings.rate_limit, settings.rate_burst, ("/stories",),
                                       settings.trusted_networks)
    return {"client_max_size": limit, "middlewares": ([rate_limit] if rate_limit else []) + [guard]}


def register_views(app: faust.App, settings: Settings, stories, listing: StoryListing,
                   ready: Callable[[], bool], lookup: Lookup, max_items: int = 50) -> None:
    """``listing``: kept up to date by the writes to ``stories`` (``listing.ListedTable``), built
    from the table on the first request once ``ready()`` (the tables are recovered and the
    engine restored from them; before, both views answer 503).  ``lookup`` gives the story to
    render (a closed one is assembled from its article records; its quote wordings' cache is
    dropped after rendering)."""
    def starting(view: View) -> Response:
        return view.json({"error": "starting: the story table is being recovered"}, status=503,
                         headers={"Retry-After": "5"})

    def rendered(sid: str, render_story: Callable):
        """``render_story`` of the story ``lookup`` gives; a closed story's wordings' cache dropped after."""
        story = lookup(sid)
        try:
            return render_story(story)
        finally:
            if story is not None and story.status != "open":
                forget(story.quotes)

    def state(sid: str) -> dict | None:
        return rendered(sid, lambda story: state_of(story, max_items))

    @app.page("/stories")
    class StoryList(View):
        async def get(self, request: Request) -> Response:
            try:
                page = max(1, int(request.query.get("page", "1")))
                per_page = min(200, max(1, int(request.query.get("per_page", "20"))))
            except ValueError:
                return self.json({"error": "page and per_page must be integers"}, status=400)
            if not listing.built:
                if not ready():
                    return starting(self)
                listing.build(stories.values())
            ids = listing.page((page - 1) * per_page, per_page)
            page_states = [s for s in (state(sid) for sid in ids) if s is not None]
            body = {"page": page, "per_page": per_page, "total": len(listing),
                    "schema": SCHEMA_LINK, "stories": page_states}
            return self.json(body, headers=dict(DESCRIBED_BY))

    @app.page("/stories/{story_id}")
    class StoryDetail(View):
        async def get(self, request: Request, story_id: str) -> Response:
            if not ready():                 # (an open story is in the engine only once restored)
                return starting(self)
            status, body, headers = rendered(story_id, lambda story: detail(story_id, story, max_items))
            return self.json(body, status=status, headers=headers)

    @app.page("/schemas/story-state")
    class StorySchema(View):
        async def get(self, request: Request) -> Response:
            return self.json(json.loads(SCHEMA_FILE.read_text()))
