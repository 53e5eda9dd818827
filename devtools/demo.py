"""The main job in one command: start a local Kafka broker (unless
``KAFKA_BOOTSTRAP`` names one) and the four workers, stream ``seeds/``, print
the final story state(s), then stop everything (also on Ctrl-C)."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from devtools.stack import broker_for, say, settings_for, stack_env, workers
from services.common import logging as slog
from services.common.kafka import make_consumer
from services.common.settings import Settings, load
from services.common.story_state import is_newer, membership
from services.producer.publish import publish
from services.producer.sources import SourceError, read_paths
from services.render import render_story

WORKERS = ["annotator", "quotes", "entities", "aggregator"]


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
                    if is_newer(state, latest.get(state["story_id"])):
                        latest[state["story_id"]] = state
                    last_msg = time.monotonic()
            covered = set(membership(latest))
            if article_ids <= covered and time.monotonic() - last_msg > settle:
                return latest
        raise TimeoutError(f"story state incomplete after {timeout}s: "
                           f"{len(article_ids - covered)} article(s) missing")
    finally:
        await consumer.stop()


def run_demo(seeds: Path, timeout: float = 180.0, show_json: bool = False) -> int:
    run_dir = load().data_dir / "demo"
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    slog.configure("warning", service="demo")
    try:
        with broker_for(run_dir) as bootstrap:
            env = stack_env(bootstrap, run_dir)
            settings = settings_for(env)
            log_path = run_dir / "workers.log"
            with workers(WORKERS, env, log_path) as sup:
                say(f"workers started: {', '.join(WORKERS)} (JSON logs in {log_path})")
                records = list(read_paths([str(seeds)], max_body_bytes=settings.max_body_bytes))
                ids = {r.article_id for r in records if not isinstance(r, SourceError)}
                report = asyncio.run(publish(records, settings))
                say(f"{report.line()} from {seeds}")
                latest = asyncio.run(collect_states(settings, ids, timeout, check=sup.poll))
                # a story emptied by a merge (or a revision) has a last state with no article
                latest = {sid: s for sid, s in latest.items() if s["totals"]["articles"]}
                say(f"{len(latest)} story(ies) after {time.monotonic() - started:.1f}s "
                    f"(web view was at http://127.0.0.1:{env['STORYSTREAM_WEB_PORT']}/stories)")
                say("stopping workers ...")
        for state in sorted(latest.values(), key=lambda s: -s["totals"]["articles"]):
            print(json.dumps(state, indent=2, ensure_ascii=False) if show_json else render_story(state))
        say("stopped")
        return 0
    except KeyboardInterrupt:
        say("interrupted; everything stopped")
        return 130
