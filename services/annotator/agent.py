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

    register_stage(app, settings, service=SERVICE, source="articles", sink="article-annotations",
                   model=Article, process=process, event="article.annotated",
                   check=lambda article: refusal(article, settings.max_body_bytes, nlp.max_length))
    return app


def refusal(article: Article, max_body_bytes: int, max_chars: int) -> str | None:
    """Why the NLP pass cannot take this article, or None.  Two limits: the body's size in
    bytes (STORYSTREAM_MAX_BODY_BYTES, 4 MiB by default) and the pipeline's ``max_length`` in
    characters per text (spaCy's 1,000,000: the parser and NER need memory in proportion to a
    text's length).  A text over ``max_length`` made spaCy raise in the middle of a batch (the
    whole batch failed and was re-run one by one); it is refused here, before the batch."""
    size = len(article.body.encode("utf-8"))
    if size > max_body_bytes:
        return f"body is {size} bytes, over the limit of {max_body_bytes} (STORYSTREAM_MAX_BODY_BYTES)"
    if not article.body.strip():
        return "body is blank"
    for name, text in (("body", article.body), ("title", article.title)):
        if len(text) > max_chars:
            return (f"{name} is {len(text)} characters, over the NLP pass's limit of {max_chars} "
                    f"characters per text (spaCy max_length)")
    return None
