"""Documents as sources: the issuer of a statement."""
from __future__ import annotations

from .articles import quotes


def test_document_description_resolves_to_issuer(docs):
    (q,) = quotes(docs, "issuer")
    assert q.speaker == "the regional water authority" and q.kind == "partial"


def test_statement_by_a_person_is_that_person(docs):
    (q,) = quotes(docs, "statement_by")
    assert q.speaker == "Maria Lind"
