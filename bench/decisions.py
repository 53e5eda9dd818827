"""Snapshot of every decision the product makes on the evaluation data, to prove that a change
which should not change behaviour (a move of code, a speed-up) changes nothing.

    python -m bench.decisions snapshot OUT.json     # extraction + clustering decisions, eval figures
    python -m bench.decisions compare A.json B.json  # exit 1 and list the differences, if any

What it records:
- extraction: per article of the seeds and the three eval files, the full quotes and entities
  results (every field the aggregator sees), as a sha256 per article;
- clustering: per data set (dev, more, dev+more: five seeded orders each, the offline runner;
  news_cluster: date order with story closing, table-backed loaders as in the aggregator) the
  story of every article, the split / merge / re-homing events and every published story state;
- the eval tables (quotes, entities), as printed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL = SHARED / "eval"
FILES = {"dev": EVAL / "ecbplus_dev.jsonl", "more": EVAL / "ecbplus_more.jsonl",
         "news": EVAL / "news_cluster.jsonl"}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def extraction() -> dict[str, str]:
    from schemas.models import Article
    from services.pipeline import extract_articles
    from services.producer.sources import read_paths

    paths = [str(SHARED / "seeds"), *(str(FILES[n]) for n in ("dev", "more", "news"))]
    arts = [r for r in read_paths(paths) if isinstance(r, Article)]
    out = {}
    for q, e in extract_articles(arts):
        out[q.article.article_id] = _digest({"quotes": q.model_dump(mode="json"),
                                             "entities": e.model_dump(mode="json")})
    return out


def _states(upd) -> list:
    """Every story state an update publishes, as JSON."""
    return [s.model_dump(mode="json") for s in (*upd.extra_states, upd.state)]


def _event_kinds(upd) -> dict:
    return {"split": upd.split_into, "merged": upd.merged_from, "rehomed": upd.rehomed,
            "moved_from": upd.moved_from}


def clustering_orders(path: Path, seeds=(0, 1, 2, 3, 4), inputs=None) -> dict:
    from services.aggregator.engine import StoryEngine
    from services.evaluation import stories as ev

    inputs = inputs if inputs is not None else ev.build_inputs(path)
    by_id = {e.article.article_id: (q, e) for q, e, _ in inputs}
    out = {}
    for seed in seeds:
        eng = StoryEngine()
        events, states = [], []
        now = datetime(2020, 1, 1, tzinfo=timezone.utc)
        for aid in ev.shuffled(by_id, seed):
            upd = eng.process(*by_id[aid], now)
            if upd is not None:
                events.append([aid, upd.story_id, _event_kinds(upd)])
                states.append(_states(upd))
        out[str(seed)] = {"assign": eng.assignments(), "events": _digest(events), "states": _digest(states)}
    return out


def clustering_dated(path: Path) -> dict:
    """news_cluster in date order, closing on, loaders backed by dicts (as the faust tables)."""
    from services.aggregator.engine import StoryEngine
    from services.evaluation import stories as ev

    pub = {r["id"]: r["published"] for r in _records(path)}
    items = []
    for q, e, _ in ev.build_inputs(path):
        meta = e.article.model_copy(update={"published": datetime.fromisoformat(pub[e.article.article_id])})
        items.append((q.model_copy(update={"article": meta}), e.model_copy(update={"article": meta})))
    items.sort(key=lambda t: (t[1].article.published, t[1].article.article_id))
    eng = StoryEngine()
    stories, articles = {}, {}
    eng.story_loader, eng.article_loader = stories.get, articles.get
    now = datetime(2020, 1, 1, tzinfo=timezone.utc)
    events, states, closed, failures = [], [], [], []
    for q, e in items:
        aid = e.article.article_id
        try:
            upd = eng.process(q, e, now)
        except Exception as exc:   # recorded: a crash is a decision too
            failures.append([aid, type(exc).__name__])
            continue
        if upd is None:
            continue
        events.append([aid, upd.story_id, _event_kinds(upd)])
        states.append(_states(upd))
        stories[upd.story_id] = upd.story_record
        stories.update((r["story_id"], r) for r in upd.extra_records)
        articles.update((r["article_id"], r) for r in upd.extra_articles)
        articles[aid] = upd.article_record
        for c in eng.expire_updates(now):
            stories[c.story_id] = c.story_record
            closed.append(c.story_id)
            states.append(_states(c))
    return {"assign": {a: r["story_id"] for a, r in sorted(articles.items())}, "events": _digest(events),
            "states": _digest(states), "closed": _digest(closed), "failures": failures}


def eval_tables() -> dict:
    from services.evaluation import entities as ee
    from services.evaluation import quotes as eq

    return {"quotes_seeds": eq.format_table(eq.run_quotes_eval(SHARED / "gold" / "seed_quotes.json")),
            "quotes_dev": eq.format_table(eq.run_quotes_eval(FILES["dev"])),
            "entities_dev": ee.format_table(ee.run_entities_eval(FILES["dev"])),
            "entities_more": ee.format_table(ee.run_entities_eval(FILES["more"]))}


def snapshot(out: Path) -> None:
    from services.evaluation import stories as ev

    snap = {"extraction": extraction()}
    dev, more = ev.build_inputs(FILES["dev"]), ev.build_inputs(FILES["more"])
    snap["stories"] = {"dev": clustering_orders(FILES["dev"], inputs=dev),
                       "more": clustering_orders(FILES["more"], inputs=more),
                       "dev+more": clustering_orders(FILES["dev"], inputs=dev + more),
                       "news_dated": clustering_dated(FILES["news"])}
    snap["eval"] = eval_tables()
    out.write_text(json.dumps(snap, indent=1, sort_keys=True), encoding="utf-8")
    print(f"wrote {out}: {len(snap['extraction'])} articles extracted")


def _diff(a, b, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'B' if k not in a else 'A'}")
            else:
                _diff(a[k], b[k], f"{path}/{k}", out)
    elif a != b:
        out.append(f"{path}: {str(a)[:300]!r} != {str(b)[:300]!r}")


def compare(a: Path, b: Path) -> int:
    diffs: list[str] = []
    _diff(json.loads(a.read_text()), json.loads(b.read_text()), "", diffs)
    for d in diffs[:200]:
        print(d)
    print(f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.decisions")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "snapshot":
        snapshot(args.out)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
