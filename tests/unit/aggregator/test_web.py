"""The aggregator's web server: the story detail view's answers; faust's own views off, the
bearer token, the request size limit and the story list kept up to date (served by aiohttp's
test server, no Kafka)."""
from __future__ import annotations

import asyncio
import json

import faust
from aiohttp.test_utils import TestClient, TestServer

from services.aggregator.agent import build
from services.aggregator.listing import ListedTable, StoryListing
from services.aggregator.records import StoryRecord
from services.aggregator.web import detail, register_views, web_options
from services.common.app import make_app
from services.common.settings import Settings
from tests.unit.aggregator.test_helpers import fragmented


def test_detail_serves_a_story_and_redirects_a_merged_one():
    eng, ups, _ = fragmented()
    u = next(x for x in ups if x.merged_from)
    status, body, headers = detail(u.story_id, eng.view(u.story_id))
    assert status == 200 and body["story_id"] == u.story_id and {"a1", "a2", "b1", "b2"} <= set(body["article_ids"])
    assert body["article_ids"] == sorted(eng.stories[u.story_id].articles)
    assert "describedby" in headers["Link"]
    status, body, headers = detail(u.merged_from, eng.view(u.merged_from))
    assert status == 301 and headers["Location"] == f"/stories/{u.story_id}" and body["merged_into"] == u.story_id
    status, body, _ = detail("st-nope", None)
    assert status == 404 and "st-nope" in body["error"]


# ---------------------------------------------------------------- the server (issue 19, item 4)


def _settings(monkeypatch, tmp_path, **env) -> Settings:
    monkeypatch.setenv("STORYSTREAM_DATA_DIR", str(tmp_path))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return Settings()


async def _get_all(app: faust.App, requests) -> list[tuple[int, dict | str]]:
    web = app.web
    web.init_server()
    out = []
    async with TestClient(TestServer(web.web_app)) as client:
        for method, path, kw in requests:
            r = await client.request(method, path, **kw)
            out.append((r.status, await (r.json() if r.content_type == "application/json" else r.text())))
    return out


def test_faust_table_and_router_views_are_not_served(monkeypatch, tmp_path):
    app = build(_settings(monkeypatch, tmp_path))
    paths = ["/table/", "/table/stories/", "/table/pending-joins/", "/router/", "/router/stories/x/", "/graph/",
             "/stats/", "/assignment/"]
    got = asyncio.run(_get_all(app, [("GET", p, {}) for p in paths]))
    assert [status for status, _ in got] == [404] * len(paths)
    assert app.conf.web_bind == "127.0.0.1"                        # bound to this machine by default


def test_an_optional_bearer_token_guards_the_story_api(monkeypatch, tmp_path):
    app = build(_settings(monkeypatch, tmp_path, STORYSTREAM_WEB_TOKEN="s3cret-token"))
    got = asyncio.run(_get_all(app, [
        ("GET", "/stories", {}),
        ("GET", "/stories/st-x", {"headers": {"Authorization": "Bearer wrong"}}),
        ("GET", "/stories/st-x", {"headers": {"Authorization": "s3cret-token"}}),
        ("GET", "/stories/st-x", {"headers": {"Authorization": "Bearer s3cret-token"}}),
        ("GET", "/schemas/story-state", {})]))
    assert [s for s, _ in got] == [401, 401, 401, 503, 200]     # (accepted: the view says it is starting)
    assert "s3cret" not in json.dumps(got[0][1]) and "token" in got[0][1]["error"]
    assert Settings().public()["web_token"] == "***"


def test_a_request_over_the_size_limit_is_refused(monkeypatch, tmp_path):
    app = build(_settings(monkeypatch, tmp_path, STORYSTREAM_WEB_MAX_REQUEST_BYTES="1024"))
    got = asyncio.run(_get_all(app, [("POST", "/stories", {"data": b"x" * 5000}),
                                     ("GET", "/stories", {"data": b"x" * 5000}),
                                     ("GET", "/schemas/story-state", {"data": b"x" * 100})]))
    assert [s for s, _ in got] == [413, 413, 200]


def _record(sid: str, updated_at: str, articles=("a",)) -> dict:
    eng, ups, _ = fragmented()
    rec = eng.view(ups[0].story_id).full_json()      # (a version-2 record: the whole story)
    rec.update(story_id=sid, updated_at=updated_at)
    if not articles:
        rec["articles"] = {}
    return rec


def test_the_story_list_follows_the_writes_without_sorting_the_table(monkeypatch, tmp_path):
    settings = _settings(monkeypatch, tmp_path)
    app = make_app("listing-test", settings, web=True, web_options=web_options(settings))
    table, listing = {}, StoryListing()
    stories = ListedTable(table, listing)
    for i in range(5):
        stories[f"st-{i}"] = _record(f"st-{i}", f"2031-03-01T0{i}:00:00+00:00")
    stories["st-empty"] = _record("st-empty", "2031-03-01T09:00:00+00:00", articles=())
    builds = []
    real_build = listing.build
    monkeypatch.setattr(listing, "build", lambda records: (builds.append(1), real_build(records)))
    register_views(app, settings, stories, listing, ready=lambda: True,
                   lookup=lambda sid: StoryRecord.from_json(table[sid]) if sid in table else None)

    async def scenario():
        app.web.init_server()
        async with TestClient(TestServer(app.web.web_app)) as client:
            async def ids(q=""):
                body = await (await client.get("/stories" + q)).json()
                return body["total"], [s["story_id"] for s in body["stories"]]
            first = await ids("?per_page=2")
            second = await ids("?per_page=2&page=3")
            stories["st-1"] = _record("st-1", "2031-03-02T00:00:00+00:00")     # updated: now the newest
            del stories["st-4"]
            third = await ids()
            return first, second, third
    first, second, third = asyncio.run(scenario())
    assert first == (5, ["st-4", "st-3"])
    assert second == (5, ["st-0"])
    assert third == (4, ["st-1", "st-3", "st-2", "st-0"])
    assert builds == [1]                                   # built once, then kept up to date


def test_the_story_views_wait_for_the_table_recovery_and_the_restore(monkeypatch, tmp_path):
    settings = _settings(monkeypatch, tmp_path)
    app = make_app("listing-wait", settings, web=True, web_options=web_options(settings))
    register_views(app, settings, {}, StoryListing(), ready=lambda: False, lookup=lambda sid: None)
    got = asyncio.run(_get_all(app, [("GET", "/stories", {}), ("GET", "/stories/st-1", {})]))
    assert [status for status, _ in got] == [503, 503] and all("recovered" in body["error"] for _, body in got)


def test_the_story_api_is_rate_limited_per_client(monkeypatch, tmp_path):
    # one request every 10 s, bursts of 2: the third request at once is refused
    settings = _settings(monkeypatch, tmp_path, STORYSTREAM_RATE_LIMIT="0.1", STORYSTREAM_RATE_BURST="2")
    app = make_app("rate-test", settings, web=True, web_options=web_options(settings))
    register_views(app, settings, {}, StoryListing(), ready=lambda: True, lookup=lambda sid: None)

    async def scenario():
        app.web.init_server()
        async with TestClient(TestServer(app.web.web_app)) as client:
            out = []
            for path in ("/stories", "/stories", "/stories", "/stories/st-x", "/schemas/story-state"):
                r = await client.get(path)
                out.append((r.status, r.headers.get("Retry-After"), await r.json()))
            return out
    got = asyncio.run(scenario())
    assert [(s, retry) for s, retry, _ in got[:2]] == [(200, None), (200, None)]    # under the limit
    assert got[2][0] == 429 and 1 <= int(got[2][1]) <= 10 and "too many requests" in got[2][2]["error"]
    assert got[3][0] == 429                                  # every /stories path shares the bucket
    assert got[4][0] == 200                                  # the schema is not limited


def test_the_rate_limit_is_off_at_zero(monkeypatch, tmp_path):
    settings = _settings(monkeypatch, tmp_path, STORYSTREAM_RATE_LIMIT="0", STORYSTREAM_RATE_BURST="1")
    app = make_app("rate-off", settings, web=True, web_options=web_options(settings))
    register_views(app, settings, {}, StoryListing(), ready=lambda: True, lookup=lambda sid: None)
    got = asyncio.run(_get_all(app, [("GET", "/stories", {})] * 5))
    assert [s for s, _ in got] == [200] * 5


def test_the_aggregator_takes_its_close_and_reopen_windows_from_the_settings(monkeypatch, tmp_path):
    from services.aggregator import agent
    seen = []
    real = agent.StoryEngine
    monkeypatch.setattr(agent, "StoryEngine", lambda config: seen.append(config) or real(config))
    build(_settings(monkeypatch, tmp_path, STORYSTREAM_STORY_CLOSE_SECONDS="600",
                    STORYSTREAM_STORY_REOPEN_SECONDS="3600"))
    assert (seen[0].close_after_seconds, seen[0].reopen_after_seconds) == (600.0, 3600.0)
