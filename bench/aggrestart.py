"""Aggregator memory of a restart: what the restore allocates, with every record stored against
open stories only (issue 19, item 5).  ``python -m bench.aggrestart 50000`` prints one JSON object.

The synthetic stream of :mod:`bench.aggmem` (10 articles per story, one story an hour of event
time, so about 72 stories are open under the 3-day close and about 720 closed ones are inside
the 30-day reopen window) goes through the aggregator's durability protocol with dict tables.
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
from datetime import datetime, timezone

import structlog

from bench.aggmem import synthetic
from services.aggregator.durability import Durability
from services.aggregator.engine import StoryEngine


def _stream(n: int) -> tuple[dict, dict]:
    stories, articles, failures = {}, {}, []
    d = Durability(StoryEngine(), stories, articles, {}, lambda state: None)
    d.restore({})
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i in range(n):
        q, e = synthetic(i, base)
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


def run(n: int) -> dict:
    stories, articles = _stream(n)

    def all_records():
        eng = StoryEngine()
        eng.story_loader, eng.article_loader = stories.get, articles.get
        eng.restore(list(stories.values()), list(articles.values()))
        return eng

    def open_and_window():
        d = Durability(StoryEngine(), stories, articles, {}, lambda state: None)
        d.restore({})
        return d.engine

    out = {"method": "bench/aggrestart.py: synthetic stream (bench/aggmem.py) through Durability with dict "
                     "tables; tracemalloc of a fresh engine's restore", "articles": len(articles),
           "stories": sum(1 for r in stories.values() if r.get("articles")),
           "all_records": _traced(all_records), "open_and_window": _traced(open_and_window)}
    a, b = out["all_records"], out["open_and_window"]
    out["peak_ratio"] = round(b["peak_kb"] / a["peak_kb"], 3)
    out["retained_ratio"] = round(b["retained_kb"] / a["retained_kb"], 3)
    return out


def main(argv: list[str]) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    print(json.dumps(run(int(argv[0]) if argv else 50_000)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
