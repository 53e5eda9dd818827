"""Bytes the aggregator writes to its ``stories`` table (and so to its changelog) per article, as
one story grows to 2,000 members (issue 19, item 5: "changelog writes proportional to the
change, not to the story").  ``python -m bench.changelog [2000]`` prints a markdown table and
one JSON object.

One synthetic story (bench-only text: three named entities in every headline and one of five
spokespeople, body terms drawn from a Zipf vocabulary, one recurring statement in a few wordings
plus one new statement per article) goes through the pure engine.  Every update's story record is what the agent writes to
the ``stories`` table (``upd.story_record``); its JSON size is the changelog write.  The record
is broken down by field: ``articles`` (one entry per member), ``quotes`` (every variant of every
quote), ``entities`` (per entity, the ids of the articles naming it), ``signature`` (sums over
the members: bounded by the story's vocabulary, not its size) and the rest.

``bounded head`` is a projection, not a measured write path: the record without its per-member
parts (no ``articles``; quotes as distinct wordings with counts; entities with counts instead of
article-id maps), i.e. what a story record would weigh if the per-member data lived in the
article records (which already hold each article's contribution).  Nothing here is timed.
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


def _article(i: int, rng: random.Random, base: datetime):
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


def bounded_head(rec: dict) -> dict:
    """The projection described in the module docstring."""
    head = {k: v for k, v in rec.items() if k not in ("articles", "quotes", "entities")}
    head["members"] = len(rec["articles"])
    head["entities"] = {k: {**{f: e[f] for f in e if f not in ("arts", "heads")},
                            "arts": len(e["arts"]), "heads": len(e["heads"])} for k, e in rec["entities"].items()}
    quotes = []
    for g in rec["quotes"]:
        wordings: dict[tuple, int] = {}
        for v in g["variants"]:
            wordings[(v["text"], v["kind"], v["speaker"])] = wordings.get((v["text"], v["kind"], v["speaker"]), 0) + 1
        quotes.append({"quote_id": g["quote_id"], "first_seen": g["first_seen"],
                       "wordings": [[*k, n] for k, n in wordings.items()]})
    head["quotes"] = quotes
    return head


def run(n: int = 2000) -> dict:
    rng = random.Random(19)
    eng = StoryEngine()
    base = datetime(2031, 5, 1, tzinfo=timezone.utc)
    total, rows, stories = 0, [], set()
    for i in range(n):
        q, e = _article(i, rng, base)
        upd = eng.process(q, e, base)
        stories.add(upd.story_id)
        written = [upd.story_record, *upd.extra_records]
        total += sum(_size(r) for r in written)
        members = len(upd.story_record["articles"])
        if i + 1 in CHECKPOINTS:
            rec = upd.story_record
            parts = {k: _size(rec[k]) for k in ("articles", "quotes", "entities", "signature")}
            rows.append({"articles_streamed": i + 1, "members": members, "story_record_bytes": _size(rec),
                         **{f"{k}_bytes": v for k, v in parts.items()},
                         "other_bytes": _size(rec) - sum(parts.values()),
                         "article_record_bytes": _size(upd.article_record),
                         "bounded_head_bytes": _size(bounded_head(rec)),
                         "story_table_bytes_so_far": total})
    return {"method": "bench/changelog.py: one synthetic story through the pure StoryEngine; JSON size of "
                      "every story record written (upd.story_record + extra_records)",
            "stories": len(stories), "rows": rows}


def table(out: dict) -> str:
    cols = [("members", "members"), ("story_record_bytes", "story record (bytes/update)"),
            ("articles_bytes", "articles"), ("quotes_bytes", "quotes"), ("entities_bytes", "entities"),
            ("signature_bytes", "signature"), ("article_record_bytes", "article record"),
            ("bounded_head_bytes", "bounded head (projection)"), ("story_table_bytes_so_far", "story table, cumulative")]
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
