"""Fault injection: N articles through the real pipeline while every worker type is
SIGKILLed at seeded random moments and restarted, and the broker is killed and
restarted once.  Afterwards the story states must be exactly what a fault-free
run gives.

    RELIABILITY_ARTICLES (300)  articles streamed (ECB+ dev repeated with fresh ids)
    RELIABILITY_KILLS (4)       worker SIGKILLs, spread over the four worker types
    RELIABILITY_SEED            replay a run (the seed is printed at start)
"""
from __future__ import annotations

import asyncio
import random

import pytest

from devtools.broker.launcher import LocalBroker
from tests.reliability.faults import check_run, drive, make_schedule
from tests.reliability.harness import (Workers, build_corpus, code_fingerprint, env_int, log, make_env,
                                       prepare_topics, seed, settings_for)

pytestmark = pytest.mark.integration


def test_kills_and_broker_restart_change_nothing(tmp_path, figures):
    n = env_int("RELIABILITY_ARTICLES", 300)
    kills = env_int("RELIABILITY_KILLS", 4)
    s = seed()
    log(f"fault injection: seed {s} (replay with RELIABILITY_SEED={s}), {n} articles, {kills} kills")
    print(f"RELIABILITY_SEED={s}")
    figures["seed"] = s
    rng = random.Random(s)
    corpus = build_corpus(n, rng)
    schedule = make_schedule(rng, n, kills)
    figures["schedule"] = [f"{a}@{t}" for t, a, _ in schedule]
    log(f"schedule: {schedule}")

    code_before = code_fingerprint()
    broker = LocalBroker(data_dir=tmp_path / "broker", fresh=True)
    broker.start()
    try:
        env = make_env(broker.bootstrap, tmp_path / "data")
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

    check_run(corpus, out, workers, exit_codes, log_tail, figures, s, tmp_path, code_before)
