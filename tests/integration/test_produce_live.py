"""``storystream produce`` on live inputs against the real broker: a pipe publishes each line as
it arrives, a followed file resumes at its offset, a drop folder publishes each file once, and
a send the broker refuses makes the command fail instead of printing a clean count."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from devtools.stack import settings_for
from services.common.kafka import client_options, ensure_topics
from tests.integration.conftest import ROOT, make_env, read_until

pytestmark = pytest.mark.integration


def rec(aid: str, **extra) -> bytes:
    return (json.dumps({"id": aid, "title": f"Title {aid}", "body": f"Body of {aid}, reported on Tuesday.",
                        **extra}) + "\n").encode()


def cli(env, *args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "services.cli", *args], env=env, cwd=ROOT,
                            stdin=kw.pop("stdin", subprocess.DEVNULL), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


def ids_in(records) -> list[str]:
    return [json.loads(r.key)["article_id"] for r in records]


@pytest.fixture(scope="module")
def env(kafka_bootstrap, tmp_path_factory):
    e = make_env(kafka_bootstrap, tmp_path_factory.mktemp("produce-live"))
    asyncio.run(ensure_topics(settings_for(e)))
    return e


def test_a_pipe_publishes_each_line_while_it_is_still_open(env):
    settings = settings_for(env)
    proc = cli(env, "produce", "-", stdin=subprocess.PIPE)
    try:
        proc.stdin.write(rec("pipe-1"))
        proc.stdin.flush()
        got = asyncio.run(read_until(settings, "articles", lambda rs: "pipe-1" in ids_in(rs), timeout=60))
        assert proc.poll() is None, "published before the pipe closed"
        _, err = proc.communicate(b"{broken\n" + rec("pipe-2", published="Tue, 05 Dec 2026 14:03:00 GMT"),
                                  timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 1, err.decode()        # the broken line is an error
    assert "published 2 article(s), 1 error(s)" in err.decode()
    got = asyncio.run(read_until(settings, "articles", lambda rs: "pipe-2" in ids_in(rs), timeout=30))
    second = next(json.loads(r.value) for r in got if json.loads(r.key)["article_id"] == "pipe-2")
    assert second["published"] == "2026-12-05T14:03:00Z", "an RFC 822 date is published, not dead-lettered"


def test_follow_resumes_at_its_offset_after_a_restart(env, tmp_path):
    settings = settings_for(env)
    wire = tmp_path / "wire.jsonl"
    wire.write_bytes(rec("fol-1") + rec("fol-2") + b'{"id": "fol-3", "title": "partial')   # last line unfinished
    proc = cli(env, "produce", "--follow", str(wire), "--idle", "3")
    time.sleep(1.0)
    with open(wire, "ab") as fh:                       # the writer finishes the line and adds one
        fh.write(b'", "body": "Body of fol-3."}\n' + rec("fol-4"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert "published 4 article(s), 0 error(s)" in err.decode()
    with open(wire, "ab") as fh:
        fh.write(rec("fol-5"))
    proc = cli(env, "produce", "--follow", str(wire), "--idle", "1.5")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "published 1 article(s)" in err.decode(), err.decode()
    got = asyncio.run(read_until(settings, "articles", lambda rs: "fol-5" in ids_in(rs), timeout=30))
    fol = [i for i in ids_in(got) if i.startswith("fol-")]
    assert sorted(fol) == ["fol-1", "fol-2", "fol-3", "fol-4", "fol-5"], fol   # each once, none skipped
    source = next(json.loads(r.value)["source"] for r in got if json.loads(r.key)["article_id"] == "fol-5")
    assert source == f"{wire}:5", "line numbers carry over the restart"


def test_watched_folder_publishes_each_file_once_then_moves_it(env, tmp_path):
    settings = settings_for(env)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.jsonl").write_bytes(rec("drop-1") + rec("drop-2"))
    (drop / "b.txt").write_text("Dropped headline\n\nThe dropped body, with a full sentence.\n")
    (drop / "notes.md").write_text("ignored: not a known suffix")
    proc = cli(env, "produce", "--watch", str(drop), "--idle", "3")
    time.sleep(1.5)
    (drop / "c.json").write_bytes(rec("drop-3"))       # appears while it runs
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert "published 4 article(s), 0 error(s)" in err.decode()
    assert sorted(p.name for p in (drop / ".published").iterdir()) == ["a.jsonl", "b.txt", "c.json"]
    assert sorted(p.name for p in drop.iterdir() if not p.name.startswith(".")) == ["notes.md"]
    got = asyncio.run(read_until(settings, "articles", lambda rs: "drop-3" in ids_in(rs), timeout=30))
    assert sorted(i for i in ids_in(got) if i.startswith("drop-")) == ["drop-1", "drop-2", "drop-3"]


def test_a_send_the_broker_refuses_is_retried_reported_and_fails_the_command(kafka_bootstrap, tmp_path):
    env = make_env(kafka_bootstrap, tmp_path)
    settings = settings_for(env)

    async def small_articles_topic():
        admin = AIOKafkaAdminClient(**client_options(settings))
        await admin.start()
        try:
            await admin.create_topics([NewTopic(settings.topic("articles"), 1, 1,
                                                topic_configs={"max.message.bytes": "2000"})])
        finally:
            await admin.close()
        await ensure_topics(settings)
    asyncio.run(small_articles_topic())
    big = json.dumps({"id": "too-big", "title": "Big", "body": "word " * 2000}) + "\n"
    proc = cli(env, "produce", "-", stdin=subprocess.PIPE)
    _, err = proc.communicate((big + rec("fits").decode()).encode(), timeout=120)
    text = err.decode()
    assert proc.returncode == 1, text
    assert "<stdin>:1: not published after 4 attempt(s)" in text and "MessageSizeTooLarge" in text, text
    assert "published 1 article(s), 0 error(s), 1 send(s) failed" in text, text
