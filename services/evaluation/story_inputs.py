"""What the offline story evaluation feeds the engine: each article of an evaluation file read as
``storystream produce`` reads it, extracted by the real pipeline (one spaCy pass, the quotes and
entities components, :func:`services.pipeline.extract_articles`), with its gold story.

Extraction does not depend on the order articles arrive in, so it runs once per file: the
results are cached on disk (``.data/eval-cache/``, JSON) keyed by the file's sha256, the spaCy
model and a digest of the extraction code (the quotes, entities, lexicon and NLP modules), and
in memory for the process.  A change to the extractors re-extracts.

Orders.  A dated file (every record has ``published``) is a stream: it is read in publication
order (ties by id), and event time is the publication time, so the engine's time terms and the
closing of idle stories take part.  An undated file is read in seeded shuffles of its articles
(:func:`shuffled`).

Topics.  ECB+ story ids ``"7"`` and ``"7plus"`` are two events of one topic (one kind of event);
cross-validation folds are whole topics (:func:`topic_of`), so a held-out fold's look-alike
events were never seen by the fit.
"""
from __future__ import annotations

import functools
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional, Sequence

from schemas.models import ArticleEntities, ArticleQuotes
from services.common.nlp import MODEL_NAME
from services.common.settings import ROOT
from services.evaluation.topic_folds import topic_of

CACHE_DIR = ROOT / ".data" / "eval-cache"
# the event time of an undated record (the records carry no publication time); also the
# "not after" bound of the dates an article mentions
UNDATED_AT = datetime(2020, 1, 1, tzinfo=timezone.utc)
# the code whose output is cached: a change to any of it re-extracts
_CODE = ("services/quotes", "services/entities", "services/lexicon", "services/common/nlp.py",
         "services/common/article_doc.py", "services/pipeline.py", "services/producer/clean.py",
         "services/producer/sources.py", "schemas/models.py")


@dataclass(frozen=True)
class Item:
    """One article as the aggregator receives it, and its gold story."""
    quotes: ArticleQuotes
    entities: ArticleEntities
    story: str
    published: Optional[datetime]
    text: str = ""              # headline and body as in the file (for the TF-IDF baseline)

    @property
    def article_id(self) -> str:
        return self.entities.article.article_id

    @property
    def topic(self) -> str:
        return topic_of(self.story)


def load_records(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    h = hashlib.sha256()
    for rel in _CODE:
        p = ROOT / rel
        files = sorted(f for f in p.rglob("*") if f.is_file() and "__pycache__" not in f.parts) if p.is_dir() else [p]
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _articles(records: Sequence[dict], source: str):
    from services.producer.sources import record_to_article
    out = []
    for i, r in enumerate(records):
        fields = {k: r[k] for k in ("id", "title", "body", "outlet", "url", "published") if r.get(k) is not None}
        art = record_to_article(fields, f"{source}:{i + 1}")
        out.append(art.model_copy(update={"produced_at": art.published or UNDATED_AT}))
    return out


def _extract(path: Path, records: Sequence[dict]) -> list[tuple[ArticleQuotes, ArticleEntities]]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cache = CACHE_DIR / f"{path.stem}.{digest}.{MODEL_NAME}.{code_digest()}.json"
    if cache.exists():
        rows = json.loads(cache.read_text(encoding="utf-8"))
        return [(ArticleQuotes.model_validate(q), ArticleEntities.model_validate(e)) for q, e in rows]
    from services.pipeline import extract_articles
    pairs = extract_articles(_articles(records, path.name))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps([[q.model_dump(mode="json"), e.model_dump(mode="json")] for q, e in pairs]),
                   encoding="utf-8")
    tmp.replace(cache)
    return pairs


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> tuple[Item, ...]:
    p = Path(path)
    records = load_records(p)
    pairs = _extract(p, records)
    return tuple(Item(q, e, r["story"], e.article.published, r["title"] + "\n" + r["body"]) for r, (q, e) in zip(records, pairs))


def load_items(path: str | Path) -> list[Item]:
    """The file's articles, extracted (cached), in file order."""
    p = Path(path).resolve()
    if not p.exists():
        raise FileNotFoundError(f"evaluation data not found: {p}")
    return list(_load(str(p), p.stat().st_mtime))


def load_many(paths: Iterable[str | Path]) -> list[Item]:
    """Several files as one data set (ids and story ids must not collide)."""
    items: list[Item] = []
    for p in paths:
        items.extend(load_items(p))
    return items


def data_set(arg: str) -> tuple[str, list[Item]]:
    """(name, items) of one DATA argument: a file, or files joined by ``+`` (one stream)."""
    paths = [Path(p) for p in arg.split("+")]
    name = "+".join(p.stem.removeprefix("ecbplus_") for p in paths)
    return name, load_many(paths)


def is_dated(items: Sequence[Item]) -> bool:
    return bool(items) and all(it.published is not None for it in items)


def stream_seeds(items: Sequence[Item], seeds: Iterable[int]) -> list[int]:
    """The orders ``items`` are streamed in, of ``seeds``: a dated data set has one (date order,
    :func:`ordered`), so only the first seed."""
    seeds = list(seeds)
    return seeds[:1] if is_dated(items) else seeds


def shuffled(article_ids: Iterable[str], seed: int) -> list[str]:
    """Order ``seed`` of an undated data set: its article ids sorted, then shuffled by ``seed``."""
    order = sorted(article_ids)
    random.Random(seed).shuffle(order)
    return order


def ordered(items: Sequence[Item], seed: int) -> list[Item]:
    """The stream of ``items``: publication order when dated (``seed`` unused), else shuffle ``seed``."""
    if is_dated(items):
        return sorted(items, key=lambda it: (it.published, it.article_id))
    by_id = {it.article_id: it for it in items}
    return [by_id[a] for a in shuffled(by_id, seed)]


def folds(items: Sequence[Item], k: int, seed: int = 0) -> list[list[Item]]:
    """``k`` folds of whole topics: the topics sorted, shuffled by ``seed`` and dealt round robin
    (so the folds hold about as many topics each)."""
    topics = sorted({it.topic for it in items})
    if k < 2 or k > len(topics):
        raise ValueError(f"--folds {k}: needs 2 to {len(topics)} folds (the data has {len(topics)} topics)")
    random.Random(seed).shuffle(topics)
    fold_of = {t: i % k for i, t in enumerate(topics)}
    out: list[list[Item]] = [[] for _ in range(k)]
    for it in items:
        out[fold_of[it.topic]].append(it)
    return out
