"""annotator: the one NLP pass per article, batched, shared by both extractors."""
from __future__ import annotations

from schemas.models import Article
from services.common.app import make_app
from services.common.codec import article_key, encode
from services.common.settings import Settings
from services.common.stage import register_stage

SERVICE = "annotator"


def build(settings: Settings):
    from services.common.nlp import load_nlp
    from services.pipeline import annotate_articles

    app = make_app(SERVICE, settings)
    nlp = load_nlp()

    def process(articles):
        anns = annotate_articles(articles, nlp, batch_size=max(8, settings.batch_size))
        return [(a.article.article_id, article_key(a.article.article_id), encode(a), {"tokens": a.tokens})
                for a in anns]

    def check(article: Article) -> str | None:
        size = len(article.body.encode("utf-8"))
        if size > settings.max_body_bytes:
            return f"body is {size} bytes, over the limit of {settings.max_body_bytes} (STORYSTREAM_MAX_BODY_BYTES)"
        if not article.body.strip():
            return "body is blank"
        return None

    register_stage(app, settings, service=SERVICE, source="articles", sink="article-annotations",
                   model=Article, process=process, event="article.annotated", check=check)
    return app
