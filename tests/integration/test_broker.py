"""`storystream broker`: prints its address, serves requests, stops on SIGTERM."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.broker import launcher
from devtools.broker.launcher import free_port, resolve_jars
from services.common.kafka import ensure_topics, wait_for_broker
from services.common.settings import load

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_jars_come_from_cache_without_maven(kafka_bootstrap, monkeypatch):
    # the session broker already resolved the jars; a second resolve must not need mvn (no network)
    monkeypatch.setattr(launcher.shutil, "which", lambda name: None)
    jars = resolve_jars()
    assert any(j.name.startswith("kafka_2.13-4.") for j in jars)


def test_broker_command_starts_and_stops_cleanly(kafka_bootstrap, tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "broker", "--port", str(port),
                             "--data-dir", str(tmp_path / "b")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        first = proc.stdout.readline().decode().strip()
        assert first == f"127.0.0.1:{port}", proc.stderr.read().decode()[-2000:] if not first else first
        s = load({"KAFKA_BOOTSTRAP": first, "STORYSTREAM_TOPIC_PREFIX": "bt-"})

        async def check():
            await wait_for_broker(s, timeout=30)
            return await ensure_topics(s)
        created = asyncio.run(check())
        assert "bt-story-state" in created
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        assert "stopped" in proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # no java left behind for this data dir
    out = subprocess.run(["pgrep", "-f", str(tmp_path / "b")], capture_output=True, text=True)
    assert out.stdout.strip() == ""
