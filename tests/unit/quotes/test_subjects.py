"""Speaker tokens: the subject of the cue, past relative clauses and misattached "who" clauses."""
from __future__ import annotations

from services.common.nlp import parse_articles
from services.quotes.context import Context
from services.quotes.names import build_registry
from services.quotes.subjects import positional_subject

from .articles import quotes


def test_who_clause_attached_to_a_thing_goes_back_to_the_person(docs):
    (q,) = quotes(docs, "who_clause")
    assert q.speaker == "an elderly woman" and q.cue == "cried"


def test_positional_subject_skips_a_relative_clause():
    _, body = parse_articles([("x", "Chairman Nick Rowe (D-Ohio), who had sought to stop the plan through "
                                    "legislation, called the move a mistake.")])[0]
    ctx = Context(body, build_registry(body), [])
    verb = next(t for t in body if t.text == "called")
    head = positional_subject(ctx, verb, list(body))
    assert head is not None and head.text == "Rowe"
