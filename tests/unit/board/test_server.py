"""The board's web server without Kafka: the API, server-sent events with resume, headers."""
from __future__ import annotations

import asyncio
import json
import re

from aiohttp.test_utils import TestClient, TestServer

from services.board.server import CSP, STATIC, Hub, make_app
from services.board.store import BoardStore
from tests.unit.board.states import make_state


async def client_for(store: BoardStore, hub: Hub | None = None, read_at=None) -> TestClient:
    async def no_read(offset):
        return None
    client = TestClient(TestServer(make_app(store, hub or Hub(), read_at or no_read)))
    await client.start_server()
    return client


async def read_events(resp, count: int, timeout: float = 5.0) -> list[dict]:
    """The first ``count`` events of a server-sent event stream (id, event, data)."""
    events, current, buf = [], {}, b""
    async def go():
        nonlocal buf, current
        while len(events) < count:
            chunk = await resp.content.readany()
            assert chunk, "stream ended"
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode()
                if not text:
                    if "event" in current or "data" in current:
                        events.append(current)
                    current = {}
                elif not text.startswith(":"):
                    name, _, value = text.partition(": ")
                    current[name] = value
    await asyncio.wait_for(go(), timeout)
    return events


async def test_every_response_carries_the_security_headers():
    client = await client_for(BoardStore())
    try:
        for path in ("/", "/static/board.js", "/static/board.css", "/api/stories", "/api/stories/none",
                     "/static/../server.py", "/nothing"):
            resp = await client.get(path)
            assert resp.headers["Content-Security-Policy"] == CSP, path
            assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP and "default-src 'none'" in CSP
        assert (await client.get("/static/../server.py")).status == 404
    finally:
        await client.close()


def test_the_page_has_no_inline_script_and_the_script_never_writes_markup():
    html = (STATIC / "index.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert not re.search(r"\son\w+=", html) and "style=" not in html
    js = (STATIC / "board.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js, sink


async def test_story_list_is_paginated_sorted_and_searchable():
    store = BoardStore()
    for i in range(30):
        store.apply(i, make_state(f"s{i:02d}", articles=1 + i % 4, minutes=i,
                                  speaker="Ivo Brandt" if i % 10 == 0 else "Mara Quell"))
    client = await client_for(store)
    try:
        body = await (await client.get("/api/stories?per_page=10&page=2")).json()
        assert body["total"] == 30 and body["offset"] == 29
        assert [s["story_id"] for s in body["stories"]] == [f"s{i:02d}" for i in range(19, 9, -1)]
        big = await (await client.get("/api/stories?sort=biggest&per_page=3")).json()
        assert [s["articles"] for s in big["stories"]] == [4, 4, 4]
        found = await (await client.get("/api/stories?q=ivo+brandt")).json()
        assert sorted(s["story_id"] for s in found["stories"]) == ["s00", "s10", "s20"]
        assert (await client.get("/api/stories?page=two")).status == 400
        assert (await client.get("/api/stories?sort=loudest")).status == 400
    finally:
        await client.close()


async def test_a_story_page_reads_an_evicted_state_back_at_its_offset():
    store = BoardStore(full_cache=1)
    store.apply(0, make_state("old"))
    store.apply(1, make_state("new"))
    asked = []

    async def read_at(offset):
        asked.append(offset)
        return make_state("old")
    client = await client_for(store, read_at=read_at)
    try:
        body = await (await client.get("/api/stories/old")).json()
        assert asked == [0] and body["state"]["story_id"] == "old" and body["summary"]["offset"] == 0
        await client.get("/api/stories/old")
        assert asked == [0]                          # now cached
        assert (await client.get("/api/stories/unknown")).status == 404
    finally:
        await client.close()


async def test_events_resume_after_the_last_event_id_then_follow_live_updates():
    store, hub = BoardStore(), Hub()
    for i in range(3):
        hub.publish(store.apply(i, make_state(f"s{i}")))
    client = await client_for(store, hub)
    try:
        resp = await client.get("/events", headers={"Last-Event-ID": "0"})
        assert resp.headers["Content-Type"] == "text/event-stream"
        missed = await read_events(resp, 2)
        assert [(e["id"], e["event"]) for e in missed] == [("1", "story"), ("2", "story")]
        assert json.loads(missed[0]["data"])["story"]["story_id"] == "s1"
        hub.publish(store.apply(3, make_state("s1", 2, articles=4)))
        (live,) = await read_events(resp, 1)
        data = json.loads(live["data"])
        assert live["id"] == "3" and data["story"]["articles"] == 4 and data["story"]["version"] == 2
        resp.close()
        fresh = await client.get("/events?after=3")          # nothing missed: only what comes next
        hub.publish(store.apply(4, make_state("s9")))
        (nxt,) = await read_events(fresh, 1)
        assert nxt["id"] == "4"
        fresh.close()
    finally:
        await client.close()


async def test_a_browser_too_far_behind_is_told_to_reload():
    store, hub = BoardStore(history=2), Hub()
    for i in range(5):
        hub.publish(store.apply(i, make_state(f"s{i}")))
    client = await client_for(store, hub)
    try:
        resp = await client.get("/events", headers={"Last-Event-ID": "0"})
        (reset,) = await read_events(resp, 1)
        assert reset["event"] == "reset"
    finally:
        await client.close()


async def test_the_page_and_its_static_files_are_served():
    client = await client_for(BoardStore())
    try:
        page = await client.get("/")
        assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
        assert '<script src="/static/board.js"' in await page.text()
        js = await client.get("/static/board.js")
        assert js.status == 200 and js.headers["Content-Type"].startswith("text/javascript")
    finally:
        await client.close()


async def test_the_api_is_rate_limited_per_client():
    # one request every 10 s, bursts of 2: the third API request at once is refused
    store = BoardStore()
    store.apply(0, make_state("s00", articles=1, minutes=0))

    async def no_read(offset):
        return None
    client = TestClient(TestServer(make_app(store, Hub(), no_read, rate=0.1, burst=2)))
    await client.start_server()
    try:
        got = [await client.get(p) for p in ("/api/stories", "/api/stories/s00", "/api/stories", "/")]
        assert [r.status for r in got] == [200, 200, 429, 200]         # the page itself is not limited
        assert 1 <= int(got[2].headers["Retry-After"]) <= 10
        assert got[2].headers["Content-Security-Policy"] == CSP
        assert "too many requests" in (await got[2].json())["error"]
    finally:
        await client.close()
