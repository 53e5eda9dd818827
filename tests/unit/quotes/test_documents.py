"""Documents as sources: the issuer of a statement."""
from __future__ import annotations

from .articles import quotes


def test_document_description_resolves_to_issuer(docs):
    (q,) = quotes(docs, "issuer")
    assert q.speaker == "the regional water authority" and q.kind == "partial"


def test_statement_by_a_person_is_that_person(docs):
    (q,) = quotes(docs, "statement_by")
    assert q.speaker == "Maria Lind"


def test_statement_issued_by_an_organisation_is_that_organisation(docs):
    (q,) = quotes(docs, "issued_by")
    assert q.speaker == "Brenton council" and q.speaker_type == "organisation"


def test_it_after_a_released_statement_is_its_issuer(docs):
    (q,) = quotes(docs, "it_said")
    assert q.speaker == "The Brenton council"


def test_a_statement_that_reads_speaks_for_its_issuer(docs):
    (q,) = quotes(docs, "read_issued_by")
    assert q.speaker == "Piet Alder"
    (q,) = quotes(docs, "letter_read")
    assert q.speaker == "Piet Alder"
