"""Fault injection: N articles through the real pipeline while every worker type is
SIGKILLed at seeded random moments and restarted, and the broker is killed and
restarted once.  Afterwards the story states must be exactly what a fault-free
run gives.

    RELIABILITY_ARTICLES (300)  articles streamed (ECB+ dev repeated with fresh ids)
    RELIABILITY_KILLS (4)       worker SIGKILLs, spread over the four worker types
    RELIABILITY_SEED            replay a run (the seed is printed at start)
"""
from __future__ import annotations

import pytest

from tests.reliability.faults import check_run, make_schedule, note_schedule, plan, run_on_one_broker
from tests.reliability.harness import build_corpus

pytestmark = pytest.mark.integration


def test_kills_and_broker_restart_change_nothing(tmp_path, figures):
    p = plan("fault injection", figures, ("RELIABILITY_ARTICLES", 300), ("RELIABILITY_KILLS", 4))
    print(f"RELIABILITY_SEED={p.seed}")
    corpus = build_corpus(p.n, p.rng)
    schedule = make_schedule(p.rng, p.n, p.kills)
    note_schedule(schedule, figures)

    run = run_on_one_broker(corpus, schedule, p.rng, tmp_path, figures)
    check_run(corpus, run.out, run.workers, run.exit_codes, run.log_tail, figures, p.seed, tmp_path,
              run.code_before)
