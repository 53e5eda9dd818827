"""quotes: direct quotes and their speakers, from the shared annotation."""
from __future__ import annotations

from services.common.settings import Settings
from services.workers.extractor import build_extractor
from services.pipeline import quotes_result

SERVICE = "quotes"


def build(settings: Settings):
    return build_extractor(settings, service=SERVICE, sink="article-quotes", event="article.quotes_extracted",
                           result=quotes_result, count=lambda res: {"quotes": len(res.quotes)})
