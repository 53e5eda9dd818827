"""The quotes and entities workers: one stage shape, each running its pipeline component on the
annotator's shipped parse (``article-annotations``) and sending one result per article."""
from __future__ import annotations

from typing import Callable

import faust
from pydantic import BaseModel

from schemas.models import ArticleAnnotation
from services.common.app import make_app
from services.common.codec import article_key, encode
from services.common.settings import Settings
from services.common.stage import register_stage

__all__ = ["build_extractor"]


def build_extractor(settings: Settings, *, service: str, sink: str, event: str,
                    result: Callable[[ArticleAnnotation], BaseModel],
                    count: Callable[[BaseModel], dict]) -> faust.App:
    """A faust app reading ``article-annotations`` and writing ``result(annotation)`` to ``sink``;
    ``count(result)`` gives the fields of the log line."""
    app = make_app(service, settings)

    def process(annotations):
        out = []
        for ann in annotations:
            res = result(ann)
            out.append((ann.article.article_id, article_key(ann.article.article_id), encode(res), count(res)))
        return out

    register_stage(app, settings, service=service, source="article-annotations", sink=sink,
                   model=ArticleAnnotation, process=process, event=event)
    return app
