"""What the pipeline is compared with: a bare ``nlp.pipe`` over the articles, and the
extraction without Kafka (``storystream extract``), both in this process."""
from __future__ import annotations

import time

from schemas.models import Article
from services.common.nlp import load_nlp
from services.pipeline import extract_articles


def run_baseline(articles: list[Article]) -> tuple[dict, list[int]]:
    """Bare ``nlp.pipe`` over the titles and bodies, one process (one core); the figures and
    the tokens of each article."""
    nlp = load_nlp()
    list(nlp.pipe(["Warm-up sentence for the pipeline.", articles[0].body]))
    texts = [t for a in articles for t in (a.title, a.body)]
    lens: list[int] = []
    c0, t0 = time.process_time(), time.perf_counter()
    for doc in nlp.pipe(texts):
        lens.append(len(doc))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = [lens[2 * i] + lens[2 * i + 1] for i in range(len(articles))]
    n, tok = len(articles), sum(tokens)
    return {"articles": n, "tokens": tok, "seconds": round(seconds, 3), "articles_per_s": round(n / seconds, 3),
            "tokens_per_s": round(tok / seconds, 1), "cpu_s_per_article": round(cpu / n, 4),
            "cores_used": round(cpu / seconds, 2)}, tokens


def run_extract(articles: list[Article], baseline: dict) -> dict:
    """``storystream extract`` in-process: the one NLP pass plus both extractions (no Kafka)."""
    nlp = load_nlp()
    extract_articles(articles[:2], nlp)  # warm-up
    c0, t0 = time.process_time(), time.perf_counter()
    extract_articles(articles, nlp)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(articles)
    return {"articles": n, "seconds": round(seconds, 3), "articles_per_s": round(n / seconds, 3),
            "tokens_per_s": round(baseline["tokens"] / seconds, 1), "cpu_s_per_article": round(cpu / n, 4),
            "ratio_to_baseline": round((n / seconds) / baseline["articles_per_s"], 3)}


def model_name() -> str:
    nlp = load_nlp()
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"
