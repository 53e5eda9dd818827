"""Aggregator memory growth, in-process: synthetic articles through the pure
``StoryEngine``, wired the way ``services/aggregator/agent.py`` wires it.

Run as its own process (``python -m bench.aggmem 10000 50000``) so that its
RSS is the engine's and nothing else's; prints one JSON object.

Synthetic stream: story ``s`` gets ``PER_STORY`` consecutive articles with 3
story-specific entities and a few story-specific content terms (no feature is
shared across stories, so the clustering candidate set stays small and the
run measures memory, not the index's candidate fan-out),
one quote, and an event time (``published``) one hour after the previous
story's, so the 3-day idle rule closes old stories as the stream moves on.
Like the agent in production (``STORYSTREAM_STORE=rocksdb://``):
  * every update's ``story_record`` / ``article_record`` is written to an
    on-disk rocksdict store, the equivalent of the faust tables' rocksdb store;
  * ``engine.expire_updates`` runs periodically (the agent's timer; here every
    ``EXPIRE_EVERY`` articles);
  * ``story_loader`` / ``article_loader`` read the store, as the agent's do, so
    the engine keeps only open stories in memory.
Each point also reports rocksdb's memtables (write buffers: bounded by the
store's options, 64 MB x 3 per table in faust's rocksdb store, but still
filling at 50k articles here) and the RSS without them, which is the engine's
own growth.  By default the tables use the aggregator's production rocksdb
options (services/aggregator/storage.py: small write buffers and block cache), so
both checkpoints see rocksdb at its bound; ``--rocksdb-defaults`` uses rocksdb's
defaults, whose caches are still filling at 50k articles.
``--memory-tables`` keeps the records in dicts instead (the ``memory://`` store
used in tests), whose growth is linear by construction.
"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rocksdict import BlockBasedOptions, Cache, Options, Rdict

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention, Span
from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.storage import ROCKSDB_OPTIONS

ROOT = Path(__file__).resolve().parents[1]
PER_STORY = 10
EXPIRE_EVERY = 1000


def _rss_kb(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def synthetic(i: int, base: datetime, per_story: int = PER_STORY, gap: timedelta = timedelta(hours=1)):
    """Article ``i``: story ``i // per_story``, whose event time is ``gap`` after the previous story's."""
    s, j = divmod(i, per_story)
    aid = f"syn-{i}"
    person, org, place = f"Person{s} Quill", f"Org{s} Holdings", f"Place{s}ville"
    published = base + s * gap
    body_lead = f"{person} of {org} said that {place} would decide."
    meta = ArticleMeta(article_id=aid, title=f"{person} and {org} in {place} ({j})", outlet=f"outlet{j % 7}",
                       url=f"https://example.org/{aid}", published=published,
                       content_hash=f"h{i:012d}", produced_at=published)
    ents = [EntityMention(name=person, type="PERSON", mentions=[Span(text=person, start=0, end=len(person))],
                          in_title=True),
            EntityMention(name=org, type="ORG", mentions=[Span(text=org, start=30, end=30 + len(org))]),
            EntityMention(name=place, type="GPE", mentions=[Span(text=place, start=60, end=60 + len(place))])]
    terms = {f"alpha{s}": 3, f"beta{s}": 2, f"gamma{s}": 2, f"delta{s}x{j % 3}": 1}
    entities = ArticleEntities(article=meta, entities=ents, lead=body_lead, terms=terms,
                               dates=[published.date().isoformat()], tokens=400)
    quote = QuoteMention(text=f"We will win story {s} number {j % 4}", start=100, end=140, kind="full",
                         speaker=person, speaker_type="named", cue="said")
    return ArticleQuotes(article=meta, quotes=[quote]), entities


class _DiskTable:
    """A JSON-valued rocksdict, like faust's rocksdb table store."""

    def __init__(self, path: str, capped: bool = False) -> None:
        opts = None
        if capped:      # the aggregator's production options (services/aggregator/storage.py)
            opts = Options()
            opts.set_write_buffer_size(ROCKSDB_OPTIONS["write_buffer_size"])
            opts.set_max_write_buffer_number(ROCKSDB_OPTIONS["max_write_buffer_number"])
            table = BlockBasedOptions()
            table.set_block_cache(Cache(ROCKSDB_OPTIONS["block_cache_size"]))
            table.set_cache_index_and_filter_blocks(True)
            opts.set_block_based_table_factory(table)
        self.db = Rdict(path, options=opts) if opts is not None else Rdict(path)

    def __setitem__(self, key: str, value: dict) -> None:
        self.db[key.encode()] = json.dumps(value).encode()

    def get(self, key: str):
        raw = self.db.get(key.encode())
        return json.loads(raw) if raw is not None else None

    def __len__(self) -> int:
        return sum(1 for _ in self.db.keys())

    def memtable_kb(self) -> int:
        """rocksdb's in-memory write buffers (bounded by its write_buffer_size options)."""
        return int(self.db.property_value("rocksdb.cur-size-all-mem-tables") or 0) // 1024


def run(checkpoints: list[int], memory_tables: bool = False, capped: bool = False) -> dict:
    engine = StoryEngine(EngineConfig())
    if memory_tables:
        stories_table: dict = {}
        articles_table: dict = {}
    else:
        tmp = tempfile.mkdtemp(prefix="aggmem-")
        stories_table = _DiskTable(f"{tmp}/stories", capped)
        articles_table = _DiskTable(f"{tmp}/articles", capped)
        engine.story_loader = stories_table.get
        engine.article_loader = articles_table.get
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    gc.collect()
    out = {"method": "in-process StoryEngine, synthetic stories (bench/aggmem.py), records in %s like the "
                     "agent's tables, expire() every %d articles, loaders as in the agent"
                     % ("dicts (memory://)" if memory_tables else "rocksdict on disk (rocksdb://%s)"
                        % (", the aggregator's production rocksdb options" if capped else ", rocksdb default options"),
                           EXPIRE_EVERY),
           "per_story": PER_STORY, "rss_kb_start": _rss_kb(), "points": []}
    t0 = time.monotonic()
    n = 0
    for target in sorted(checkpoints):
        while n < target:
            q, e = synthetic(n, base)
            now = datetime.now(timezone.utc)
            upd = engine.process(q, e, now)
            if upd is not None:
                stories_table[upd.story_id] = upd.story_record
                articles_table[e.article.article_id] = upd.article_record
            n += 1
            if n % EXPIRE_EVERY == 0:
                for u in engine.expire_updates(now):
                    stories_table[u.story_id] = u.story_record
        gc.collect()
        rss = _rss_kb()
        memtables = 0 if memory_tables else stories_table.memtable_kb() + articles_table.memtable_kb()
        out["points"].append({"articles": n, "rss_kb": rss, "seconds": round(time.monotonic() - t0, 2),
                              "rocksdb_memtables_kb": memtables, "rss_kb_excl_memtables": rss - memtables,
                              "open_stories": len(engine.stories),
                              "engine_cold_stories": len(engine.store.cold_stories),
                              "engine_articles": len(engine.articles) + len(engine.store.cold_articles)})
    out["peak_rss_kb"] = _rss_kb("VmHWM")
    if len(out["points"]) >= 2:
        first, last = out["points"][0], out["points"][-1]
        out["rss_ratio"] = round(last["rss_kb"] / first["rss_kb"], 3)
        out["rss_excl_memtables_ratio"] = round(last["rss_kb_excl_memtables"] / first["rss_kb_excl_memtables"], 3)
    return out


def measure(small: int, large: int) -> dict:
    """RSS after ``small`` and after ``large`` articles, from ``python -m bench.aggmem`` in a
    process of its own (so that its RSS is the engine's and nothing else's)."""
    out = subprocess.run([sys.executable, "-m", "bench.aggmem", str(small), str(large)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise RuntimeError(f"bench.aggmem failed: {out.stderr[-2000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    p = {pt["articles"]: pt for pt in res["points"]}
    a, b = p[small]["rss_kb"] / 1024, p[large]["rss_kb"] / 1024
    return {"method": res["method"], "rss_mb_10k": round(a, 1), "rss_mb_50k": round(b, 1),
            "ratio": round(b / a, 3), "articles_small": small, "articles_large": large,
            "rss_mb_start": round(res["rss_kb_start"] / 1024, 1), "points": res["points"]}


def main(argv: list[str]) -> int:
    memory_tables = "--memory-tables" in argv
    points = [int(a) for a in argv if not a.startswith("--")] or [10_000, 50_000]
    print(json.dumps(run(points, memory_tables=memory_tables, capped="--rocksdb-defaults" not in argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
