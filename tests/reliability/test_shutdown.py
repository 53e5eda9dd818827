"""Graceful shutdown: SIGTERM each worker type mid-stream; it must exit 0 (or -15)
promptly, and once restarted resume where it left off: no article lost, none
counted twice.

    RELIABILITY_SHUTDOWN_ARTICLES (80)   articles streamed
    RELIABILITY_TERM_SECONDS (20)        what "promptly" means
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter

import pytest

from schemas.models import ArticleEntities, ArticleQuotes
from tests.reliability.harness import (code_fingerprint, committed_offsets, drift, result_positions, WORKERS, StateMonitor, Workers, article_bytes, build_corpus,
                                       count_mismatches, env_float, env_int, last_by_article, latest_states, log,
                                       make_env, make_producer, membership, prepare_topics, read_all, seed,
                                       settings_for)

pytestmark = pytest.mark.integration


async def drive(corpus, plan, settings, workers: Workers, term_limit: float) -> dict:
    ids = {a.article_id for a in corpus}
    monitor = await StateMonitor(settings).start()
    producer = make_producer(settings)
    await producer.start()
    terms = []
    sent = 0

    async def send_all():
        nonlocal sent
        for a in corpus:
            while sent - len(monitor.added) >= 16:
                await asyncio.sleep(0.1)
            key, value = article_bytes(a)
            await producer.send_and_wait(settings.topic("articles"), key=key, value=value)
            sent += 1

    task = asyncio.create_task(send_all())
    t0 = time.monotonic()
    deadline = t0 + env_float("RELIABILITY_SHUTDOWN_TIMEOUT", 420)
    stall_limit = env_float("RELIABILITY_STALL_SECONDS", 60.0)
    last_progress, last_change = -1, time.monotonic()
    try:
        events = list(plan)
        while time.monotonic() < deadline:
            progress = len(monitor.added)
            if progress != last_progress:
                last_progress, last_change = progress, time.monotonic()
            elif task.done() and not events and time.monotonic() - last_change > stall_limit:
                log(f"no new article in a story for {stall_limit}s after everything was sent; giving up waiting")
                break
            while events and progress >= events[0][0]:
                trig, name = events.pop(0)
                rc, took = await asyncio.to_thread(workers.terminate, name, 60.0)
                log(f"progress {progress}/{len(corpus)}: SIGTERM {name} -> exit {rc} after {took:.1f}s")
                if rc is None:
                    workers.kill(name)
                terms.append({"worker": name, "at_progress": progress, "exit": rc, "seconds": round(took, 1)})
                workers.restart(name)
            workers.poll()
            if task.done() and not events and ids <= monitor.covered():
                break
            await asyncio.sleep(0.2)
        quiet = time.monotonic() + 30
        while time.monotonic() - monitor.last_message < 5 and time.monotonic() < quiet:
            await asyncio.sleep(0.5)
        if task.done() and task.exception():
            raise task.exception()
    finally:
        task.cancel()
        await monitor.stop()
        await producer.stop()
    return {"terms": terms, "states": await read_all(settings, "story-state"),
            "quotes": await read_all(settings, "article-quotes"),
            "entities": await read_all(settings, "article-entities"),
            "letters": await read_all(settings, "dead-letters"), "order": monitor.order, "sent": sent}


def test_sigterm_each_worker_mid_stream_resumes_without_loss_or_double_count(kafka_bootstrap, tmp_path, figures):
    n = env_int("RELIABILITY_SHUTDOWN_ARTICLES", 80)
    term_limit = env_float("RELIABILITY_TERM_SECONDS", 20.0)
    s = seed()
    print(f"RELIABILITY_SEED={s}")
    rng = random.Random(s)
    corpus = build_corpus(n, rng, prefix="sd")
    order = list(WORKERS)
    rng.shuffle(order)
    plan = [(int(n * f), w) for f, w in zip((0.15, 0.35, 0.55, 0.75), order)]
    figures.update({"seed": s, "articles": n, "plan": [f"{w}@{t}" for t, w in plan]})
    log(f"shutdown test: seed {s}, plan {plan}")

    code_before = code_fingerprint()
    env = make_env(kafka_bootstrap, tmp_path / "data")
    settings = settings_for(env)
    asyncio.run(prepare_topics(settings))
    workers = Workers(env=env, log_path=tmp_path / "workers.log").start()
    try:
        out = asyncio.run(drive(corpus, plan, settings, workers, term_limit))
    finally:
        exit_codes = workers.stop()
        logs = workers.log_path.read_text(errors="replace")

    ids = {a.article_id for a in corpus}
    latest = latest_states(out["states"])
    where = membership(latest)
    missing = sorted(ids - set(where))
    doubled = sorted(a for a, sids in where.items() if len(sids) > 1)
    q = last_by_article(out["quotes"], ArticleQuotes)
    e = last_by_article(out["entities"], ArticleEntities)
    results = {aid: (q[aid], e[aid]) for aid in ids if aid in q and aid in e}
    counts_bad = count_mismatches(latest, results, order=out.get("order"))
    republished = {a: c for a, c in Counter(out["order"]).items() if c > 1}
    figures.update({
        "sigterm": out["terms"],
        "missing": len(missing), "doubled": len(doubled), "count_mismatches": len(counts_bad),
        "articles_published_more_than_once": len(republished),
        "quotes_results_per_article_max": max(Counter(json.loads(r.key)["article_id"] for r in out["quotes"]).values()),
        "dead_letters": len(out["letters"]),
        "duplicate_ignored_log_lines": logs.count("duplicate_ignored"),
        "unexpected_exits": workers.unexpected,
        "worker_exit_codes_at_stop": exit_codes,
    })
    figures["services_code_changed_during_run"] = drift(code_before)
    log("figures: " + json.dumps(figures, default=str))
    problems = []
    for t in out["terms"]:
        if t["exit"] not in (0, -15):
            problems.append(f"{t['worker']} exited with {t['exit']} on SIGTERM")
        elif t["seconds"] > term_limit:
            problems.append(f"{t['worker']} took {t['seconds']}s to exit on SIGTERM (limit {term_limit}s)")
    if len(out["terms"]) < len(plan):
        problems.append(f"only {len(out['terms'])} of {len(plan)} SIGTERMs happened (stream stalled?)")
    if missing:
        where_results = result_positions({"article-quotes": out["quotes"], "article-entities": out["entities"]},
                                         missing[:10])
        committed = asyncio.run(committed_offsets(settings, settings.app_id("aggregator"),
                                                  ["article-quotes", "article-entities"]))
        problems.append(f"missing after restart: {missing[:10]}; their results at {where_results}; "
                        f"aggregator's committed offsets {committed}")
    if doubled:
        problems.append(f"in two stories: {doubled[:10]}")
    if counts_bad:
        problems.append(f"count mismatches: {counts_bad[:3]}")
    if out["letters"]:
        problems.append(f"{len(out['letters'])} dead letter(s) for valid articles")
    if workers.unexpected:
        problems.append(f"unexpected worker exits: {workers.unexpected}")
    assert not problems, f"seed {s}: " + "\n".join(problems) + "\n--- log tail ---\n" + logs[-4000:]
    assert all(code in (0, -15) for code in exit_codes.values()), exit_codes
