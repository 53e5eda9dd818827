"""The main job in one command: start a local Kafka broker (unless
``KAFKA_BOOTSTRAP`` names one) and the four workers, stream ``seeds/``, print
the final story state(s), then stop everything (also on Ctrl-C)."""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from services.broker.launcher import LocalBroker, free_port
from services.common.kafka import make_consumer
from services.common.settings import Settings, load
from services.render import render_story
from services.supervisor import Supervisor

WORKERS = ["annotator", "quotes", "entities", "aggregator"]


def say(msg: str) -> None:
    print(f"[demo] {msg}", file=sys.stderr, flush=True)


async def collect_states(settings: Settings, article_ids: set[str], timeout: float, settle: float = 3.0,
                         check=None) -> dict:
    """Latest state per story once every article is in some story and updates settle."""
    consumer = make_consumer(settings, settings.topic("story-state"), group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    latest: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    last_msg = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            if check is not None:
                check()  # e.g. restart a dead worker, or give up when one keeps dying
            for records in batch.values():
                for rec in records:
                    state = json.loads(rec.value)
                    prev = latest.get(state["story_id"])
                    if prev is None or state["version"] >= prev["version"]:
                        latest[state["story_id"]] = state
                    last_msg = time.monotonic()
            covered = {a["article_id"] for s in latest.values() for a in s.get("articles", [])}
            covered |= {aid for s in latest.values() for aid in s.get("delta", {}).get("articles_added", [])}
            if article_ids <= covered and time.monotonic() - last_msg > settle:
                return latest
        raise TimeoutError(f"story state incomplete after {timeout}s: "
                           f"{len(article_ids - covered)} article(s) missing")
    finally:
        await consumer.stop()


def run_demo(seeds: Path, timeout: float = 180.0, show_json: bool = False) -> int:
    from services.common import logging as slog
    from services.producer.publish import publish
    from services.producer.sources import SourceError, read_paths

    base = load()
    run_dir = base.data_dir / "demo"
    run_dir.mkdir(parents=True, exist_ok=True)
    broker = None
    started = time.monotonic()
    env = dict(os.environ)
    if not os.environ.get("KAFKA_BOOTSTRAP"):
        say("starting a local Kafka broker (KRaft, single node) ...")
        broker = LocalBroker(data_dir=run_dir / "broker", fresh=True, log=say).start()
        env["KAFKA_BOOTSTRAP"] = broker.bootstrap
        say(f"broker ready at {broker.bootstrap}")
    stamp = str(int(time.time()))
    env.update({
        "STORYSTREAM_DATA_DIR": str(run_dir),
        "STORYSTREAM_TOPIC_PREFIX": env.get("STORYSTREAM_TOPIC_PREFIX") or ("" if broker else f"demo-{stamp}-"),
        "STORYSTREAM_APP_PREFIX": env.get("STORYSTREAM_APP_PREFIX") or f"storystream-demo-{stamp}",
        "STORYSTREAM_WEB_PORT": str(free_port()),
    })
    os.environ.update(env)
    settings = Settings()
    slog.configure("warning", service="demo")
    log_path = run_dir / "workers.log"
    sup = None
    try:
        with open(log_path, "ab") as log_file:
            sup = Supervisor(WORKERS, env=env, log_file=log_file).start()
            say(f"workers started: {', '.join(WORKERS)} (JSON logs in {log_path})")
            records = list(read_paths([str(seeds)], max_body_bytes=settings.max_body_bytes))
            ids = {r.article_id for r in records if not isinstance(r, SourceError)}
            report = asyncio.run(publish(records, settings))
            say(f"{report.line()} from {seeds}")
            latest = asyncio.run(collect_states(settings, ids, timeout, check=sup.poll))
        say(f"{len(latest)} story(ies) after {time.monotonic() - started:.1f}s; web view at "
            f"http://127.0.0.1:{env['STORYSTREAM_WEB_PORT']}/stories/")
        for state in sorted(latest.values(), key=lambda s: -s["totals"]["articles"]):
            print(json.dumps(state, indent=2, ensure_ascii=False) if show_json else render_story(state))
        return 0
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        if sup is not None:
            say("stopping workers ...")
            sup.stop()
        if broker is not None:
            say("stopping broker ...")
            broker.stop()
        say("stopped")
