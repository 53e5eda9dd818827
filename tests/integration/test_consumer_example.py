"""The consumer examples of docs/consumers.md, as written there, against a real broker: the
Python one keeps the latest version per story (a re-delivered older version changes nothing);
the kcat line prints every state.  kcat is Debian's package (``make test`` installs it): a
missing kcat fails this test, it never skips."""
from __future__ import annotations

import asyncio
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.stack import settings_for
from services.common.codec import story_key
from services.common.kafka import ensure_topics, make_producer
from tests.integration.conftest import make_env
from tests.unit.board.states import make_state

pytestmark = pytest.mark.integration

DOC = Path(__file__).resolve().parents[2] / "docs" / "consumers.md"


def block(lang: str) -> str:
    (code,) = re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), re.S)
    return code


@pytest.fixture(scope="module")
def states_topic(kafka_bootstrap, tmp_path_factory):
    """An isolated story-state topic holding: s1 v1, s2 v1, s1 v2, then s1 v1 again (a re-delivery)."""
    env = make_env(kafka_bootstrap, tmp_path_factory.mktemp("consumers"))
    settings = settings_for(env)
    sent = [make_state("s1", 1, articles=1, headline="Dam opens"), make_state("s2", 1, headline="Port strike"),
            make_state("s1", 2, articles=3, headline="Dam opens early"), make_state("s1", 1, articles=1,
                                                                                 headline="Dam opens")]

    async def go():
        await ensure_topics(settings)
        producer = make_producer(settings)
        await producer.start()
        try:
            for state in sent:
                await producer.send_and_wait(settings.topic("story-state"), key=story_key(state["story_id"]),
                                             value=json.dumps(state).encode())
        finally:
            await producer.stop()
    asyncio.run(go())
    return kafka_bootstrap, settings.topic("story-state"), sent


def test_the_python_example_keeps_the_latest_state_per_story(states_topic, tmp_path):
    bootstrap, topic, _ = states_topic
    code = block("python")
    assert len([ln for ln in code.splitlines() if ln.strip()]) <= 25
    script = tmp_path / "consumer.py"
    script.write_text(code)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=120, text=True,
                         env={"KAFKA_BOOTSTRAP": bootstrap, "TOPIC": topic, "IDLE": "4", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == [
        "s1 v1: Dam opens (1 articles, 1 outlets)",
        "s2 v1: Port strike (2 articles, 2 outlets)",
        "s1 v2: Dam opens early (3 articles, 2 outlets)",
    ]                      # the re-delivered s1 v1 is not taken over v2


def test_the_kcat_line_prints_every_state(states_topic):
    bootstrap, topic, sent = states_topic
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is not installed: `make test` installs Debian's kcat package; this test never skips")
    (line,) = [ln for ln in block("sh").splitlines() if ln.startswith("kcat ")]
    args = [bootstrap if a == "localhost:9092" else topic if a == "story-state" else a for a in shlex.split(line)]
    out = subprocess.run(args, capture_output=True, timeout=60, text=True)
    assert out.returncode == 0, out.stderr
    rows = [ln.split(" ", 2) for ln in out.stdout.splitlines()]
    assert [int(o) for o, _, _ in rows] == [0, 1, 2, 3]
    assert [json.loads(k)["story_id"] for _, k, _ in rows] == [s["story_id"] for s in sent]
    assert [(json.loads(v)["story_id"], json.loads(v)["version"]) for _, _, v in rows] == \
        [(s["story_id"], s["version"]) for s in sent]
