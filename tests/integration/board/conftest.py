"""The board against a real broker, in a real headless Chromium (Debian's package) driven by
Playwright.  A missing browser FAILS these tests (``make test`` installs it); they never skip."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devtools.broker.launcher import free_port
from devtools.stack import settings_for
from services.common.codec import story_key
from services.common.kafka import make_producer
from services.common.metrics import metrics_port
from services.common.settings import Settings
from tests.integration.conftest import ROOT, _ensure, make_env


def run_async(make_coro):
    """Run a coroutine to its end in a thread of its own: Playwright's sync API keeps an event
    loop running in the test's thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = os.environ.get("STORYSTREAM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("no chromium on PATH: `make test` installs Debian's chromium package "
                    "(apt-get install -y chromium); these browser tests never skip")
    return path


@dataclass
class Board:
    url: str
    settings: Settings
    env: dict
    proc: subprocess.Popen
    log: Path

    def publish(self, *states: dict) -> None:
        """Story states sent to story-state as the aggregator sends them (acknowledged)."""
        async def go():
            producer = make_producer(self.settings)
            await producer.start()
            try:
                for state in states:
                    await producer.send_and_wait(self.settings.topic("story-state"), key=story_key(state["story_id"]),
                                                 value=json.dumps(state).encode())
            finally:
                await producer.stop()
        run_async(go)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def wait_ready(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        assert proc.poll() is None, f"board exited {proc.returncode}\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"board not ready\n{log.read_text()[-3000:]}"
        time.sleep(0.3)


@contextlib.contextmanager
def running_board(env: dict, tmp: Path, port: int | None = None):
    settings = settings_for(env)
    run_async(lambda: _ensure(settings))
    port = port or free_port()
    log = tmp / "board.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "services.cli", "board", "--port", str(port)], env=env,
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    board = Board(f"http://127.0.0.1:{port}", settings, env, proc, log)
    try:
        wait_ready(metrics_port(settings, "board"), proc, log)
        yield board
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        assert code in (0, -signal.SIGTERM), f"board exited {code}\n{board.logs()}"


@pytest.fixture(scope="module")
def board(kafka_bootstrap, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("board")
    with running_board(make_env(kafka_bootstrap, tmp), tmp) as b:
        yield b


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Screenshots of a test go under its own output folder."""
    path = tmp_path / "screenshots"
    path.mkdir()
    return path


@pytest.fixture
def page(browser, board):
    """A fresh page recording every request it makes and every console message."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.requests = []
    pg.console = []
    pg.on("request", lambda req: pg.requests.append(req.url))
    pg.on("console", lambda msg: pg.console.append(msg.text))
    try:
        yield pg
    finally:
        context.close()
