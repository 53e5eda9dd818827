"""quotes: direct quotes and their speakers, from the shared annotation."""
from __future__ import annotations

from schemas.models import ArticleAnnotation
from services.common.app import make_app
from services.common.codec import article_key, encode
from services.common.settings import Settings
from services.common.stage import register_stage

SERVICE = "quotes"


def process(annotations):
    from services.pipeline import quotes_result
    out = []
    for ann in annotations:
        res = quotes_result(ann)
        out.append((ann.article.article_id, article_key(ann.article.article_id), encode(res),
                    {"quotes": len(res.quotes)}))
    return out


def build(settings: Settings):
    app = make_app(SERVICE, settings)
    register_stage(app, settings, service=SERVICE, source="article-annotations", sink="article-quotes",
                   model=ArticleAnnotation, process=process, event="article.quotes_extracted")
    return app
