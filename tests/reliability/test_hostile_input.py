"""Hostile input: >= 1,000 bad messages (deterministic corpus, tests/reliability/hostile.py)
sent raw to ``articles`` and through ``storystream produce`` (files and stdin), with
tricky but valid articles in between.  Every invalid one must end in dead-letters
with its original bytes, a reason and its origin; every valid one must be processed;
no worker may crash, restart or stall.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import pytest

from schemas.models import DeadLetter
from tests.reliability.harness import (code_fingerprint, drift, ROOT, Workers, env_float, latest_states, log, make_env, make_producer, membership,
                                       prepare_topics, read_all, settings_for)
from tests.reliability.hostile import MAX_BODY, deep_nesting_items, direct_items, extreme_items, producer_inputs

pytestmark = pytest.mark.integration


async def _send(settings, items) -> list[tuple[int, int]]:
    producer = make_producer(settings)
    await producer.start()
    try:
        futs = [await producer.send(settings.topic(it.topic), key=it.key, value=it.value) for it in items]
        metas = [await f for f in futs]
    finally:
        await producer.stop()
    return [(m.partition, m.offset) for m in metas]


def _crash_lines(text: str) -> list[str]:
    """Error log lines of crashed agents / tracebacks (faust keeps the process up when an agent dies)."""
    return [line for line in text.splitlines()
            if '"level": "error"' in line and ("crash" in line.lower() or "Traceback" in line)]


def _produce(env, args, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", "produce", *args], env=env, input=stdin,
                          capture_output=True, timeout=300, cwd=ROOT)


def test_hostile_input_is_dead_lettered_and_valid_input_flows(kafka_bootstrap, tmp_path, figures):
    code_before = code_fingerprint()
    env = make_env(kafka_bootstrap, tmp_path / "data", STORYSTREAM_MAX_BODY_BYTES=MAX_BODY)
    settings = settings_for(env)
    asyncio.run(prepare_topics(settings))
    items = direct_items() + extreme_items()     # (issue 19: dates, sizes, characters, 10,000 entities)
    prod = producer_inputs()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name, raw in prod["files"].items():
        (inputs / name).write_bytes(raw)

    workers = Workers(env=env, log_path=tmp_path / "workers.log").start()
    try:
        t0 = time.monotonic()
        offsets = asyncio.run(_send(settings, items))
        p_files = _produce(env, [str(inputs / n) for n in prod["files"]])
        p_stdin = _produce(env, ["-"], stdin=prod["stdin"])
        log(f"sent {len(items)} raw messages, produced files (rc {p_files.returncode}) and stdin "
            f"(rc {p_stdin.returncode}) in {time.monotonic() - t0:.1f}s")

        direct_dead = {offsets[i]: it for i, it in enumerate(items) if it.expect == "dead"}
        direct_ok = [(offsets[i], it) for i, it in enumerate(items)
                     if it.expect in ("valid", "superseded") and it.topic == "articles"]
        halves_ok = [it for it in items if it.expect == "valid" and it.topic != "articles"]
        direct_either = [(offsets[i], it) for i, it in enumerate(items) if it.expect == "either"]

        def source_key(name, line):
            path = name if name == "<stdin>" else str(inputs / name)
            return path if line is None else f"{path}:{line}"
        prod_dead = {source_key(n, ln): (raw, n, ln) for n, ln, e, raw, _, _ in prod["expected"] if e == "dead"}
        valid_titles = {it.article_id: it.title for _, it in direct_ok if it.expect == "valid"}
        valid_titles.update({it.article_id: it.title for it in halves_ok})
        valid_titles.update({aid: title for _, _, e, _, aid, title in prod["expected"] if e == "valid"})
        superseded = {it.article_id for _, it in direct_ok if it.expect == "superseded"} | \
                     {aid for _, _, e, _, aid, _ in prod["expected"] if e == "superseded"}
        either_ids = {it.article_id for _, it in direct_either}

        stall_limit = env_float("RELIABILITY_STALL_SECONDS", 90.0)

        def settle(dead_origins, valid_ids, maybe_ids, limit):
            """Read dead-letters and story-state until every expected outcome is there,
            nothing moved for ``limit`` seconds (a stall), or 420 s passed."""
            deadline = time.monotonic() + 420
            last_progress, last_change = None, time.monotonic()
            while True:
                workers.poll()
                raw_letters = asyncio.run(read_all(settings, "dead-letters"))
                letters = [DeadLetter.model_validate_json(r.value) for r in raw_letters]
                latest = latest_states(asyncio.run(read_all(settings, "story-state")))
                origins = {(d.partition, d.offset) for d in letters if d.source_topic == settings.topic("articles")}
                covered = set(membership(latest))
                refused = {json.loads(d.original_key)["article_id"] for d in letters
                           if d.original_key and d.original_key.startswith(b'{"article_id"')}
                if set(dead_origins) <= origins and set(valid_ids) <= covered and set(maybe_ids) <= covered | refused:
                    return raw_letters, letters, latest, False
                if time.monotonic() > deadline:
                    log("timed out waiting for every dead letter and every valid article")
                    return raw_letters, letters, latest, True
                progress = (len(letters), len(covered))
                if progress != last_progress:
                    last_progress, last_change = progress, time.monotonic()
                elif time.monotonic() - last_change > limit:
                    log(f"STALL: nothing new in dead-letters or story-state for {limit}s")
                    return raw_letters, letters, latest, True
                time.sleep(5)

        raw_letters, letters, latest, stalled = settle(direct_dead, valid_titles, either_ids, stall_limit)
        letter_keys = [r.key for r in raw_letters]
        figures["seconds_to_settle"] = round(time.monotonic() - t0, 1)
        alive = {c.name: c.alive() for c in workers.supervisor.children}
        workers.poll()
        unexpected = list(workers.unexpected)
        crash_lines_phase1 = _crash_lines(workers.log_path.read_text(errors="replace"))

        # phase 2: deeply nested JSON, each followed by a valid sentinel
        deep = deep_nesting_items()
        deep_offsets = asyncio.run(_send(settings, deep))
        deep_dead = {deep_offsets[i]: it for i, it in enumerate(deep) if it.expect == "dead"}
        deep_valid = {it.article_id for it in deep if it.expect == "valid"}
        d_raw, d_letters, d_latest, d_stalled = settle(deep_dead, deep_valid, (), min(stall_limit, 60.0))
        d_origins = {(d.partition, d.offset): d for d in d_letters if d.source_topic == settings.topic("articles")}
        deep_missing = [f"{it.category}@{o}" for o, it in deep_dead.items() if o not in d_origins]
        deep_bytes = [f"{it.category}@{o}" for o, it in deep_dead.items()
                      if o in d_origins and d_origins[o].original_value != it.value]
        deep_not_processed = sorted(deep_valid - set(membership(d_latest)))
        deep_alive = {c.name: c.alive() for c in workers.supervisor.children}
    finally:
        exit_codes = workers.stop()
        log_text = workers.log_path.read_text(errors="replace")

    articles_topic = settings.topic("articles")
    by_origin: dict[tuple, list[DeadLetter]] = {}
    by_source: dict[str, list[DeadLetter]] = {}
    for kafka_key, d in zip(letter_keys, letters):
        if d.source_topic == articles_topic:
            by_origin.setdefault((d.partition, d.offset), []).append(d)
        elif d.service == "producer":
            # the producer puts the record's source (file:line) in the Kafka key of the letter
            by_source.setdefault((kafka_key or b"").decode("utf-8", "replace"), []).append(d)

    problems: list[str] = []
    # direct sends
    missing_dl, wrong_bytes, no_reason, dup = [], [], [], 0
    for origin, it in direct_dead.items():
        got = by_origin.get(origin)
        if not got:
            missing_dl.append(f"{it.category}@{origin}")
            continue
        dup += len(got) - 1
        d = got[0]
        if d.original_value != it.value:
            wrong_bytes.append(f"{it.category}@{origin}")
        if not d.reason.strip():
            no_reason.append(f"{it.category}@{origin}")
    wrongly_dead = [f"{it.category}:{it.article_id}" for origin, it in direct_ok if origin in by_origin]
    # producer-side rejects
    p_missing, p_bytes, p_reason_no_source, p_no_reason = [], [], [], []
    for key, (raw, name, line) in prod_dead.items():
        got = by_source.get(key)
        if not got:
            p_missing.append(key)
            continue
        d = got[0]
        if d.original_value != raw:
            p_bytes.append(key)
        if not d.reason.strip():
            p_no_reason.append(key)
        where = name if line is None else f"{name}:{line}"
        if where not in d.reason:
            p_reason_no_source.append(f"{key} -> reason {d.reason!r}")
    # valid articles
    where = membership(latest)
    not_processed = sorted(set(valid_titles) - set(where))
    doubled = sorted(a for a in valid_titles if len(where.get(a, [])) > 1)
    stale = []
    for aid in sorted(superseded & set(where)):
        for sid in where[aid]:
            shown = next(a["title"] for a in latest[sid]["articles"] if a["article_id"] == aid)
            if shown != valid_titles.get(aid):
                stale.append(f"{aid}: story {sid} shows {shown!r}, latest is {valid_titles.get(aid)!r}")
    bad_totals = [sid for sid, s in latest.items() if s["totals"]["articles"] != len(s["articles"])]
    either_outcome = {aid: ("processed" if aid in where else "dead-lettered") for aid in sorted(either_ids)}
    crashes = crash_lines_phase1
    deep_crashes = _crash_lines(log_text)[len(crash_lines_phase1):]

    n_dead_expected = len(direct_dead) + len(prod_dead)
    n_dead_got = len(direct_dead) - len(missing_dl) + len(prod_dead) - len(p_missing)
    with_reason = sum(1 for d in letters if d.reason.strip())
    figures.update({
        "bad_sent": {"direct": len(direct_dead), "producer": len(prod_dead), "total": n_dead_expected},
        "valid_sent": len(valid_titles) + len(superseded),
        "dead_lettered_of_bad": n_dead_got,
        "dead_letters_total": len(letters),
        "pct_dead_letters_with_reason": round(100.0 * with_reason / len(letters), 1) if letters else None,
        "pct_producer_reasons_naming_file_line": round(100.0 * (len(prod_dead) - len(p_missing) - len(p_reason_no_source))
                                                      / max(1, len(prod_dead) - len(p_missing)), 1),
        "duplicate_dead_letters": dup,
        "valid_processed": f"{len(valid_titles) - len(not_processed)}/{len(valid_titles)}",
        "lone_surrogate_outcome": either_outcome,
        "produce_rc": {"files": p_files.returncode, "stdin": p_stdin.returncode},
        "workers_alive_at_end": alive, "unexpected_exits": unexpected,
        "worker_exit_codes_at_stop": exit_codes,
        "error_log_lines_mentioning_crash": len(crashes),
        "stalled": stalled,
        "deep_nesting": {"sent": len(deep_dead), "dead_lettered": len(deep_dead) - len(deep_missing),
                         "sentinels_processed": f"{len(deep_valid) - len(deep_not_processed)}/{len(deep_valid)}",
                         "agent_crash_lines": len(deep_crashes), "stalled": d_stalled, "alive": deep_alive},
    })
    figures["services_code_changed_during_run"] = drift(code_before)
    log("figures: " + json.dumps(figures, default=str))
    by_cat: dict[str, int] = {}
    for m in missing_dl:
        by_cat[m.split("@")[0]] = by_cat.get(m.split("@")[0], 0) + 1
    if missing_dl:
        problems.append(f"{len(missing_dl)} invalid raw message(s) never dead-lettered, by category {by_cat}")
    if wrong_bytes:
        problems.append(f"{len(wrong_bytes)} dead letter(s) without the original bytes: {wrong_bytes[:5]}")
    if no_reason:
        problems.append(f"{len(no_reason)} dead letter(s) without a reason")
    if wrongly_dead:
        problems.append(f"valid articles dead-lettered: {wrongly_dead[:10]}")
    if p_missing:
        problems.append(f"{len(p_missing)} producer-side reject(s) not in dead-letters: {p_missing[:5]}")
    if p_bytes:
        problems.append(f"{len(p_bytes)} producer dead letter(s) without the original record bytes: {p_bytes[:5]}")
    if p_reason_no_source:
        problems.append(f"{len(p_reason_no_source)}/{len(prod_dead)} producer dead letter reasons do not name "
                        f"file:line (it is only in the key), e.g. {p_reason_no_source[:2]}")
    if not_processed:
        problems.append(f"{len(not_processed)} valid article(s) never reached a story: {not_processed[:10]}")
    if doubled:
        problems.append(f"valid article(s) in two stories: {doubled[:10]}")
    if stale:
        problems.append(f"revisions not reflected: {stale[:5]}")
    if bad_totals:
        problems.append(f"stories whose totals.articles differs from their article list: {bad_totals[:5]}")
    if stalled:
        problems.append(f"the pipeline stalled (no new dead letter or story update for {stall_limit}s)")
    if not all(alive.values()) or unexpected:
        problems.append(f"workers died: alive={alive} unexpected exits={unexpected}")
    if crashes:
        problems.append(f"{len(crashes)} crash line(s) in the worker log, first: {crashes[0][:600]}")
    if p_files.returncode != 1 or p_stdin.returncode != 1:
        problems.append(f"storystream produce exit codes {p_files.returncode}/{p_stdin.returncode} (expected 1: "
                        f"some records were refused) stderr: {p_files.stderr[-500:]!r}")
    if deep_missing or deep_bytes or deep_not_processed or deep_crashes or d_stalled:
        first = deep_crashes[0][:700] if deep_crashes else ""
        problems.append(f"deeply nested JSON: {len(deep_missing)}/{len(deep_dead)} not dead-lettered, "
                        f"{len(deep_bytes)} without original bytes, sentinels after it not processed: "
                        f"{deep_not_processed}, {len(deep_crashes)} agent crash line(s), stalled={d_stalled}. {first}")
    assert not problems, "\n".join(problems)
    assert all(code in (0, -15) for code in exit_codes.values()), exit_codes
