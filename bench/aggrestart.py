"""Aggregator memory of a restart: what the restore allocates, with every record stored against
open stories only (issue 19, item 5).  ``python -m bench.aggrestart 50000`` prints one JSON object.

    python -m bench.aggrestart 50000                      # one story an hour: ~72 open
    python -m bench.aggrestart 50000 --open 1000          # exactly 1,000 stories open at the end
    python -m bench.aggrestart 50000 --open 1000 --reopen-days 3

The synthetic stream of :mod:`bench.aggmem` (10 articles per story, by default one story an hour
of event time, so about 72 stories are open under the 3-day close and about 720 closed ones are
inside the 30-day reopen window; ``--open N`` spaces the stories so that exactly N are open at the
end; ``--reopen-days`` sets the engine's reopen window) goes through the aggregator's durability protocol with dict tables.
Then two restores of fresh engines from those tables are traced with ``tracemalloc`` (the tables
themselves were allocated before, as faust's rocksdb tables live on disk):

* ``all_records``: the engine restored from every story and article record (the restore before
  issue 19);
* ``open_and_window``: ``Durability.restore`` (open stories, closed ones inside the reopen window,
  their articles).

Peak is what the restore allocated at most; retained is what the engine still holds after it.
The baseline is measured in the same run (the first restore); nothing here is timed.
"""
from __future__ import annotations

import gc
import json
import logging
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone

import structlog

from bench.aggmem import synthetic
from services.aggregator.durability import Durability
from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.records import member_count


def _gap(config: EngineConfig, open_stories: int | None) -> timedelta:
    """Event time between two stories: ``open_stories`` stories fit in the close window (N - 0.5
    gaps: the newest N are open whether the close is strict or not), else an hour."""
    if not open_stories:
        return timedelta(hours=1)
    return timedelta(seconds=config.close_after_seconds / (open_stories - 0.5))


def _stream(n: int, config: EngineConfig, gap: timedelta) -> tuple[dict, dict]:
    stories, articles, failures = {}, {}, []
    d = Durability(StoryEngine(config), stories, articles, {}, lambda state: None)
    d.restore({})
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i in range(n):
        q, e = synthetic(i, base, gap=gap)
        d.receive("entities", e, failures.append)
        d.receive("quotes", q, failures.append)
        if i % 1000 == 999:
            d.close_idle()
            d.settle(d.settle_mark())
    d.close_idle()
    if failures:
        raise RuntimeError(f"{len(failures)} articles failed: {failures[:3]}")
    return stories, articles


def _traced(restore) -> dict:
    gc.collect()
    tracemalloc.start()
    engine = restore()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_kb": peak // 1024, "retained_kb": current // 1024, "open_stories": len(engine.stories),
            "indexed_stories": len(engine.index.sigs), "article_records_held": len(engine.articles)}


def run(n: int, open_stories: int | None = None, reopen_days: float | None = None) -> dict:
    config = EngineConfig()
    if reopen_days is not None:
        config.reopen_after_seconds = reopen_days * 86400
    gap = _gap(config, open_stories)
    stories, articles = _stream(n, config, gap)

    def all_records():
        eng = StoryEngine(config)
        eng.story_loader, eng.article_loader = stories.get, articles.get
        eng.restore(list(stories.values()), list(articles.values()))
        return eng

    def open_and_window():
        d = Durability(StoryEngine(config), stories, articles, {}, lambda state: None)
        d.restore({})
        return d.engine

    out = {"method": "bench/aggrestart.py: synthetic stream (bench/aggmem.py) through Durability with dict "
                     "tables; tracemalloc of a fresh engine's restore", "articles": len(articles),
           "stories": sum(1 for r in stories.values() if member_count(r)),
           "open_in_tables": sum(1 for r in stories.values() if r.get("status") == "open" and member_count(r)),
           "story_gap_minutes": round(gap.total_seconds() / 60, 3),
           "close_days": config.close_after_seconds / 86400, "reopen_days": config.reopen_after_seconds / 86400,
           "all_records": _traced(all_records), "open_and_window": _traced(open_and_window)}
    a, b = out["all_records"], out["open_and_window"]
    out["peak_ratio"] = round(b["peak_kb"] / a["peak_kb"], 3)
    out["retained_ratio"] = round(b["retained_kb"] / a["retained_kb"], 3)
    return out


def main(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.aggrestart")
    p.add_argument("articles", type=int, nargs="?", default=50_000)
    p.add_argument("--open", type=int, default=None, help="space the stories so that exactly this many are open")
    p.add_argument("--reopen-days", type=float, default=None, help="the engine's reopen window (default 30)")
    args = p.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    print(json.dumps(run(args.articles, args.open, args.reopen_days)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
