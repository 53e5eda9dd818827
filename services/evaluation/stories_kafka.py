"""``storystream eval stories --kafka DATA``: score online clustering through the real
pipeline on Kafka (the offline runner with cross-validation: :mod:`story_report`).

1. The data set is produced once to ``articles`` and extracted by the real
   annotator, quotes and entities workers (extraction does not depend on order).
2. For each seeded order, the extraction results are replayed in that article
   order into a fresh set of aggregator topics, a fresh aggregator worker
   clusters them, and its ``story-state`` is read back with a plain consumer.
3. The latest state of each story gives the predicted clusters, scored against
   the records' gold ``story`` (pairwise and B-cubed), per order, mean and worst.
"""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from services.common.kafka import ensure_topics, make_consumer, make_producer, wait_for_broker
from services.common.settings import ROOT, Settings
from services.common.story_state import latest_states, membership
from services.evaluation.stories import format_table as _format_orders
from services.evaluation.stories import score_clusters, shuffled
from services.producer.publish import publish
from services.producer.sources import read_stream
from devtools.stack import broker_for, say, settings_for, stack_env, workers


def load_records(path: str | Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append({"id": rec["id"], "title": rec["title"], "body": rec["body"],
                            "outlet": rec.get("outlet"), "url": rec.get("url"),
                            "published": rec.get("published"), "story": rec.get("story")})
    return out


async def _read_all(settings: Settings, topic: str, done, timeout: float, check=None,
                    settle: float = 0.0) -> list:
    """Read ``topic`` from the start until ``done(records)``, then on until nothing new has
    arrived for ``settle`` seconds (the last update's other states may be on other partitions)."""
    consumer = make_consumer(settings, settings.topic(topic), group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False, max_partition_fetch_bytes=16 * 1024 * 1024)
    await consumer.start()
    records, deadline, quiet_since = [], time.monotonic() + timeout, None
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
            if check:
                check()
            if quiet_since is None and done(records):
                quiet_since = time.monotonic()
            elif quiet_since is not None and any(batch.values()):
                quiet_since = time.monotonic()
            if quiet_since is not None and time.monotonic() - quiet_since >= settle:
                return records
        raise TimeoutError(f"{topic}: only {len(records)} record(s) after {timeout}s")
    finally:
        await consumer.stop()


def _ids(records) -> set[str]:
    return {json.loads(r.value)["article"]["article_id"] for r in records}


def _membership(records) -> dict[str, list[str]]:
    """article id -> the stories whose latest state lists it (:mod:`services.common.story_state`)."""
    return membership(latest_states(r.value for r in records))


def _covered(records) -> dict[str, str]:
    """article id -> the story whose latest state lists it."""
    return {aid: sids[-1] for aid, sids in _membership(records).items()}


def _listed_twice(records) -> list[str]:
    """Articles that the latest states of two stories both list (must be none)."""
    return sorted(aid for aid, sids in _membership(records).items() if len(sids) > 1)


async def _produce_articles(settings: Settings, records: list[dict]) -> None:
    text = "".join(json.dumps({k: v for k, v in r.items() if k != "story" and v is not None}) + "\n"
                   for r in records)
    report = await publish(read_stream(text.encode("utf-8"), "eval.jsonl"), settings)
    if report.errors:
        raise RuntimeError(f"{report.errors} record(s) of the data set failed to produce")


async def _replay(settings: Settings, results: list[tuple[bytes, bytes, bytes]]) -> None:
    await wait_for_broker(settings)
    await ensure_topics(settings)
    producer = make_producer(settings)
    await producer.start()
    try:
        for key, quotes, entities in results:
            await producer.send(settings.topic("article-quotes"), key=key, value=quotes)
            await producer.send(settings.topic("article-entities"), key=key, value=entities)
        await producer.flush()
    finally:
        await producer.stop()


def run_stories_eval(path: str | Path, orders: int = 5, timeout: float = 900.0) -> dict:
    records = load_records(path)
    gold = {r["id"]: r["story"] for r in records}
    want = set(gold)
    run_dir = ROOT / ".data" / f"eval-{int(time.time())}"
    run_dir.mkdir(parents=True, exist_ok=True)
    out: dict = {"data": str(path), "articles": len(records), "orders": {}}
    started = time.monotonic()
    with broker_for(run_dir) as bootstrap:
        env = stack_env(bootstrap, run_dir, STORYSTREAM_LOG_LEVEL="warning")
        settings = settings_for(env)
        say(f"extracting {len(records)} articles once (annotator, quotes, entities) ...")
        with workers(["annotator", "quotes", "entities"], env, run_dir / "extract.log") as sup:
            asyncio.run(_produce_articles(settings, records))
            quotes = asyncio.run(_read_all(settings, "article-quotes", lambda rs: want <= _ids(rs), timeout,
                                           check=sup.poll))
            entities = asyncio.run(_read_all(settings, "article-entities", lambda rs: want <= _ids(rs), timeout,
                                             check=sup.poll))
        by_id_q = {json.loads(r.value)["article"]["article_id"]: (r.key, r.value) for r in quotes}
        by_id_e = {json.loads(r.value)["article"]["article_id"]: r.value for r in entities}
        say(f"extraction done in {time.monotonic() - started:.0f}s")
        for seed in range(orders):
            order = shuffled(want, seed)
            oenv = stack_env(bootstrap, run_dir, STORYSTREAM_LOG_LEVEL="warning")
            osettings = settings_for(oenv)
            asyncio.run(_replay(osettings, [(by_id_q[a][0], by_id_q[a][1], by_id_e[a]) for a in order]))
            with workers(["aggregator"], oenv, run_dir / f"aggregate-{seed}.log") as sup:
                states = asyncio.run(_read_all(osettings, "story-state", lambda rs: want <= set(_covered(rs)),
                                               timeout, check=sup.poll, settle=2.0))
            pred = _covered(states)
            out["orders"][str(seed)] = score_clusters(gold, pred)
            r = out["orders"][str(seed)]
            r["listed_twice"] = len(_listed_twice(states))
            # (no revisions here: articles move in by a split, into the split's new story at
            # version 1; by a merge, whose emptied story says so in merged_into; or by
            # re-homing, into a story that already had a version)
            values = [json.loads(x.value) for x in states]
            r["merges"] = sum(1 for v in values if v.get("merged_into"))
            r["splits"] = sum(1 for v in values if v["delta"].get("articles_moved_in") and v["version"] == 1)
            r["rehomed"] = sum(len(v["delta"]["articles_moved_in"]) for v in values
                               if v["delta"].get("articles_moved_in") and v["version"] > 1) - sum(
                len(v["delta"].get("articles_removed", [])) for v in values if v.get("merged_into"))
            say(f"order {seed}: {r['pred_stories']} stories, pairwise F1 {r['pairwise_f1']:.4f}, "
                f"B-cubed F1 {r['bcubed_f1']:.4f} ({r['splits']} split, {r['merges']} merged, "
                f"{r['rehomed']} re-homed)")
    vals = list(out["orders"].values())
    for key in ("pairwise_f1", "bcubed_f1"):
        out[f"mean_{key}"] = sum(v[key] for v in vals) / len(vals)
        out[f"worst_{key}"] = min(v[key] for v in vals)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def format_table(result: dict) -> str:
    head = f"stories eval on {result['data']}: {result['articles']} articles, {len(result['orders'])} orders, " \
           f"{result['seconds']}s through Kafka"
    return head + "\n" + _format_orders(result["orders"])
