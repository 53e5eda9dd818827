"""The board in a real headless Chromium: it renders, an update appears without a reload, and
hostile article text stays inert text (no script runs, no request leaves the board)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from devtools.broker.launcher import free_port
from tests.integration.board.conftest import running_board
from tests.integration.conftest import make_env
from tests.unit.board.states import make_state

pytestmark = pytest.mark.integration

HOSTILE = {
    "headline": '<img src="http://127.0.0.9:9/headline.png" onerror="window.__pwned=\'headline\'">Harbour reopens',
    "title": "<script>window.__pwned='title'</script>Harbour reopens <b>today</b>",
    "quote": "We are <img src=x onerror=\"window.__pwned='quote'\"> ready <script>fetch('http://127.0.0.9:9/q')</script>",
    "speaker": "<svg onload=\"window.__pwned='speaker'\">Mara Quell",
    "entity": "<iframe src=\"javascript:window.__pwned='entity'\">",
    "url": "javascript:window.__pwned='link'",
}


def only_board(page, board) -> list[str]:
    """Requests that left for anywhere but the board itself."""
    origin = urlsplit(board.url).netloc
    return [u for u in page.requests if urlsplit(u).netloc != origin]


def test_the_board_renders_stories_and_a_story_page(page, board, shots):
    board.publish(*[make_state(f"render-{i}", articles=2 + i, minutes=i,
                               headline=f"Render story {i}") for i in range(5)])
    page.goto(board.url)
    page.wait_for_selector("li.story >> text=Render story 4")
    page.wait_for_selector("#live.on")      # (locator waits: the CSP forbids wait_for_function's eval)
    assert page.locator("#live").text_content() == "live"
    first = page.locator("li.story").first
    assert first.locator(".headline").text_content() == "Render story 4"       # newest first
    assert "6 articles" in first.locator(".size").text_content()
    assert "North Ledger" in first.locator(".outlets").text_content()
    page.screenshot(path=str(shots / "list.png"), full_page=True)

    page.select_option("#sort", "biggest")
    page.locator("li.story .size", has_text=re.compile(r"^6 articles")).first.wait_for()
    assert page.locator("li.story .size").first.text_content().startswith("6 articles")
    page.fill("#q", "harbour authority")
    page.wait_for_selector("#count >> text=matching")

    first = page.locator("li.story .headline").first
    first.click()
    page.wait_for_selector("#story-headline")
    story = page.locator("#story")
    assert page.locator("#story-headline").text_content().startswith("Render story")
    assert story.locator(".timeline li").count() >= 2
    assert story.locator(".speaker h4").first.text_content().startswith("Mara Quell")
    assert story.locator(".wordings li").count() == 2
    assert story.locator(".statement .more").text_content() == "and 5 more wordings"   # capped: the true total
    assert story.locator(".wordings mark").first.text_content().strip() in ("on", "Monday")   # the wording differs
    assert "the Authority" in story.locator(".entities").text_content()
    assert "North Ledger" in story.locator(".coverage").text_content()
    page.screenshot(path=str(shots / "story.png"), full_page=True)
    assert only_board(page, board) == []


def test_an_update_appears_without_reload(page, board, shots):
    board.publish(make_state("live-1", articles=2, minutes=100, headline="Live story before"))
    page.goto(board.url)
    page.wait_for_selector("li.story >> text=Live story before")
    page.evaluate("window.__sameDocument = true")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    board.publish(make_state("live-1", 2, articles=5, minutes=101, headline="Live story after"),
                  make_state("live-2", articles=3, minutes=102, headline="A brand new story"))
    page.wait_for_selector("li.story >> text=A brand new story", timeout=20_000)
    page.wait_for_selector("li.story >> text=Live story after", timeout=20_000)
    assert page.evaluate("window.__sameDocument") is True and navigations == []
    assert page.locator("li.story").first.locator(".headline").text_content() == "A brand new story"
    item = page.locator('li.story[data-story="live-1"]')
    assert "5 articles" in item.locator(".size").text_content()
    page.screenshot(path=str(shots / "after-update.png"), full_page=True)

    # a story page follows its story's updates too, membership changes included
    item.locator(".headline").click()
    page.wait_for_selector("#story-headline >> text=Live story after")
    board.publish(make_state("live-1", 3, articles=6, minutes=103, headline="Live story grows",
                             delta={"articles_moved_in": ["live-1-a5"]}))
    page.wait_for_selector("#story-headline >> text=Live story grows", timeout=20_000)
    assert "moved in" in page.locator(".changes").text_content()
    assert page.evaluate("window.__sameDocument") is True
    # the page itself was loaded once: the updates came by the event stream (and JSON reads)
    assert [u for u in page.requests if u.rstrip("/") == board.url] == [board.url + "/"]
    assert len([u for u in page.requests if "/events" in u]) == 1


def test_hostile_article_text_renders_inert(page, board, shots):
    state = make_state("hostile", articles=2, minutes=200, headline=HOSTILE["headline"], title=HOSTILE["title"],
                       quote=HOSTILE["quote"], speaker=HOSTILE["speaker"], entity=HOSTILE["entity"],
                       alias="<a href=\"javascript:alert(1)\">alias</a>", url=HOSTILE["url"])
    board.publish(state)
    page.goto(board.url)
    page.wait_for_selector('li.story[data-story="hostile"]')
    item = page.locator('li.story[data-story="hostile"]')
    assert item.locator(".headline").text_content() == HOSTILE["headline"]      # shown as text, whole
    item.locator(".headline").click()
    page.wait_for_selector("#story-headline")
    story = page.locator("#story")
    assert page.locator("#story-headline").text_content() == HOSTILE["headline"]
    assert HOSTILE["title"] in story.locator(".timeline").text_content()
    assert "<img src=x onerror=" in story.locator("blockquote").first.text_content()
    assert story.locator(".speaker h4").first.text_content().startswith(HOSTILE["speaker"])
    assert HOSTILE["entity"] in story.locator(".entities").text_content()
    # no element came out of the data: no img, script, svg, iframe or b inside the page's content
    assert page.locator("main img, main script, main svg, main iframe, main b").count() == 0
    assert page.locator("script").count() == 1                                   # board.js itself
    # the javascript: link is text, not a link; no link on the page leads anywhere but http(s) or the board
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if not (h.startswith("#/") or h.startswith("http"))], hrefs
    assert HOSTILE["url"] in story.locator(".timeline").text_content()
    story.locator(".timeline li").first.click()
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert only_board(page, board) == [], only_board(page, board)
    page.screenshot(path=str(shots / "hostile.png"), full_page=True)


def test_a_reconnecting_page_resumes_from_its_last_event(browser, kafka_bootstrap, tmp_path, shots):
    """The board stops; an update is published meanwhile; the restarted board (same address)
    sends it to the page, whose EventSource reconnects with the offset it last saw."""
    env, port = make_env(kafka_bootstrap, tmp_path), free_port()
    page = browser.new_page()
    events = []
    page.on("request", lambda req: events.append(req) if "/events" in req.url else None)
    try:
        with running_board(env, tmp_path, port) as board:
            board.publish(make_state("resume-1", headline="Before the restart"))
            page.goto(board.url)
            page.wait_for_selector("li.story >> text=Before the restart")
            board.publish(make_state("resume-2", minutes=1, headline="Seen live"))
            page.wait_for_selector("li.story >> text=Seen live")
            page.evaluate("window.__sameDocument = true")
        page.wait_for_selector("#live.off")
        board.publish(make_state("resume-3", minutes=2, headline="Published while the board was down"))
        with running_board(env, tmp_path, port):
            page.wait_for_selector("li.story >> text=Published while the board was down", timeout=30_000)
            assert page.evaluate("window.__sameDocument") is True
            seen = [req.all_headers().get("last-event-id") for req in events]
            assert seen[0] is None and "1" in seen[1:], seen     # resumed after offset 1
            page.screenshot(path=str(shots / "resumed.png"))
    finally:
        page.close()
