"""The push service as a real process on the real broker: accepted records are on ``articles``,
refused ones in ``dead-letters`` with their reason; SIGTERM stops it cleanly."""
from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time

import httpx
import pytest

from devtools.broker.launcher import free_port
from devtools.stack import settings_for
from tests.integration.conftest import ROOT, make_env, read_until

pytestmark = pytest.mark.integration


def test_post_articles_publishes_and_dead_letters(kafka_bootstrap, tmp_path):
    port = free_port()
    env = make_env(kafka_bootstrap, tmp_path, STORYSTREAM_INGEST_TOKEN="t0ken", STORYSTREAM_INGEST_PORT=str(port))
    settings = settings_for(env)
    missing = subprocess.run([sys.executable, "-m", "services.cli", "worker", "ingest"], cwd=ROOT, capture_output=True,
                             env={**env, "STORYSTREAM_INGEST_TOKEN": ""}, timeout=60)
    assert missing.returncode == 2 and b"STORYSTREAM_INGEST_TOKEN" in missing.stderr
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "worker", "ingest"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "ingest did not start"
            time.sleep(0.3)
        body = "\n".join([json.dumps({"id": "push-1", "title": "Pushed", "body": "Pushed body, a sentence.",
                                      "published": "Tue, 05 Dec 2026 14:03:00 GMT"}),
                          json.dumps({"id": "push-2", "title": "No body"})]) + "\n"
        resp = httpx.post(f"http://127.0.0.1:{port}/articles", content=body, timeout=30,
                          headers={"Authorization": "Bearer t0ken", "Content-Type": "application/x-ndjson"})
        assert resp.status_code == 202, resp.text
        assert resp.json()["accepted"] == ["push-1"]
        assert resp.json()["refused"] == [{"index": 1, "reason": "missing field 'body'"}]
        got = asyncio.run(read_until(settings, "articles", lambda rs: any(b"push-1" in r.key for r in rs), timeout=30))
        article = json.loads(next(r.value for r in got if b"push-1" in r.key))
        assert article["published"] == "2026-12-05T14:03:00Z" and article["source"].startswith("push:")
        letters = asyncio.run(read_until(settings, "dead-letters", lambda rs: any(
            b"missing field" in (r.value or b"") for r in rs), timeout=30))
        letter = json.loads(next(r.value for r in letters if b"missing field" in (r.value or b"")))
        assert letter["service"] == "ingest" and letter["reason"].startswith("push:")
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, out.decode()[-3000:]
