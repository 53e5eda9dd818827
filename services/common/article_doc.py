"""The article as spaCy sees it: the body ``Doc``, with the article's title ``Doc`` and metadata
attached as extension attributes, which the Storystream pipeline components read.

    body._.title_doc   the parsed title (``None``: no title)
    body._.article     the article's ``ArticleMeta`` (``None``: unknown; dates are then not
                       bounded by a publication time)

A plain spaCy user who runs ``nlp.add_pipe("storystream_quotes")`` on a text gets the body-only
behaviour; the service attaches both before it runs the components (:func:`attach`).
"""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc

from schemas.models import ArticleMeta

for _name in ("title_doc", "article"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

__all__ = ["attach"]


def attach(body: Doc, title: Optional[Doc], meta: Optional[ArticleMeta]) -> Doc:
    """Attach the title ``Doc`` and the article metadata to the body ``Doc`` (returned)."""
    body._.title_doc = title
    body._.article = meta
    return body
