"""HTTP views of the aggregator (faust's aiohttp web server).

GET /stories               latest state of each story, newest first, paginated (?page=&per_page=)
GET /stories/{story_id}   full state of one story
GET /schemas/story-state  the JSON Schema the responses follow
"""
from __future__ import annotations

import json
from pathlib import Path

import faust
from faust.web import Request, Response, View

from services.aggregator.state import render
from services.common.settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "json" / "story-state.value.schema.json"


def register_views(app: faust.App, settings: Settings, stories, max_items: int = 50) -> None:
    schema_link = "/schemas/story-state"

    def state_of(record) -> dict | None:
        if not record or not record.get("articles"):
            return None
        return render(record, max_items, {}).model_dump(mode="json")

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
            page_states = [state_of(r) for r in records[start:start + per_page]]
            body = {"page": page, "per_page": per_page, "total": len(records),
                    "schema": schema_link, "stories": page_states}
            return self.json(body, headers={"Link": f'<{schema_link}>; rel="describedby"'})

    @app.page("/stories/{story_id}")
    class StoryDetail(View):
        async def get(self, request: Request, story_id: str) -> Response:
            state = state_of(stories.get(story_id))
            if state is None:
                return self.json({"error": f"no story {story_id!r}"}, status=404)
            return self.json(state, headers={"Link": f'<{schema_link}>; rel="describedby"'})

    @app.page("/schemas/story-state")
    class StorySchema(View):
        async def get(self, request: Request) -> Response:
            return self.json(json.loads(SCHEMA_FILE.read_text()))
