"""The board on the real pipeline (the seeds, then 1,000 real articles, through the four workers) and at
10,000 stories."""
from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from services.common.codec import story_key
from services.common.kafka import make_producer
from tests.integration.board.conftest import ROOT, run_async, running_board
from tests.integration.conftest import make_env
from tests.unit.board.states import make_state

pytestmark = pytest.mark.integration


def test_the_board_shows_the_seeds_story_from_the_real_pipeline(pipeline, browser, tmp_path, shots):
    with running_board(pipeline.env, tmp_path) as board:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        try:
            page.goto(board.url)
            page.wait_for_selector("#live.on")
            produced = pipeline.cli("produce", str(ROOT / "seeds"))
            assert produced.returncode == 0, produced.stderr.decode()[-2000:]
            # the story arrives by server-sent events and grows to the five seed articles
            # (locator waits: the page's CSP forbids the eval that wait_for_function uses)
            page.locator("li.story .size", has_text=re.compile(r"^5 articles")).first.wait_for(timeout=180_000)
            page.screenshot(path=str(shots / "board-seeds.png"), full_page=True)
            page.locator("li.story .headline").first.click()
            page.wait_for_selector("#story .timeline li")
            story = page.locator("#story")
            assert story.locator(".timeline li").count() == 5
            assert story.locator(".speaker").count() >= 1 and story.locator(".statement").count() >= 1
            assert story.locator(".entities li").count() >= 3
            page.screenshot(path=str(shots / "board-seeds-story.png"))   # the first screen
        finally:
            page.close()


def test_a_thousand_articles_from_the_real_pipeline_reach_the_board(pipeline, browser, tmp_path, shots):
    """1,000 real articles (ECB+ dev and more, then news_cluster in date order, under fresh ids)
    through the four workers: the board lists exactly the stories story-state holds, each with
    its article count, and the page shows them live."""
    from services.common.story_state import latest_states, members_of
    from tests.integration.conftest import read_until

    shared = ROOT.parent / "shared" / "eval"
    rows = []
    for name in ("ecbplus_dev.jsonl", "ecbplus_more.jsonl", "news_cluster.jsonl"):
        lines = (shared / name).read_text(encoding="utf-8").splitlines()     # missing data fails
        recs = [json.loads(line) for line in lines if line.strip()]
        recs.sort(key=lambda r: (r.get("published") or "", r["id"]))
        rows += [{"id": f"thousand-{r['id']}", "title": r["title"], "body": r["body"],
                  "outlet": r.get("outlet"), "url": r.get("url"), "published": r.get("published")}
                 for r in recs]
    rows += [dict(r, id=r["id"] + "-repost") for r in rows[:1000 - len(rows)]]   # 995 + 5 wire re-posts
    assert len(rows) == 1000
    ids = {r["id"] for r in rows}
    data = tmp_path / "thousand.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with running_board(pipeline.env, tmp_path) as board:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        try:
            page.goto(board.url)
            page.wait_for_selector("#live.on")
            produced = pipeline.cli("produce", str(data))
            assert produced.returncode == 0, produced.stderr.decode()[-2000:]
            settings = board.settings

            def covered(records):
                latest = latest_states(r.value for r in records)
                return ids <= {a for s in latest.values() for a in members_of(s)}
            records = run_async(lambda: read_until(settings, "story-state", covered, timeout=900))
            latest = latest_states(r.value for r in records)
            want = {sid: s["totals"]["articles"] for sid, s in latest.items()
                    if not s.get("merged_into") and s["totals"]["articles"] > 0}
            placed = [a for s in latest.values() for a in members_of(s) if a in ids]
            assert len(placed) == len(set(placed)) == 1000          # every article in exactly one story
            got: dict[str, int] = {}
            for _ in range(240):                                    # the board follows the topic live
                got, pg = {}, 1
                while True:
                    body = httpx.get(f"{board.url}/api/stories", params={"per_page": 100, "page": pg}).json()
                    got.update({s["story_id"]: s["articles"] for s in body["stories"]})
                    if pg * 100 >= body["total"]:
                        break
                    pg += 1
                if got == want:
                    break
                time.sleep(0.5)
            assert got == want, (len(got), len(want))
            page.screenshot(path=str(shots / "board-thousand.png"), full_page=False)
            assert page.locator("li.story").count() >= 20          # a full first page, live
        finally:
            page.close()


def test_ten_thousand_stories_are_paginated(kafka_bootstrap, browser, tmp_path, shots):
    count = 10_000
    env = make_env(kafka_bootstrap, tmp_path)
    with running_board(env, tmp_path) as board:
        async def publish_all():
            producer = make_producer(board.settings)
            await producer.start()
            try:
                pending = []
                for i in range(count):
                    state = make_state(f"bulk-{i:05d}", articles=1 + i % 7, minutes=i, headline=f"Bulk story {i:05d}")
                    pending.append(await producer.send(board.settings.topic("story-state"),
                                                       key=story_key(state["story_id"]), value=json.dumps(state).encode()))
                for fut in pending:
                    await fut
            finally:
                await producer.stop()
        run_async(publish_all)
        api = f"{board.url}/api/stories"
        deadline_body = None
        for _ in range(120):
            deadline_body = httpx.get(api, params={"per_page": 20}).json()
            if deadline_body["total"] == count:
                break
            time.sleep(0.5)
        assert deadline_body["total"] == count
        assert deadline_body["stories"][0]["story_id"] == "bulk-09999" and len(deadline_body["stories"]) == 20
        last = httpx.get(api, params={"per_page": 20, "page": 500}).json()
        assert [s["story_id"] for s in last["stories"]][-1] == "bulk-00000"
        assert httpx.get(api, params={"per_page": 5000}).json()["per_page"] == 100        # pages stay small
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        try:
            page.goto(board.url)
            page.wait_for_selector("#pageno >> text=page 1 of 500")
            assert page.locator("li.story").count() == 20
            page.click("#next")
            page.wait_for_selector("#pageno >> text=page 2 of 500")
            assert page.locator("li.story .headline").first.text_content() == "Bulk story 09979"
            page.screenshot(path=str(shots / "ten-thousand.png"))
            # an old story's page: its full state is no longer held, it is read back at its offset
            page.goto(f"{board.url}/#/story/bulk-00003")
            page.wait_for_selector("#story-headline >> text=Bulk story 00003")
        finally:
            page.close()
        metrics = httpx.get(f"http://127.0.0.1:{board_metrics_port(board)}/metrics").text
        assert re.search(rf"^storystream_board_stories {count}\.0$", metrics, re.M)


def board_metrics_port(board) -> int:
    from services.common.metrics import metrics_port
    return metrics_port(board.settings, "board")
