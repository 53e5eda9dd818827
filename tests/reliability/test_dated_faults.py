"""A dated stream through the real pipeline with closing on, while every worker type is
SIGKILLed at seeded moments and the broker is killed and restarted once (issue 19, "done
when"): 0 valid articles dead-lettered, every article in exactly one story of the final
story state (open or closed; a story merged into another lists none), and stories closed and
reopened on the way.

The stream is ``tests/dated_stream.py``'s: ``news_cluster.jsonl`` (2013-2018) in date order,
repeated under fresh ids with each copy's dates shifted by 20 days (past the 3-day close,
inside the 30-day reopen window).  Closing runs with the default close and reopen durations;
only the close check runs every 2 s instead of 30 s, because the stream compresses years of
event time into minutes of wall clock (with 30 s, an event's next copy usually arrives before
the check that would have closed its story).

With kills the partition may differ from a fault-free replay (the aggregator sees another
order, and closing depends on the order); what must hold is exactly-once membership and no
dead letters, not equality.

    RELIABILITY_DATED_ARTICLES (300)  articles streamed (the first N of the dated stream)
    RELIABILITY_DATED_KILLS (4)       worker SIGKILLs, spread over the four worker types
                                      (0: no fault at all, the broker not restarted either)
    RELIABILITY_SEED                  replay a run (the seed is printed at start)
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from schemas.models import DeadLetter
from tests.dated_stream import NEWS, article_stream
from tests.reliability.faults import make_schedule, note_schedule, plan, run_on_one_broker
from tests.reliability.harness import WORKERS, drift, latest_states, log, membership, members_of

pytestmark = pytest.mark.integration


def lifecycle_counts(records) -> tuple[int, int]:
    """(closings, reopenings) in story-state: per story, its states in version order (a version
    published twice, after a kill, counted once), each open -> closed and closed -> open step."""
    by_story: dict[str, dict[int, str]] = {}
    for r in records:
        st = json.loads(r.value)
        by_story.setdefault(st["story_id"], {})[st["version"]] = st["status"]
    closings = reopenings = 0
    for versions in by_story.values():
        statuses = [versions[v] for v in sorted(versions)]
        closings += statuses[0] == "closed"
        for a, b in zip(statuses, statuses[1:]):
            closings += a == "open" and b == "closed"
            reopenings += a == "closed" and b == "open"
    return closings, reopenings


def test_a_dated_stream_with_kills_places_every_article_once(tmp_path, figures):
    assert NEWS.exists(), f"news_cluster.jsonl is missing: {NEWS} (../shared beside the repository)"
    p = plan("dated stream with kills", figures, ("RELIABILITY_DATED_ARTICLES", 300),
             ("RELIABILITY_DATED_KILLS", 4))
    n, kills, s = p.n, p.kills, p.seed
    corpus = article_stream(n)
    span = corpus[-1].published - corpus[0].published
    assert len(corpus) == n and span >= timedelta(days=60), (len(corpus), span)
    schedule = make_schedule(p.rng, n, kills) if kills else []
    note_schedule(schedule, figures)

    run = run_on_one_broker(corpus, schedule, p.rng, tmp_path, figures, STORYSTREAM_CLOSE_CHECK_SECONDS=2)
    out, workers, exit_codes, log_tail, code_before = (run.out, run.workers, run.exit_codes, run.log_tail,
                                                       run.code_before)

    ids = {a.article_id for a in corpus}
    latest = latest_states(out["states"])
    where = membership(latest)
    per_article = Counter(len(where.get(a, [])) for a in ids)
    strangers = sorted(set(where) - ids)
    merged_with_members = sorted(sid for sid, st in latest.items() if st.get("merged_into") and members_of(st))
    closings, reopenings = lifecycle_counts(out["states"])
    letters = [DeadLetter.model_validate_json(r.value).reason for r in out["letters"]]
    figures.update({
        "articles": n, "days_spanned": span.days, "months_spanned": round(span.days / 30.44, 1),
        "kills_per_type": dict(workers.kills),
        "broker_restarts": sum(1 for r in out["restarts"] if r["worker"] == "broker"),
        "unexpected_worker_exits": workers.unexpected,
        "dead_letters": len(letters),
        "articles_in_0_1_more_stories": [per_article[0], per_article[1], sum(v for k, v in per_article.items() if k > 1)],
        "not_in_input": len(strangers),
        "merged_stories_with_members": len(merged_with_members),
        "stories_with_members": sum(1 for st in latest.values() if members_of(st)),
        "stories_closed_at_end": sum(1 for st in latest.values() if st["status"] == "closed" and members_of(st)),
        "closings": closings, "reopenings": reopenings,
        "story_state_messages": len(out["states"]),
        "worker_exit_codes_at_stop": exit_codes,
        "stalled": out["stalled"],
        "services_code_changed_during_run": drift(code_before),
    })
    log("figures: " + json.dumps(figures, default=str))
    context = (f"seed {s}: {json.dumps(figures, default=str)}\ndead letters: {letters[:5]}\n"
               f"--- worker log tail ---\n{log_tail}")
    assert not out["stalled"], context
    assert all(workers.kills[w] >= 1 for w in WORKERS) or kills < len(WORKERS), context
    assert figures["broker_restarts"] == (1 if kills else 0), context
    assert letters == [], context                                   # every article is valid
    assert per_article[1] == n and not strangers, context           # each in exactly one story
    assert merged_with_members == [], context
    assert closings > 0 and reopenings > 0, context
    assert all(code in (0, -15) for code in exit_codes.values()), context
