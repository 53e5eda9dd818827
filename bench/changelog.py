"""Bytes the aggregator writes to its tables (and so to their changelogs) per article, as one
story grows to 2,000 members (issue 19, item 5: "changelog writes proportional to the change,
not to the story").  ``python -m bench.changelog [2000]`` prints a markdown table and one JSON
object.

One synthetic story (bench-only text: three named entities in every headline and one of five
spokespeople, body terms drawn from a Zipf vocabulary, one recurring statement in a few wordings
plus one new statement per article) goes through the pure engine.  Each update's writes are
measured in the same run two ways (JSON size, nothing timed):

* new (record version 3, what the agent writes): the story heads (``upd.story_record`` and
  ``extra_records``) and the article records (``article_record`` and ``extra_articles``);
* old (record version 2, what every update wrote before): the whole record of each story the
  update wrote (``StoryRecord.full_json`` of the same in-memory story) and the article record;
  measured at the checkpoints only (its cost grows with the story).  ``new: cumulative`` sums
  every update's version-3 writes.
"""
from __future__ import annotations

import json
import logging
import random
import sys
from datetime import datetime, timedelta, timezone

import structlog

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention, Span
from services.aggregator.engine import StoryEngine

CHECKPOINTS = (10, 100, 1000, 2000)
VOCAB = [f"word{i}" for i in range(20_000)]
SPOKESPEOPLE = ["Ines Calloway", "Tomas Brightwater", "Mara Oduya", "Jules Fenwick", "Petra Lindqvist"]
WORDINGS = ["The dam will hold through the night and nobody in the valley needs to leave",
            "the dam will hold through the night", "nobody in the valley needs to leave",
            "The dam will hold through the night, and nobody needs to leave"]


def synthetic_article(i: int, rng: random.Random, base: datetime):
    """Article ``i`` of the synthetic story (bench-only text)."""
    aid = f"bench-changelog-{i:06d}"
    when = base + timedelta(minutes=10 * i)
    meta = ArticleMeta(article_id=aid, title=f"Vellmoor dam: Governor Orla Pask and Kestrel Water on day {i // 50}",
                       outlet=f"outlet{i % 40}", url=f"https://example.org/{aid}", published=when,
                       content_hash=f"{i:064x}", produced_at=when)
    names = [("Orla Pask", "PERSON"), ("Vellmoor", "GPE"), ("Kestrel Water", "ORG"),
             (SPOKESPEOPLE[i % len(SPOKESPEOPLE)], "PERSON")]
    ents = [EntityMention(name=n, type=t, in_title=k < 3,
                          mentions=[Span(text=n, start=10 * m, end=10 * m + len(n)) for m in range(1 + k % 2)])
            for k, (n, t) in enumerate(names)]
    terms = {"dam": 4, "flood": 3, "reservoir": 2, "evacuation": 2}
    for _ in range(30):
        w = VOCAB[min(int(rng.paretovariate(1.1)) - 1, len(VOCAB) - 1)]
        terms[w] = terms.get(w, 0) + 1
    w1, w2, w3 = (VOCAB[rng.randrange(len(VOCAB))] for _ in range(3))
    quotes = [QuoteMention(text=WORDINGS[i % len(WORDINGS)], start=0, end=80, kind="full", speaker="Orla Pask"),
              QuoteMention(text=f"Crews on the {w1} road moved {i} families past the {w2} bridge to {w3}",
                           start=100, end=180, kind="full", speaker=SPOKESPEOPLE[i % len(SPOKESPEOPLE)])]
    return (ArticleQuotes(article=meta, quotes=quotes),
            ArticleEntities(article=meta, entities=ents, lead=f"Governor Orla Pask spoke on day {i // 50}.",
                            terms=terms, dates=[], tokens=400))


def _size(obj) -> int:
    return len(json.dumps(obj, separators=(",", ":")).encode())


def run(n: int = 2000) -> dict:
    rng = random.Random(19)
    eng = StoryEngine()
    base = datetime(2031, 5, 1, tzinfo=timezone.utc)
    new_total = 0
    rows, stories = [], set()
    for i in range(n):
        q, e = synthetic_article(i, rng, base)
        upd = eng.process(q, e, base)
        stories.add(upd.story_id)
        heads = [upd.story_record, *upd.extra_records]
        arts = [upd.article_record, *upd.extra_articles]
        new = sum(_size(r) for r in heads) + sum(_size(a) for a in arts)
        new_total += new
        if i + 1 in CHECKPOINTS:           # (the old write is measured here only: it costs O(members))
            whole = [eng.view(h["story_id"]).full_json() for h in heads]
            old = sum(_size(r) for r in whole) + sum(_size({k: v for k, v in a.items() if k != "order"}) for a in arts)
            rows.append({"articles_streamed": i + 1, "members": upd.story_record["members"],
                         "old_story_record_bytes": _size(whole[0]), "new_head_bytes": _size(upd.story_record),
                         "article_record_bytes": _size(upd.article_record),
                         "old_write_bytes": old, "new_write_bytes": new, "new_cumulative_bytes": new_total})
    return {"method": "bench/changelog.py: one synthetic story through the pure StoryEngine; JSON size of every "
                      "record an update writes, as version 3 (heads + article records) and as version 2 "
                      "(StoryRecord.full_json of the same stories + article records), same run",
            "stories": len(stories), "rows": rows}


def table(out: dict) -> str:
    cols = [("members", "members"), ("old_story_record_bytes", "old: story record"),
            ("new_head_bytes", "new: story head"), ("article_record_bytes", "article record"),
            ("old_write_bytes", "old: bytes written per update"), ("new_write_bytes", "new: bytes written per update"),
            ("new_cumulative_bytes", "new: cumulative")]
    lines = ["| " + " | ".join(c for _, c in cols) + " |", "|" + "---|" * len(cols)]
    for r in out["rows"]:
        lines.append("| " + " | ".join(f"{r[k]:,}" for k, _ in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    out = run(int(argv[0]) if argv else 2000)
    print(table(out))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
