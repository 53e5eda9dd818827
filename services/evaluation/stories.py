"""Story clustering evaluation: pairwise and B-cubed scores, and an offline
runner that feeds an evaluation file through the engine in shuffled orders.

The offline runner parses each article once with spaCy and caches the parses
on disk (``DocBin`` bytes, keyed by the file's sha256 and the model name), so
repeated runs only rebuild features.  Features come from the entity stage
(``services.entities``), exactly as the entities worker computes them.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import statistics
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention
from services.aggregator.engine import StoryEngine
from services.common.nlp import MODEL_NAME, blank_vocab_nlp, doc_from_bytes, doc_to_bytes, parse_articles
from services.entities.extract import extract_entities
from services.entities.features import article_dates, content_terms, lead_sentence

CACHE_DIR = Path(os.environ.get("STORYSTREAM_AGG_CACHE", "/tmp/agg_cache"))


# ---------------------------------------------------------------- scoring
def score_clusters(gold: Mapping[str, str], pred: Mapping[str, str]) -> dict:
    """Pairwise and B-cubed precision/recall/F1 over the articles in ``gold``."""
    ids = [a for a in gold if a in pred]
    g_of = {a: gold[a] for a in ids}
    p_of = {a: pred[a] for a in ids}
    g_members: dict[str, set] = defaultdict(set)
    p_members: dict[str, set] = defaultdict(set)
    for a in ids:
        g_members[g_of[a]].add(a)
        p_members[p_of[a]].add(a)

    # pairwise, counted from the contingency table
    joint = Counter((g_of[a], p_of[a]) for a in ids)
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    tp = sum(pairs(n) for n in joint.values())
    pred_pairs = sum(pairs(len(m)) for m in p_members.values())
    gold_pairs = sum(pairs(len(m)) for m in g_members.values())
    pp = tp / pred_pairs if pred_pairs else 1.0
    pr = tp / gold_pairs if gold_pairs else 1.0

    # B-cubed
    bp = br = 0.0
    for a in ids:
        inter = joint[(g_of[a], p_of[a])]
        bp += inter / len(p_members[p_of[a]])
        br += inter / len(g_members[g_of[a]])
    n = len(ids) or 1
    bp, br = bp / n, br / n
    f = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    return {
        "articles": len(ids), "gold_stories": len(g_members), "pred_stories": len(p_members),
        "pairwise_p": pp, "pairwise_r": pr, "pairwise_f1": f(pp, pr),
        "bcubed_p": bp, "bcubed_r": br, "bcubed_f1": f(bp, br),
    }


_COLS = ("pred_stories", "pairwise_p", "pairwise_r", "pairwise_f1", "bcubed_p", "bcubed_r", "bcubed_f1")


def format_table(results_per_order: Mapping[str, dict]) -> str:
    """One row per order plus the mean and the worst (minimum; max story count) rows."""
    head = f"{'order':<8}" + "".join(f"{c:>13}" for c in _COLS)
    lines = [head]
    rows = list(results_per_order.items())
    for name, r in rows:
        lines.append(f"{str(name):<8}" + "".join(_fmt(r[c]) for c in _COLS))
    if rows:
        vals = [r for _, r in rows]
        mean = {c: statistics.fmean(v[c] for v in vals) for c in _COLS}
        worst = {c: (max if c == "pred_stories" else min)(v[c] for v in vals) for c in _COLS}
        lines.append(f"{'mean':<8}" + "".join(_fmt(mean[c]) for c in _COLS))
        lines.append(f"{'worst':<8}" + "".join(_fmt(worst[c]) for c in _COLS))
    return "\n".join(lines)


def _fmt(v) -> str:
    return f"{v:>13.1f}" if isinstance(v, float) and v > 1.0 else (f"{v:>13.4f}" if isinstance(v, float) else f"{v:>13}")


# ---------------------------------------------------------------- offline inputs
def load_records(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _parsed(path: Path, records: list[dict]) -> list[tuple]:
    """(title_doc, body_doc) per record, parsed once and cached as DocBin bytes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cache = CACHE_DIR / f"{path.stem}.{MODEL_NAME}.{digest}.pkl"
    if cache.exists():
        blobs = pickle.loads(cache.read_bytes())
        nlp = blank_vocab_nlp()  # DocBin carries its own strings
        return [(doc_from_bytes(t, nlp), doc_from_bytes(b, nlp)) for t, b in blobs]
    docs = parse_articles([(r["title"], r["body"]) for r in records])
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps([(doc_to_bytes(t), doc_to_bytes(b)) for t, b in docs]))
    tmp.replace(cache)
    return docs


def _features(title_doc, body_doc) -> dict:
    """Entities, lead, terms and dates of one article, as the entity stage computes them."""
    ents = extract_entities(body_doc, title_doc)
    dates, own = article_dates(body_doc, not_after=_PRODUCED_AT)
    return {"entities": [e if isinstance(e, EntityMention) else EntityMention.model_validate(e) for e in ents],
            "lead": lead_sentence(body_doc), "terms": dict(content_terms(body_doc)),
            "dates": dates, "own_date": own, "tokens": len(body_doc)}


_PRODUCED_AT = datetime(2020, 1, 1, tzinfo=timezone.utc)   # the records carry no publication time


def build_inputs(path: str | Path) -> list[tuple[ArticleQuotes, ArticleEntities, str]]:
    """(quotes, entities, gold story) per record; quotes are the file's gold quotes."""
    path = Path(path)
    records = load_records(path)
    docs = _parsed(path, records)
    base = _PRODUCED_AT
    out = []
    for r, (tdoc, bdoc) in zip(records, docs):
        meta = ArticleMeta(article_id=r["id"], title=r["title"], outlet=r.get("outlet"), url=r.get("url"),
                           published=None, content_hash=hashlib.sha256((r["title"] + r["body"]).encode()).hexdigest(),
                           produced_at=base)
        f = _features(tdoc, bdoc)
        quotes = [QuoteMention(text=q["text"], start=q.get("start", 0), end=q.get("end", 0), kind=q.get("kind", "full"),
                               speaker=q.get("speaker")) for q in r.get("quotes", [])]
        out.append((ArticleQuotes(article=meta, quotes=quotes), ArticleEntities(article=meta, **f), r["story"]))
    return out


def shuffled(article_ids: Iterable[str], seed: int) -> list[str]:
    """Order ``seed`` of a data set: its article ids sorted, then shuffled by ``seed``.  The
    offline runner and ``storystream eval stories`` (through Kafka) stream the same orders,
    so an order's offline and Kafka scores can be compared."""
    order = sorted(article_ids)
    random.Random(seed).shuffle(order)
    return order


def run_order(inputs, seed: int, config=None) -> tuple[dict, dict]:
    """Feed ``inputs`` in the order :func:`shuffled` by ``seed``; return (gold, pred)."""
    by_id = {e.article.article_id: (q, e, story) for q, e, story in inputs}
    order = [by_id[a] for a in shuffled(by_id, seed)]
    engine = StoryEngine(config)
    gold, pred = {}, {}
    now = datetime(2020, 1, 1, tzinfo=timezone.utc)
    for q, e, story in order:
        upd = engine.process(q, e, now)
        gold[e.article.article_id] = story
        if upd is not None:
            pred[e.article.article_id] = upd.story_id
    pred.update(engine.assignments())   # final membership (revisions may move articles)
    return gold, pred


def offline_orders(path: str | Path, seeds: Iterable[int] = (0, 1, 2, 3, 4), config=None,
                   inputs=None) -> dict:
    """Scores per seeded order: ``{seed: score_clusters(...)}``."""
    inputs = inputs if inputs is not None else build_inputs(path)
    return {s: score_clusters(*run_order(inputs, s, config)) for s in seeds}


if __name__ == "__main__":  # pragma: no cover
    p = sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/ecbplus_dev.jsonl"
    print(format_table(offline_orders(p)))
