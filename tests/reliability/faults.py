"""The fault-injection driver and checks shared by the fault-injection tests: a seeded kill
schedule, the stream with its kills and restarts, the fault-free reference and the
invariant checks (nothing lost or doubled, counts, extraction, clustering).
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from devtools.broker.launcher import LocalBroker
from schemas.models import ArticleEntities, ArticleQuotes, DeadLetter
from tests.reliability.harness import (WORKERS, StateMonitor, Workers, article_bytes, code_fingerprint,
                                       count_mismatches, drift, engine_partition, env_float, env_int,
                                       extraction_view, last_by_article, latest_states, log, make_env,
                                       make_producer, membership, pairwise_f1, prepare_topics, read_all, seed,
                                       settings_for, state_partition)


@dataclass
class FaultPlan:
    """A run's size and its seeded randomness, read from the environment."""
    n: int
    kills: int
    seed: int
    rng: random.Random


def plan(label: str, figures: dict, articles: tuple[str, int], kills: tuple[str, int]) -> FaultPlan:
    """The article count and kill count from their variables (``(name, default)``) and the
    run's seed, logged with the line that replays it."""
    n, k, s = env_int(*articles), env_int(*kills), seed()
    log(f"{label}: seed {s} (replay with RELIABILITY_SEED={s}), {n} articles, {k} kills")
    figures["seed"] = s
    return FaultPlan(n=n, kills=k, seed=s, rng=random.Random(s))


def note_schedule(schedule: list[tuple[int, str, float]], figures: dict) -> None:
    figures["schedule"] = [f"{a}@{t}" for t, a, _ in schedule]
    log(f"schedule: {schedule}")


@dataclass
class FinishedRun:
    """What a driven run left: its outputs, the workers, their exit codes at stop and
    log tail, and the service code's fingerprint taken before the run."""
    out: dict
    workers: Workers
    exit_codes: dict
    log_tail: str
    code_before: dict[str, float]


def run_on_one_broker(corpus, schedule, rng: random.Random, tmp_path: Path, figures: dict,
                      **env_extra) -> FinishedRun:
    """A fresh single broker and the four workers (environment ``make_env`` plus
    ``env_extra``), ``corpus`` driven through them with ``schedule``; everything stopped."""
    code_before = code_fingerprint()
    broker = LocalBroker(data_dir=tmp_path / "broker", fresh=True)
    broker.start()
    try:
        env = make_env(broker.bootstrap, tmp_path / "data", **env_extra)
        settings = settings_for(env)
        asyncio.run(prepare_topics(settings))
        workers = Workers(env=env, log_path=tmp_path / "workers.log").start()
        try:
            out = asyncio.run(drive(corpus, schedule, settings, workers, broker, rng, figures))
        finally:
            exit_codes = workers.stop()
            log_tail = workers.logs(8000)
    finally:
        broker.stop()
    return FinishedRun(out=out, workers=workers, exit_codes=exit_codes, log_tail=log_tail,
                       code_before=code_before)

def make_schedule(rng: random.Random, n: int, kills: int) -> list[tuple[int, str, float]]:
    """(progress trigger, action, down seconds): ``kills`` worker kills spread over
    the four types (every type at least once when kills >= 4) and one broker restart."""
    names = [WORKERS[i % len(WORKERS)] for i in range(kills)]
    actions = [f"kill:{w}" for w in names] + ["broker"]
    rng.shuffle(actions)
    lo, hi = max(1, int(0.06 * n)), max(2, int(0.85 * n))
    triggers = sorted(rng.sample(range(lo, hi), len(actions))) if hi - lo >= len(actions) else \
        sorted(rng.randint(lo, hi) for _ in actions)
    return [(t, a, round(rng.uniform(0.0, 3.0), 2)) for t, a in zip(triggers, actions)]


async def _send_with_retry(state: dict, settings, key: bytes, value: bytes) -> None:
    while True:
        try:
            if state.get("producer") is None:
                p = make_producer(settings)
                await p.start()
                state["producer"] = p
            await state["producer"].send_and_wait(settings.topic("articles"), key=key, value=value)
            return
        except Exception as exc:  # broker restarting: retry (same id + same content is idempotent)
            log(f"producer: {exc!r}; retrying")
            p, state["producer"] = state.get("producer"), None
            if p is not None:
                try:
                    await p.stop()
                except Exception:
                    pass
            await asyncio.sleep(1.0)


async def drive(corpus, schedule, settings, workers: Workers, broker: LocalBroker | None, rng: random.Random,
                figures: dict, actions: dict | None = None) -> dict:
    """Stream ``corpus`` while carrying out ``schedule``: ``kill:<worker>``, ``broker`` (the
    single broker down and back, the stream held meanwhile), or a name in ``actions``, an
    ``async (progress, down) -> dict`` run as a task beside the stream (its result is
    recorded with the restarts)."""
    actions = actions or {}
    n = len(corpus)
    ids = [a.article_id for a in corpus]
    window = max(24, env_int("RELIABILITY_WINDOW", 40))
    stall_limit = env_float("RELIABILITY_STALL_SECONDS", 300.0)
    monitor = await StateMonitor(settings).start()
    sent = 0
    broker_up = asyncio.Event()
    broker_up.set()
    restarts: list[dict] = []
    pending_restarts: list[asyncio.Task] = []
    prod_state: dict = {}

    async def restart_later(name: str, down: float, t_kill: float, progress: int) -> None:
        await asyncio.sleep(down)
        workers.restart(name)
        restarts.append({"worker": name, "at_progress": progress, "down_s": down,
                         "killed_at": round(t_kill - t0, 1)})

    async def producer() -> None:
        nonlocal sent
        for a in corpus:
            while sent - len(monitor.added) >= window:
                await asyncio.sleep(0.1)
            await broker_up.wait()
            key, value = article_bytes(a)
            await _send_with_retry(prod_state, settings, key, value)
            sent += 1

    t0 = time.monotonic()
    prod = asyncio.create_task(producer())
    events = list(schedule)
    last_progress, last_change = 0, time.monotonic()
    stalled = False
    try:
        while True:
            progress = len(monitor.added)
            if progress != last_progress:
                last_progress, last_change = progress, time.monotonic()
            while events and progress >= events[0][0]:
                trig, action, down = events.pop(0)
                if action == "broker":
                    log(f"progress {progress}/{n}: SIGKILL broker, down {down}s")
                    broker_up.clear()
                    t_k = time.monotonic()
                    broker.kill()
                    await asyncio.sleep(down)
                    broker.fresh = False
                    # in this thread: LocalBroker ties the broker's life to the thread that starts it
                    # (prctl PDEATHSIG), so not from an executor thread
                    broker.start()
                    broker_up.set()
                    restarts.append({"worker": "broker", "at_progress": progress, "down_s": round(time.monotonic() - t_k, 1),
                                     "killed_at": round(t_k - t0, 1)})
                    log(f"broker back after {time.monotonic() - t_k:.1f}s")
                elif action in actions:
                    pending_restarts.append(asyncio.create_task(
                        _recorded(actions[action](progress, down), restarts, action, progress, t0)))
                else:
                    name = action.split(":", 1)[1]
                    log(f"progress {progress}/{n}: SIGKILL {name}, restart in {down}s")
                    t_k = time.monotonic()
                    workers.kill(name)
                    pending_restarts.append(asyncio.create_task(restart_later(name, down, t_k, progress)))
            workers.poll()
            if prod.done() and not events:
                exc = prod.exception()
                if exc:
                    raise exc
                if set(ids) <= monitor.covered():
                    break
            if time.monotonic() - last_change > stall_limit:
                stalled = True
                log(f"STALL: no new article in a story for {stall_limit}s (progress {progress}/{n}, sent {sent})")
                break
            await asyncio.sleep(0.2)
        await asyncio.gather(*pending_restarts)
        # let late re-deliveries land: wait for 5 s without a new story-state message (max 60 s)
        quiet_deadline = time.monotonic() + 60
        while time.monotonic() - monitor.last_message < 5 and time.monotonic() < quiet_deadline:
            await asyncio.sleep(0.5)
        figures["stream_seconds"] = round(time.monotonic() - t0, 1)
    finally:
        prod.cancel()
        await monitor.stop()
        if prod_state.get("producer") is not None:
            await prod_state["producer"].stop()
    states = await read_all(settings, "story-state")
    quotes = await read_all(settings, "article-quotes")
    entities = await read_all(settings, "article-entities")
    letters = await read_all(settings, "dead-letters")
    return {"states": states, "quotes": quotes, "entities": entities, "letters": letters,
            "order": monitor.order, "restarts": restarts, "stalled": stalled, "sent": sent}


async def _recorded(fault, restarts: list, action: str, progress: int, t0: float) -> None:
    t_k = time.monotonic()
    record = await fault
    restarts.append({"worker": action, "at_progress": progress, "killed_at": round(t_k - t0, 1), **(record or {})})


def reference_results(corpus) -> dict[str, tuple]:
    """Fault-free extraction of every distinct content, in-process (deterministic)."""
    from services.pipeline import extract_articles
    unique = {}
    for a in corpus:
        unique.setdefault(a.content_hash, a)
    arts = list(unique.values())
    return {a.content_hash: r for a, r in zip(arts, extract_articles(arts))}


def check_run(corpus, out: dict, workers: Workers, exit_codes: dict, log_tail: str, figures: dict,
              s: int, tmp_path, code_before: dict) -> None:
    """Every invariant of a fault-injection run (``drive``'s output); fills ``figures``."""
    n = len(corpus)
    ids = [a.article_id for a in corpus]
    idset = set(ids)
    latest = latest_states(out["states"])
    where = membership(latest)
    missing = sorted(idset - set(where))
    doubled = sorted(a for a, sids in where.items() if len(sids) > 1)
    strangers = sorted(set(where) - idset)
    q_last = last_by_article(out["quotes"], ArticleQuotes)
    e_last = last_by_article(out["entities"], ArticleEntities)
    results = {aid: (q_last[aid], e_last[aid]) for aid in idset if aid in q_last and aid in e_last}
    counts_bad = count_mismatches(latest, results, order=out.get("order"))
    truncated = [sid for sid, st in latest.items() if st["totals"]["articles"] > len(st.get("article_ids") or [])]

    t_ref = time.monotonic()
    ref = reference_results(corpus)
    extraction_bad = []
    for a in corpus:
        got = results.get(a.article_id)
        if got is None:
            extraction_bad.append(f"{a.article_id}: no quotes/entities result on the topics")
        elif extraction_view(*got) != extraction_view(*ref[a.content_hash]):
            extraction_bad.append(f"{a.article_id}: differs from the fault-free extraction")

    # clustering: the order the aggregator consumed the articles (last time each was added
    # in story-state deltas), replayed through the in-process engine
    seen_last = {aid: i for i, aid in enumerate(out["order"]) if aid in idset}
    consumed = sorted((aid for aid in seen_last if aid in results), key=seen_last.get)
    part = state_partition(latest)
    same_order = engine_partition(consumed, results) if len(consumed) == len(idset) else None
    ref_results = {aid: (ref[results[aid][0].article.content_hash][0].model_copy(update={"article": results[aid][0].article}),
                         ref[results[aid][0].article.content_hash][1].model_copy(update={"article": results[aid][1].article}))
                   for aid in results}
    fault_free = engine_partition([a for a in ids if a in ref_results], ref_results)
    p_ff, r_ff, f1_ff = pairwise_f1(part, fault_free)
    same_order_equal = same_order is not None and sorted(map(sorted, same_order.values())) == sorted(map(sorted, part.values()))
    f1_same = pairwise_f1(part, same_order)[2] if same_order is not None else None
    figures["reference_seconds"] = round(time.monotonic() - t_ref, 1)

    unexpected = workers.unexpected
    figures.update({
        "articles": n, "sent": out["sent"],
        "kills_per_type": dict(workers.kills),
        "restarts": out["restarts"],
        "broker_restarts": sum(1 for r in out["restarts"] if r["worker"] == "broker"),
        "unexpected_worker_exits": unexpected,
        "stories": len(part),
        "missing": len(missing), "doubled": len(doubled), "not_in_input": len(strangers),
        "count_mismatches": len(counts_bad),
        "stories_with_fewer_member_ids_than_totals": len(truncated),
        "extraction_mismatches": len(extraction_bad),
        "dead_letters": len(out["letters"]),
        "story_state_messages": len(out["states"]),
        # splits: new stories (version 1) that articles moved into (a split re-done after a kill counts twice)
        "story_splits": sum(1 for r in out["states"] if json.loads(r.value)["delta"].get("articles_moved_in")
                            and json.loads(r.value)["version"] == 1),
        "story_merges": sum(1 for r in out["states"] if json.loads(r.value).get("merged_into")),
        "partition_identical_to_engine_replay_of_consumed_order": same_order_equal,
        "pairwise_f1_vs_engine_replay_of_consumed_order": f1_same,
        "pairwise_p_r_f1_vs_fault_free_sent_order": [round(p_ff, 4), round(r_ff, 4), round(f1_ff, 4)],
        "worker_exit_codes_at_stop": exit_codes,
        "stalled": out["stalled"],
    })
    figures["services_code_changed_during_run"] = drift(code_before)
    log("figures: " + json.dumps(figures, default=str))
    dump = tmp_path / "diagnostics.json"
    dump.write_text(json.dumps({
        "seed": s, "sent_order": ids, "consumed_order": consumed,
        "states": [json.loads(r.value) for r in out["states"]],
        "quotes": [json.loads(r.value) for r in out["quotes"]],
        "entities": [json.loads(r.value) for r in out["entities"]],
        "reference": {h: [q.model_dump(mode="json"), e.model_dump(mode="json")] for h, (q, e) in ref.items()},
    }, default=str))
    log(f"diagnostics (every message, the reference) in {dump}")
    details = {
        "missing": missing[:10], "doubled": {a: where[a] for a in doubled[:10]},
        "count_mismatches": counts_bad[:5], "extraction_mismatches": extraction_bad[:5],
        "dead_letters": [DeadLetter.model_validate_json(r.value).reason for r in out["letters"][:5]],
    }
    problems = []
    if out["stalled"]:
        problems.append("the pipeline stalled")
    for k in ("missing", "doubled", "not_in_input", "count_mismatches", "extraction_mismatches", "dead_letters"):
        if figures[k]:
            problems.append(f"{k}={figures[k]}")
    if same_order is not None and not same_order_equal:
        problems.append(f"stories differ from the in-process engine fed the consumed order (pairwise F1 {f1_same:.4f})")
    assert not problems, (f"seed {s}: " + "; ".join(problems) + "\n" + json.dumps(details, indent=1, default=str)
                          + "\n--- worker log tail ---\n" + log_tail)
    assert all(code in (0, -15) for code in exit_codes.values()), exit_codes
