"""HTTP views of the aggregator (faust's aiohttp web server).

GET /stories               latest state of each story, newest first, paginated (?page=&per_page=)
GET /stories/{story_id}   full state of one story (a story merged into another: 301 to it)
GET /schemas/story-state  the JSON Schema the responses follow
"""
from __future__ import annotations

import json
from pathlib import Path

import faust
from faust.web import Request, Response, View

from services.aggregator.records import StoryRecord
from services.aggregator.state import render
from services.common.settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "json" / "story-state.value.schema.json"


SCHEMA_LINK = "/schemas/story-state"
DESCRIBED_BY = {"Link": f'<{SCHEMA_LINK}>; rel="describedby"'}   # on every response carrying states


def state_of(record, max_items: int = 50) -> dict | None:
    """The full state of a story record (its JSON form, as in the table) with articles (else None)."""
    if not record or not record.get("articles"):
        return None
    return render(StoryRecord.from_json(record), max_items, {}).model_dump(mode="json")


def detail(story_id: str, record, max_items: int = 50) -> tuple[int, dict, dict]:
    """(status, body, headers) of ``GET /stories/{story_id}``: the state; for a story merged
    into another, a permanent redirect to it (links to it keep working); else 404."""
    state = state_of(record, max_items)
    if state is not None:
        return 200, state, dict(DESCRIBED_BY)
    target = (record or {}).get("merged_into")
    if target:
        return 301, {"story_id": story_id, "merged_into": target}, {"Location": f"/stories/{target}"}
    return 404, {"error": f"no story {story_id!r}"}, {}


def register_views(app: faust.App, settings: Settings, stories, max_items: int = 50) -> None:
    @app.page("/stories")
    class StoryList(View):
        async def get(self, request: Request) -> Response:
            try:
                page = max(1, int(request.query.get("page", "1")))
                per_page = min(200, max(1, int(request.query.get("per_page", "20"))))
            except ValueError:
                return self.json({"error": "page and per_page must be integers"}, status=400)
            records = [r for r in stories.values() if r and r.get("articles")]
            records.sort(key=lambda r: (r.get("updated_at") or "", r.get("story_id")), reverse=True)
            start = (page - 1) * per_page
            page_states = [state_of(r, max_items) for r in records[start:start + per_page]]
            body = {"page": page, "per_page": per_page, "total": len(records),
                    "schema": SCHEMA_LINK, "stories": page_states}
            return self.json(body, headers=dict(DESCRIBED_BY))

    @app.page("/stories/{story_id}")
    class StoryDetail(View):
        async def get(self, request: Request, story_id: str) -> Response:
            status, body, headers = detail(story_id, stories.get(story_id), max_items)
            return self.json(body, status=status, headers=headers)

    @app.page("/schemas/story-state")
    class StorySchema(View):
        async def get(self, request: Request) -> Response:
            return self.json(json.loads(SCHEMA_FILE.read_text()))
