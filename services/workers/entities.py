"""entities: canonical named entities and clustering features, from the shared annotation."""
from __future__ import annotations

from services.common.settings import Settings
from services.workers.extractor import build_extractor
from services.pipeline import entities_result

SERVICE = "entities"


def build(settings: Settings):
    return build_extractor(settings, service=SERVICE, sink="article-entities", event="article.entities_extracted",
                           result=entities_result, count=lambda res: {"entities": len(res.entities)})
